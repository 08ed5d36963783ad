#pragma once
// Ops the chip has no instruction for, composed from graph ops when the graph
// is built (front ends call these). The host reference runs the same graph
// ops, so the bit-exact check covers the composition; how close the result is
// to the mathematical op is measured separately (docs/compiler.md, "ONNX").
#include <string>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// y = x . w for f32 x[M,K] and w[K,N], on the f16-only MXM: each operand is split
// on the VXM into hi = f16(x) and lo = f16((x - hi) * 2^11), and
// y = hi.hi + (hi.lo + lo.hi) * 2^-11 (three f16 MatMuls into f32, two adds).
// About 22 significant bits per operand for |x| in [2^-14, 65504]; smaller
// magnitudes keep 11 bits (lo alone), |x| >= 65520 overflows to inf.
// With `f16_products` (the precision the published systems run at, ONNX import
// option ImportOptions::f16_matmul): y = f16(x) . f16(w), one f16 MatMul into f32.
TensorId f32_matmul(Graph& g, const std::string& y, TensorId x, TensorId w, const Where& where,
                    bool f16_products = false);

// sqrt(x) for a float x, from RSQRT: a = x + 0 (turns -0 and flushed
// subnormals into +0), y = a * rsqrt(min(a, largest finite)), and
// sel(a, y, a) returns +0 where a is +0 (there rsqrt is inf and 0 x inf NaN).
// sqrt(+inf) = +inf, negative inputs give NaN.
TensorId float_sqrt(Graph& g, const std::string& y, TensorId x, const Where& where);

// A constant of `shape` with every element `value` rounded to `dtype` (a float type).
TensorId float_fill(Graph& g, const std::string& name, isa::DType dtype, const std::vector<uint32_t>& shape,
                    double value, const Where& where);

}  // namespace tsp::compiler
