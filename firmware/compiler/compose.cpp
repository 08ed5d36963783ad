#include "firmware/compiler/compose.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "common/numerics/vxm.hpp"

namespace tsp::compiler {
namespace {

// 2^11: the residual x - f16(x) is at most half an f16 ulp of x, so scaled by
// 2^11 it has about x's magnitude and stays in the f16 range.
constexpr double kLoScale = 2048.0;

uint32_t float_bits(isa::DType t, double v) {
  switch (t) {
    case isa::DType::f16:
      return num::from_double<num::kF16>(v);
    case isa::DType::bf16:
      return num::from_double<num::kBF16>(v);
    case isa::DType::f32:
      return num::from_double<num::kF32>(v);
    default:
      throw Error(fmt::format("internal error: float_bits of {}", isa::dtype_desc(t).name));
  }
}

double largest_finite(isa::DType t) {
  return t == isa::DType::f16    ? num::to_double<num::kF16>(0x7BFF)
         : t == isa::DType::bf16 ? num::to_double<num::kBF16>(0x7F7F)
                                 : num::to_double<num::kF32>(0x7F7FFFFF);
}

struct Split {
  TensorId hi, lo;
};

// The element bits of unary/binary op `op` of `type` (from `from`) as the VXM computes them.
uint32_t vxm(GraphOp op, isa::DType type, isa::DType from, uint32_t a, uint32_t b = 0) {
  return num::apply({vxm_opcode(op), type, from}, a, b);
}

// hi = f16(x): on the host for a constant (the same bits the VXM would
// compute, once at compile time), else one VXM op.
TensorId f16_of(Graph& g, const std::string& p, TensorId x, const Where& w) {
  if (g.tensor(x).kind == TensorKind::Const) {
    const Tensor t = g.tensor(x);  // a copy: adding tensors moves them
    std::vector<uint32_t> hi(t.data.size());
    for (size_t e = 0; e < t.data.size(); ++e) hi[e] = vxm(GraphOp::Cast, isa::DType::f16, isa::DType::f32, t.data[e]);
    return g.add_const(p + ".hi", isa::DType::f16, t.shape, std::move(hi), w);
  }
  return g.add(GraphOp::Cast, p + ".hi", {x}, w, isa::DType::f16);
}

// split_f32 of a constant, on the host with the VXM's arithmetic: weights are
// split once at compile time, and the f32 original and its intermediates take
// no SRAM and no cycles.
Split split_const_f32(Graph& g, const std::string& p, TensorId x, const Where& w) {
  const TensorId hi = f16_of(g, p, x, w);
  const Tensor t = g.tensor(x);  // copies: adding tensors moves them
  const std::vector<uint32_t> h = g.tensor(hi).data;
  const uint32_t scale = float_bits(isa::DType::f32, kLoScale);
  using isa::DType;
  std::vector<uint32_t> lo(t.data.size());
  for (size_t e = 0; e < t.data.size(); ++e) {
    const uint32_t res =
        vxm(GraphOp::Sub, DType::f32, DType::f32, t.data[e], vxm(GraphOp::Cast, DType::f32, DType::f16, h[e]));
    lo[e] = vxm(GraphOp::Cast, DType::f16, DType::f32, vxm(GraphOp::Mul, DType::f32, DType::f32, res, scale));
  }
  return {hi, g.add_const(p + ".lo", DType::f16, t.shape, std::move(lo), w)};
}

// x (f32) = hi + lo * 2^-11, both f16.
Split split_f32(Graph& g, const std::string& p, TensorId x, const Where& w) {
  if (g.tensor(x).kind == TensorKind::Const) return split_const_f32(g, p, x, w);
  const std::vector<uint32_t> shape = g.tensor(x).shape;  // copied: adding tensors moves them
  const TensorId hi = g.add(GraphOp::Cast, p + ".hi", {x}, w, isa::DType::f16);
  const TensorId hif = g.add(GraphOp::Cast, p + ".hif", {hi}, w, isa::DType::f32);
  const TensorId res = g.add(GraphOp::Sub, p + ".res", {x, hif}, w);
  const TensorId scale = float_fill(g, p + ".scale", isa::DType::f32, shape, kLoScale, w);
  const TensorId ress = g.add(GraphOp::Mul, p + ".ress", {res, scale}, w);
  return {hi, g.add(GraphOp::Cast, p + ".lo", {ress}, w, isa::DType::f16)};
}

}  // namespace

TensorId float_fill(Graph& g, const std::string& name, isa::DType dtype, const std::vector<uint32_t>& shape,
                    double value, const Where& where) {
  uint64_t n = 1;
  for (uint32_t d : shape) n *= d;
  return g.add_const(name, dtype, shape, std::vector<uint32_t>(n, float_bits(dtype, value)), where);
}

QuantisedRows quantise_rows(Graph& g, const std::string& p, TensorId x, const Where& where,
                            std::optional<double> bound) {
  using isa::DType;
  if (g.tensor(x).dtype != DType::f32)
    throw Error(fmt::format("{}: error: node '{}': quantise_rows needs f32 rows", where.str(), p));
  if (bound) {
    const TensorId k = float_fill(g, p + ".k", DType::f32, {1}, 127.0 / *bound, where);
    const TensorId xs = g.add(GraphOp::Mul, p + ".xs", {x, k}, where);
    return {g.add(GraphOp::Cast, p + ".q", {xs}, where, DType::i8), std::nullopt, *bound / 127.0};
  }
  Attrs last;
  last.axes = {-1};
  last.keepdims = true;
  const TensorId abs = g.add(GraphOp::Abs, p + ".abs", {x}, where);
  const TensorId amax = g.add(GraphOp::ReduceMax, p + ".amax", {abs}, where, std::nullopt, last);
  const TensorId m = g.add(GraphOp::Max, p + ".m", {amax, float_fill(g, p + ".tiny", DType::f32, {1}, 1e-30, where)},
                           where);
  const TensorId rs = g.add(GraphOp::Rsqrt, p + ".rs", {m}, where);
  const TensorId r = g.add(GraphOp::Mul, p + ".r", {rs, rs}, where);
  const TensorId inv = g.add(GraphOp::Mul, p + ".inv", {r, float_fill(g, p + ".c127", DType::f32, {1}, 127.0, where)},
                             where);
  const TensorId xs = g.add(GraphOp::Mul, p + ".xs", {x, inv}, where);
  const TensorId q = g.add(GraphOp::Cast, p + ".q", {xs}, where, DType::i8);
  const TensorId scale =
      g.add(GraphOp::Mul, p + ".s", {m, float_fill(g, p + ".c1_127", DType::f32, {1}, 1.0 / 127.0, where)}, where);
  return {q, scale, 1.0};
}

bool int8_weight(const Tensor& w) {
  return w.kind == TensorKind::Const && w.dtype == isa::DType::f32 && w.shape.size() == 2;
}

TensorId int8_matmul(Graph& g, const std::string& y, const QuantisedRows& x, TensorId w, const Where& where) {
  using isa::DType;
  const Tensor tw = g.tensor(w);  // a copy: adding tensors moves them
  if (!int8_weight(tw))
    throw Error(fmt::format("{}: error: node '{}' (matmul): int8_matmul needs a constant f32 [K, N] weight",
                            where.str(), y));
  const uint32_t K = tw.shape[0], N = tw.shape[1];
  const std::vector<uint32_t>& bits = tw.data.values();
  std::vector<double> amax(N, 0.0);
  for (uint32_t k = 0; k < K; ++k)
    for (uint32_t j = 0; j < N; ++j)
      amax[j] = std::max(amax[j], std::abs(num::to_double<num::kF32>(bits[size_t(k) * N + j])));
  std::vector<uint32_t> wq(size_t(K) * N), out_scale(N);
  for (uint32_t j = 0; j < N; ++j) {
    const double s = amax[j] > 0 ? amax[j] / 127.0 : 1.0;
    out_scale[j] = float_bits(DType::f32, s * x.fixed_scale);
    for (uint32_t k = 0; k < K; ++k) {
      const double v = std::nearbyint(num::to_double<num::kF32>(bits[size_t(k) * N + j]) / s);
      wq[size_t(k) * N + j] = uint32_t(int32_t(std::clamp(v, -127.0, 127.0))) & 0xFFu;
    }
  }
  const TensorId wt = g.add_const(y + ".wq", DType::i8, {K, N}, std::move(wq), where);
  const TensorId acc = g.add(GraphOp::MatMul, y + ".acc", {x.q, wt}, where);
  const TensorId f = g.add(GraphOp::Cast, y + ".f", {acc}, where, DType::f32);
  const TensorId ws = g.add_const(y + ".ws", DType::f32, {N}, std::move(out_scale), where);
  if (!x.scale) return g.add(GraphOp::Mul, y, {f, ws}, where);
  return g.add(GraphOp::Mul, y, {g.add(GraphOp::Mul, y + ".fs", {f, ws}, where), *x.scale}, where);
}

TensorId f32_matmul(Graph& g, const std::string& y, TensorId x, TensorId w, const Where& where,
                    MatmulPrecision precision) {
  const Tensor& tx = g.tensor(x);
  const Tensor& tw = g.tensor(w);
  if (tx.dtype != isa::DType::f32 || tw.dtype != isa::DType::f32 || tx.shape.size() < 2 || tw.shape.size() < 2 ||
      tx.shape.back() != tw.shape[tw.shape.size() - 2])
    throw Error(
        fmt::format("{}: error: node '{}' (matmul): f32_matmul needs f32 [B..,M,K] x [B..,K,N]", where.str(), y));
  if (precision == MatmulPrecision::Int8 && int8_weight(tw))
    return int8_matmul(g, y, quantise_rows(g, y + ".x", x, where), w, where);
  if (precision != MatmulPrecision::F16Parts)
    return g.add(GraphOp::MatMul, y, {f16_of(g, y + ".x", x, where), f16_of(g, y + ".w", w, where)}, where);
  const Split a = split_f32(g, y + ".x", x, where);
  const Split b = split_f32(g, y + ".w", w, where);
  const TensorId hh = g.add(GraphOp::MatMul, y + ".hh", {a.hi, b.hi}, where);  // batched: expand.cpp
  const std::vector<uint32_t> out_shape = g.tensor(hh).shape;
  const TensorId hl = g.add(GraphOp::MatMul, y + ".hl", {a.hi, b.lo}, where);
  const TensorId lh = g.add(GraphOp::MatMul, y + ".lh", {a.lo, b.hi}, where);
  // The small terms first: their sum is exact-ish before it meets hi.hi.
  const TensorId cross = g.add(GraphOp::Add, y + ".cross", {hl, lh}, where);
  const TensorId unscale = float_fill(g, y + ".unscale", isa::DType::f32, out_shape, 1.0 / kLoScale, where);
  const TensorId cs = g.add(GraphOp::Mul, y + ".crs", {cross, unscale}, where);
  return g.add(GraphOp::Add, y, {hh, cs}, where);
}

TensorId float_sqrt(Graph& g, const std::string& y, TensorId x, const Where& where) {
  const isa::DType t = g.tensor(x).dtype;
  const std::vector<uint32_t> shape = g.tensor(x).shape;
  if (!isa::dtype_desc(t).is_float)
    throw Error(fmt::format("{}: error: node '{}' (sqrt): not supported on {} (float types only)", where.str(), y,
                            isa::dtype_desc(t).name));
  const TensorId zero = float_fill(g, y + ".zero", t, shape, 0.0, where);
  const TensorId a = g.add(GraphOp::Add, y + ".a", {x, zero}, where);
  const TensorId big = float_fill(g, y + ".max", t, shape, largest_finite(t), where);
  const TensorId m = g.add(GraphOp::Min, y + ".m", {a, big}, where);
  const TensorId r = g.add(GraphOp::Rsqrt, y + ".r", {m}, where);
  const TensorId p = g.add(GraphOp::Mul, y + ".p", {a, r}, where);
  return g.add(GraphOp::Sel, y, {a, p, a}, where);
}

}  // namespace tsp::compiler
