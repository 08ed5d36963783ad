#pragma once
// Expansion: composite graph ops rewritten into ops the chip runs, before
// lowering (and before the host reference, which runs the expanded graph, so
// the bit-exact check covers the schedule; the decomposition's accuracy
// against real arithmetic is tested on its own). Row reductions use the MXM:
// a row times a [C, lanes] matrix of ones puts the row's f32 sum in every lane,
// which is then a per-row value broadcast across lanes for MulRow/SubRow.
//   rmsnorm x   = x * rsqrt(sum(x*x)/C + 1e-5)             (no gain)
//   layernorm x = (x - mean) * rsqrt(sum((x-mean)^2)/C + 1e-5)  (no affine)
// Lanes past C are zeroed with SEL before a sum unless known to be zero.
#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

inline constexpr double kNormEpsilon = 1e-5;

Graph expand(const Graph& g, const isa::Config& cfg);

}  // namespace tsp::compiler
