#include "firmware/compiler/expand.hpp"

#include <fmt/format.h>

#include "common/numerics/dtype.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/gather.hpp"
#include "firmware/compiler/transpose.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

uint32_t float_bits(isa::DType t, double v) {
  if (t == isa::DType::f16) return num::from_double<num::kF16>(v);
  if (t == isa::DType::bf16) return num::from_double<num::kBF16>(v);
  return num::from_double<num::kF32>(v);
}

class Expander {
 public:
  Expander(const Graph& g, const isa::Config& cfg) : g_(g), cfg_(cfg), map_(g.tensors().size()) {}

  Graph run() {
    for (size_t i = 0; i < g_.tensors().size(); ++i) {
      const Tensor& t = g_.tensors()[i];
      if (t.kind == TensorKind::Input) map_[i] = out_.add_input(t.name, t.dtype, t.shape, t.data, t.where);
      if (t.kind == TensorKind::Const) map_[i] = out_.add_const(t.name, t.dtype, t.shape, t.data, t.where);
    }
    for (const Node& n : g_.nodes()) {
      std::vector<TensorId> in;
      for (TensorId t : n.inputs) in.push_back(map_[t]);
      const Tensor& o = g_.tensor(n.output);
      if (n.op == GraphOp::RmsNorm || n.op == GraphOp::LayerNorm)
        map_[n.output] = norm(n.op == GraphOp::LayerNorm, in[0], o.name, n.where);
      else if (n.op == GraphOp::Transpose)
        map_[n.output] = expand_transpose(out_, in[0], n.perm, o.name, n.where, cfg_);
      else if (n.op == GraphOp::Gather)
        map_[n.output] = gather_axis(in[0], in[1], n.perm.at(0), o.name, n.where);
      else if (n.op == GraphOp::GatherRows)
        map_[n.output] = out_.add_gather_rows(o.name, in[0], in[1], in[2], o.shape, n.where);
      else if (n.op == GraphOp::VecOp)
        map_[n.output] = out_.add_vecop(o.name, in, o.dtype, o.shape, *n.vec, n.where, o.pad_zero);
      else
        map_[n.output] = out_.add(n.op, o.name, in, n.where,
                                  n.op == GraphOp::Cast ? std::optional<isa::DType>(o.dtype) : std::nullopt);
    }
    for (size_t i = 0; i < g_.tensors().size(); ++i)
      if (g_.tensors()[i].output) out_.mark_output(map_[i]);
    return std::move(out_);
  }

 private:
  // Gather on axis a: transpose a to the front, gather axis 0, move the index dimensions back to a.
  TensorId gather_axis(TensorId data, TensorId idx, uint32_t a, const std::string& y, const Where& w) {
    if (a == 0) return expand_gather(out_, data, idx, y, w, cfg_);
    const auto n = uint32_t(out_.tensor(data).shape.size()), m = uint32_t(out_.tensor(idx).shape.size());
    std::vector<uint32_t> front{a}, back;
    for (uint32_t d = 0; d < n; ++d)
      if (d != a) front.push_back(d);
    const TensorId dt = expand_transpose(out_, data, front, y + ".in", w, cfg_);
    const TensorId g0 = expand_gather(out_, dt, idx, y + ".g", w, cfg_);  // [idx..., dims before a, after a]
    for (uint32_t t = 0; t < n - 1 + m; ++t) back.push_back(t < a ? m + t : t < a + m ? t - a : t);
    return expand_transpose(out_, g0, back, y, w, cfg_);
  }
  // A const of `shape` filled with `bits`.
  TensorId fill(const std::string& name, isa::DType t, std::vector<uint32_t> shape, uint32_t bits, const Where& w) {
    uint64_t n = 1;
    for (uint32_t d : shape) n *= d;
    return out_.add_const(name, t, std::move(shape), std::vector<uint32_t>(n, bits), w);
  }
  // The f32 row sums of x[M,C] in every lane: [M, lanes].
  TensorId row_sum(TensorId x, const std::string& y, const std::string& tag, const Where& w) {
    const Tensor& t = out_.tensor(x);  // copied out: adding tensors moves them
    const uint32_t M = t.shape[0], C = t.shape[1], L = cfg_.lanes;
    const isa::DType T = t.dtype;
    if (!t.pad_zero && C % L) {  // lanes past C may hold anything: select zero there
      const TensorId mask = fill(y + ".mask" + tag, T, {M, C}, num::lane_mask(T), w);
      x = out_.add(GraphOp::Sel, y + ".masked" + tag, {mask, x, mask}, w);
    }
    const TensorId ones = fill(y + ".ones" + tag, T, {C, L}, float_bits(T, 1.0), w);
    return out_.add(GraphOp::MatMul, y + ".sum" + tag, {x, ones}, w);
  }
  TensorId norm(bool layer, TensorId x, const std::string& y, const Where& w) {
    const Tensor& t = out_.tensor(x);  // copied out: adding tensors moves them
    const isa::DType T = t.dtype;
    const uint32_t M = t.shape[0], C = t.shape[1], L = cfg_.lanes;
    const TensorId invc = fill(y + ".invc", isa::DType::f32, {M, L}, float_bits(isa::DType::f32, 1.0 / C), w);
    TensorId xc = x;
    if (layer) {
      const TensorId mean = out_.add(GraphOp::Mul, y + ".mean", {row_sum(x, y, "1", w), invc}, w);
      const TensorId mh = out_.add(GraphOp::Cast, y + ".meanh", {mean}, w, T);
      xc = out_.add(GraphOp::SubRow, y + ".xc", {x, mh}, w);
    }
    const TensorId sq = out_.add(GraphOp::Mul, y + ".sq", {xc, xc}, w);
    const TensorId ms = out_.add(GraphOp::Mul, y + ".ms", {row_sum(sq, y, "2", w), invc}, w);
    const TensorId eps = fill(y + ".eps", isa::DType::f32, {M, L}, float_bits(isa::DType::f32, kNormEpsilon), w);
    const TensorId v = out_.add(GraphOp::Add, y + ".var", {ms, eps}, w);
    const TensorId r = out_.add(GraphOp::Rsqrt, y + ".r", {v}, w);
    const TensorId rh = out_.add(GraphOp::Cast, y + ".rh", {r}, w, T);
    return out_.add(GraphOp::MulRow, y, {xc, rh}, w);
  }

  const Graph& g_;
  const isa::Config& cfg_;
  Graph out_;
  std::vector<TensorId> map_;
};

}  // namespace

Graph expand(const Graph& g, const isa::Config& cfg) { return Expander(g, cfg).run(); }

}  // namespace tsp::compiler
