#pragma once
// Ops the chip has no instruction for, composed from graph ops when the graph
// is built (front ends call these). The host reference runs the same graph
// ops, so the bit-exact check covers the composition; how close the result is
// to the mathematical op is measured separately (docs/compiler.md, "ONNX").
#include <optional>
#include <string>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// How a float32 MatMul runs on the MXM, which multiplies f16/bf16 or int8 only
// (ImportOptions::matmul; docs/compiler.md, "ONNX").
enum class MatmulPrecision : uint8_t {
  F16Parts,     // each operand split into f16 parts, three MXM passes, about 22 bits (the default)
  F16Products,  // f16 x f16 products summed in f32, one pass: the precision the published systems imply
  Int8,         // W8A8 for a constant weight (int8_matmul below); a computed one takes f16 products
};

// y = x . w for f32 x[M,K] and w[K,N], on the f16-only MXM: each operand is split
// on the VXM into hi = f16(x) and lo = f16((x - hi) * 2^11), and
// y = hi.hi + (hi.lo + lo.hi) * 2^-11 (three f16 MatMuls into f32, two adds).
// About 22 significant bits per operand for |x| in [2^-14, 65504]; smaller
// magnitudes keep 11 bits (lo alone), |x| >= 65520 overflows to inf.
// With F16Products: y = f16(x) . f16(w), one f16 MatMul into f32. With Int8
// and a constant 2-D w: quantise_rows(x) then int8_matmul.
TensorId f32_matmul(Graph& g, const std::string& y, TensorId x, TensorId w, const Where& where,
                    MatmulPrecision precision = MatmulPrecision::F16Parts);

// x's rows (f32, last axis) as int8 on the chip, symmetric: q = i8(x * 127 / m)
// (the VXM's cast rounds to nearest even and saturates), x ~= q * m / 127.
// Without `bound`, m is each row's max |x| (at least 1e-30), found on the chip:
// abs, a lane max, and 1/m as rsqrt(m)^2 (the VXM has no divide), so `scale`
// is the [.., 1] tensor m / 127. With `bound` (every |x| <= bound, known from
// the op: an LSTM's h is o * tanh(c)), m = bound and there is no scale tensor:
// one multiply and the cast, and `fixed_scale` is bound / 127.
struct QuantisedRows {
  TensorId q;
  std::optional<TensorId> scale;
  double fixed_scale = 0;
};
QuantisedRows quantise_rows(Graph& g, const std::string& p, TensorId x, const Where& where,
                            std::optional<double> bound = std::nullopt);

// y ~= x . w, W8A8: the constant f32 w[K, N] quantised on the host per output
// column (wq = round(w / s_j), s_j = max_k |w[k, j]| / 127, in double), the
// MXM's int8 products summed exactly in i32, then y = f32(acc) * (s_j x the
// fixed scale) [* the rows' scale]: two or three VXM ops after the MatMul.
TensorId int8_matmul(Graph& g, const std::string& y, const QuantisedRows& x, TensorId w, const Where& where);
// Whether int8_matmul takes `w`: a constant f32 [K, N].
bool int8_weight(const Tensor& w);

// sqrt(x) for a float x, from RSQRT: a = x + 0 (turns -0 and flushed
// subnormals into +0), y = a * rsqrt(min(a, largest finite)), and
// sel(a, y, a) returns +0 where a is +0 (there rsqrt is inf and 0 x inf NaN).
// sqrt(+inf) = +inf, negative inputs give NaN.
TensorId float_sqrt(Graph& g, const std::string& y, TensorId x, const Where& where);

// A constant of `shape` with every element `value` rounded to `dtype` (a float type).
TensorId float_fill(Graph& g, const std::string& name, isa::DType dtype, const std::vector<uint32_t>& shape,
                    double value, const Where& where);

}  // namespace tsp::compiler
