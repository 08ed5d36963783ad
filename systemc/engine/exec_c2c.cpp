// C2C endpoints. A single chip has nothing attached to its links: a SEND has
// no receiver and a RECV has no arriving vector, both schedule errors. The
// multi-chip system attaches links here.
#include <fmt/format.h>

#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

void ChipEngine::exec_c2c(const Exec& x) {
  if (x.in.op == isa::Op::SEND)
    fail(x, fmt::format("link {} is not connected: the vector sent has no receiver", x.q.desc->index));
  if (x.in.op == isa::Op::RECV)
    fail(x, fmt::format("link {} is not connected: no vector arrives for this RECV", x.q.desc->index));
  // DESKEW/RDESKEW on a lone chip: its counter is the only clock, nothing to align.
}

}  // namespace tsp::model
