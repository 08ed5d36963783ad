// MXM semantics (common/numerics does the arithmetic).
#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

void ChipEngine::exec_mxm(const Exec& x) { fail(x, "the MXM is not modelled yet (numerics library pending)"); }

}  // namespace tsp::model
