#pragma once
// Expansion: composite graph ops rewritten into ops the chip runs, before
// lowering (and before the host reference, which runs the expanded graph, so
// the bit-exact check covers the schedule; the decomposition's accuracy
// against real arithmetic is tested on its own, tests/unit/compiler_expand_test.cpp).
//
// Reductions: leading axes fold row vectors elementwise on the VXM (an
// identity-filled accumulator, then one Fold per reduced element, in
// row-major order); the last axis is a lane reduction whose result is held in
// every lane ([..., 1] "splat", which a lane broadcast reads as is):
//   sum  on the MXM: x . ones[C, lanes] (f32 x is split into three bf16
//        parts hi + mid + lo, each exact against ones, summed in f32);
//   max  on the SXM: log2(C) rounds y = max(y, permute(y, (c + s) mod C)),
//        then permute(y, [0]) copies lane 0 into every lane (C <= lanes).
//   mean = sum * (1/n)
// softmax x = e * recip(sum(e)), e = exp(x - max(x)); recip(s) = r + r*(1 - s*r),
//        r = rsqrt(s)^2 (one Newton step: the VXM has no divide; activation.hpp)
// sigmoid, silu, gelu: activation.hpp (exp, tanh and the reciprocal, in f32)
// rmsnorm x [, g]     = x * rsqrt(sum(x*x)/C + eps) [* g]
// layernorm x [, g [, b]] = (x - mean) * rsqrt(sum((x-mean)^2)/C + eps) [* g] [+ b]
// Lanes past C are zeroed with SEL before an MXM sum unless known to be zero.
#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

inline constexpr double kNormEpsilon = 1e-5;

Graph expand(const Graph& g, const isa::Config& cfg);

}  // namespace tsp::compiler
