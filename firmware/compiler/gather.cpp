#include "firmware/compiler/gather.hpp"

#include <algorithm>

#include "firmware/compiler/layout.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {

TensorId expand_gather(Graph& g, TensorId data, TensorId idx, const std::string& name, const Where& w,
                       const isa::Config& cfg) {
  const Tensor D = g.tensor(data);  // copies: adding tensors moves the graph's
  const Tensor I = g.tensor(idx);
  const uint32_t N = D.shape[0], M = uint32_t(I.elements()), L = cfg.lanes;
  const Layout li = layout_of(I, L);  // index e: row e / cols, column e % cols
  const uint32_t vpi = layout_of(D, L).vectors() / N, K = M * vpi;
  auto fill = [&](const std::string& tag, isa::DType t, std::vector<uint32_t> shape, auto value) {
    uint64_t n = 1;
    for (uint32_t d : shape) n *= d;
    std::vector<uint32_t> v(n);
    for (uint64_t e = 0; e < n; ++e) v[e] = value(e) & (t == isa::DType::i16 ? 0xFFFFu : ~0u);
    return g.add_const(name + tag, t, std::move(shape), std::move(v), w);
  };
  auto all = [](uint32_t x) { return [x](uint64_t) { return x; }; };
  const TensorId c0 = g.add(GraphOp::Max, name + ".c0", {idx, fill(".lo", isa::DType::i32, I.shape, all(0))}, w);
  const TensorId c1 = g.add(GraphOp::Min, name + ".c1", {c0, fill(".hi", isa::DType::i32, I.shape, all(N - 1))}, w);
  const TensorId a = g.add(GraphOp::Mul, name + ".a", {c1, fill(".vpi", isa::DType::i32, I.shape, all(vpi))}, w);
  const TensorId base = fill(".base", isa::DType::i32, I.shape, all(0));  // compile() sets the data's address
  const TensorId b = g.add(GraphOp::Add, name + ".b", {a, base}, w);
  // Index e's lane of b to every lane: PERMUTE with map row `lane` (all lanes `lane`).
  const uint32_t maps = std::min(li.cols, L);
  const TensorId bmap = fill(".bmap", isa::DType::i16, {maps, L}, [L](uint64_t e) { return uint32_t(e / L); });
  VecSpec s;
  s.group = 2;
  s.plane = {0, 0, 1, 0};
  for (uint32_t k = 0; k < K; ++k) {
    const uint32_t e = k / vpi, row = e / li.cols, col = e % li.cols;
    s.rows.push_back({k,
                      isa::Op::PERMUTE,
                      0,
                      {VecOperand{0, li.vector_of(row, col)}, VecOperand{1, li.lane_of(col)}, VecOperand{}}});
  }
  const TensorId p = g.add_vecop(name + ".bcast", {b, bmap, b, bmap}, isa::DType::i16, {K, L}, std::move(s), w);
  const TensorId r = fill(".r", isa::DType::i16, {K, L}, [L, vpi](uint64_t e) { return uint32_t((e / L) % vpi); });
  const TensorId map = g.add(GraphOp::Add, name + ".map", {p, r}, w);
  std::vector<uint32_t> shape = I.shape;
  shape.insert(shape.end(), D.shape.begin() + 1, D.shape.end());
  return g.add_gather_rows(name, data, map, base, std::move(shape), w);
}

}  // namespace tsp::compiler
