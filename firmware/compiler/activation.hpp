#pragma once
// Activations the VXM has no instruction for, built from graph ops (EXP, TANH,
// RSQRT and f32 arithmetic): the expansion of the graph ops Sigmoid, Silu and
// Gelu (expand.cpp), the softmax's and the layers' reciprocal. One
// implementation, so the host reference, the layers and ONNX agree bit for bit.
// f16/bf16 inputs are widened to f32 (exact), computed in f32 and rounded once
// at the end. Errors against double: docs/compiler.md, "Expansions".
#include <string>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// 1/s for a float s: r = rsqrt(s)^2, then one Newton step r (2 - s r) (the VXM
// has no divide). Accurate for normal s whose reciprocal is normal; s = inf
// gives NaN (0 x inf): callers clamp. Computed in s's type. Result named y.
TensorId float_recip(Graph& g, const std::string& y, TensorId s, const Where& where);
// 1/s for s of either sign (ONNX's Div and Reciprocal): r0 = rsqrt(|s|)^2,
// the sign by s r0 r0 = 1/s, then the same Newton step. s = +-0 or inf gives NaN.
TensorId float_recip_signed(Graph& g, const std::string& y, TensorId s, const Where& where);

// sigmoid(x) = recip(1 + exp(-xc)), xc = max(x, -88): exp(88) is finite and
// its reciprocal flushes to +0, so sigmoid(-inf) = 0 and sigmoid(+inf) = 1
// exactly, NaN stays NaN, sigmoid(-0) = 0.5.
TensorId float_sigmoid(Graph& g, const std::string& y, TensorId x, const Where& where);

// silu(x) = xc sigmoid(xc), xc = max(x, -88) (silu(-inf) = -0 rather than -inf x 0).
TensorId float_silu(Graph& g, const std::string& y, TensorId x, const Where& where);

// gelu(x) = x Phi(x). tanh: ONNX's approximate="tanh",
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed as x sigmoid(2 v)
// (the same function; 1 + tanh(v) would cancel for x < 0). Otherwise the exact
// 0.5 x (1 + erf(x / sqrt 2)), with Phi from erfc(z) = t exp(-z^2 + P(t)),
// t = 1 / (1 + z/2), P of degree 9 (Numerical Recipes' erfcc, relative error
// < 1.2e-7 for every z >= 0): Phi = q for x < 0 and 1 - q for x >= 0,
// q = erfc(|x| / sqrt 2) / 2, so the negative tail keeps its relative accuracy.
TensorId float_gelu(Graph& g, const std::string& y, TensorId x, bool tanh, const Where& where);

// erf(x) for a float x: |x| >= 0.5 as 1 - erfc(|x|) with GELU's erfcc above
// (|x| clamped at 10, where erf rounds to 1), |x| < 0.5 by its Maclaurin
// series to x^13 (1 - erfc would cancel there); the sign by SEL on x < 0.
TensorId float_erf(Graph& g, const std::string& y, TensorId x, const Where& where);

}  // namespace tsp::compiler
