// VXM semantics (common/numerics does the arithmetic).
#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

void ChipEngine::exec_vxm(const Exec& x) { fail(x, "the VXM is not modelled yet (numerics library pending)"); }

}  // namespace tsp::model
