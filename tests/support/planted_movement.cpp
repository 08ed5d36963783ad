#include "tests/support/planted_movement.hpp"

#include "firmware/compiler/movement.hpp"

namespace tsp::compiler {

TensorId planted_concat_early(Graph& g, TensorId a, TensorId b, const std::string& name, const isa::Config& cfg) {
  const std::vector<uint32_t> as = g.tensor(a).shape;
  const uint32_t ra = as[0], rb = g.tensor(b).shape[0];
  const MoveMap map = [=](uint32_t r, uint32_t c) -> MoveSource {
    if (r + 1 < ra) return {0, r, c};
    // The bug: b starts one row early; the result's last row reads past b (clamped to its last row).
    const uint32_t br = r + 1 - ra;
    return {1, br < rb ? br : rb - 1, c};
  };
  return expand_move(g, {a, b}, g.tensor(a).dtype, {ra + rb, as[1]}, map, 0, name, {}, cfg);
}

TensorId planted_slice_off_by_one(Graph& g, TensorId x, uint32_t start, uint32_t end, const std::string& name,
                                  const isa::Config& cfg) {
  const std::vector<uint32_t> xs = g.tensor(x).shape;
  std::vector<uint32_t> ys = xs;
  ys.back() = end - start;
  const MoveMap map = [=](uint32_t r, uint32_t c) -> MoveSource {
    return {0, r, std::min(start + 1 + c, xs.back() - 1)};  // the bug: start + 1
  };
  return expand_move(g, {x}, g.tensor(x).dtype, ys, map, 0, name, {}, cfg);
}

}  // namespace tsp::compiler
