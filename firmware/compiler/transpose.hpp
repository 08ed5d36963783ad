#pragma once
// Transpose expanded into vector programs (vecop.hpp), exact for any element
// type, rank and shape. Rank N reduces to 2-D: when the last dimension stays
// last, every output vector is an input vector (a copy through the SXM that
// only renumbers vectors); otherwise, for each index of the dimensions that
// are neither x's last (C columns) nor the one that becomes the output's last
// (R rows), one R x C -> C x R transpose whose rows sit at strided vectors.
// A 2-D transpose works on K x K tiles, K the power of two >= max(R, C),
// capped by the largest power of two dividing the lane count (64 of tsp1's
// 320 lanes, 32 on mini), so tiles never straddle a vector's end:
//  1. log2 K butterfly stages on each group of K vectors: stage k swaps the
//     off-diagonal k x k blocks of every 2k x 2k block (partner vector v ^ k
//     shifted up or down k lanes by the SXM, then SELECT by a lane mask);
//     every tile of every vector is transposed in place at once;
//  2. tile a of an output vector comes from tile t of a vector of row group
//     g: shifted (a - t) K lanes and merged by SELECT with tile a's mask
//     (when that only renumbers vectors, the last stage of 1. writes the result).
// Each step is one SXM op per vector and byte plane; masks are constants. The
// groups run in parts on separate slices, side by side; a last SELECT zeroes
// padding lanes, so results can be MatMul operands. docs/compiler.md has the costs.
#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// Adds to `out` the nodes computing transpose(x, perm) (perm complete, as
// Graph::add_transpose stores it) and returns the result, named `name`.
TensorId expand_transpose(Graph& out, TensorId x, const std::vector<uint32_t>& perm, const std::string& name,
                          const Where& where, const isa::Config& cfg);

}  // namespace tsp::compiler
