// C2C endpoints: SEND hands the vector on `src` to the link attached to this
// queue's link; RECV takes the vector arriving in its own cycle and puts it on
// `dst`. With nothing attached (a lone chip) both are schedule errors, and a
// vector that arrives with no RECV for it is one too (check_arrivals): links
// have no flow control, so nothing may be silently dropped.
#include <fmt/format.h>

#include "systemc/engine/chip_engine.hpp"
#include "systemc/engine/engine_hot.hpp"

namespace tsp::model {

void ChipEngine::exec_c2c(const Exec& x) {
  const uint16_t link = x.q.desc->index;
  LinkEnd& end = links_.at(link);
  const auto stream = [&](const char* name) { return isa::StreamRef::from_code(uint64_t(x.in.get(name))); };
  if (x.in.op == isa::Op::SEND) {
    const Vec* v;
    read_streams(x, stream("src"), 1, &v);
    if (!end.tx) fail(x, fmt::format("link {} is not connected: the vector sent has no receiver", link));
    const std::string src = source_of(x.q, x.index);
    end.tx->transmit(
        LinkFrame{*v, chip_, link, x.t, instr_text(x.q, x.index, x.t, x.in) + (src.empty() ? "" : " (" + src + ")")});
    return;
  }
  if (x.in.op != isa::Op::RECV) return;  // DESKEW/RDESKEW: the queue's own timing, handled at issue
  if (!end.arrivals.empty() && end.arrivals.front().at < x.t) check_arrivals(link, x.t);
  if (end.arrivals.empty() || end.arrivals.front().at != x.t) {
    if (!end.receives && end.arrivals.empty())
      fail(x, fmt::format("link {} is not connected: no vector arrives for this RECV", link));
    fail(x, end.arrivals.empty()
                ? fmt::format("no vector arrives on link {} in cycle {}", link, x.t)
                : fmt::format("no vector arrives on link {} in cycle {}; the next one arrives in cycle {} from {}",
                              link, x.t, end.arrivals.front().at, end.arrivals.front().frame.from));
  }
  result_stream(x, stream("dst")) = end.arrivals.front().frame.payload;
  end.arrivals.pop_front();
}

}  // namespace tsp::model
