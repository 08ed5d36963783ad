#pragma once
// Data movement expanded into vector programs (vecop.hpp) and batched MatMuls
// into one MatMul per batch element (docs/compiler.md, "Data movement").
//
// Every movement op is a map from each result element (row r, column c) to
// one element of one input, or to the fill value (Pad). Moving whole vectors
// is addressing; moving values across lanes is the SXM. So each result vector
// is cut into pieces: lane ranges that come from one input vector with one
// shift. When every result vector is one whole unshifted input vector (Concat,
// Slice and Pad-free movement on leading axes) the program is one copy per
// vector through the SXM. Otherwise, stage s shifts piece s of every vector
// (SHIFTUP/SHIFTDN) and merges it by SELECT with a lane mask into what stages
// 0..s-1 built, stage 0 into the fill vector (zero, or Pad's value, in the
// result's lanes; zero past its last column): two SXM ops per stage, as many
// stages as a vector has pieces at most.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// Where result element (row, col) comes from: input `input`'s element
// (row, col) in its rows x last-dimension view, or the fill value (input < 0).
struct MoveSource {
  int32_t input = -1;
  uint32_t row = 0, col = 0;
};
using MoveMap = std::function<MoveSource(uint32_t row, uint32_t col)>;

// The vector program computing a `dtype` tensor of `shape` from `inputs` by `map`; `fill` holds the fill's bits.
TensorId expand_move(Graph& g, const std::vector<TensorId>& inputs, isa::DType dtype, std::vector<uint32_t> shape,
                     const MoveMap& map, uint32_t fill, const std::string& name, const Where& where,
                     const isa::Config& cfg);

TensorId expand_concat(Graph& g, const std::vector<TensorId>& inputs, uint32_t axis, const std::string& name,
                       const Where& where, const isa::Config& cfg);
// attrs as result_slice normalised them (axes, starts, ends, steps clamped).
TensorId expand_slice(Graph& g, TensorId x, const Attrs& attrs, const std::string& name, const Where& where,
                      const isa::Config& cfg);
TensorId expand_pad(Graph& g, TensorId x, const Attrs& attrs, const std::string& name, const Where& where,
                    const isa::Config& cfg);
// A reshape that changes the last dimension: element e of the result is element e of x.
TensorId expand_reshape(Graph& g, TensorId x, std::vector<uint32_t> shape, const std::string& name, const Where& where,
                        const isa::Config& cfg);
// Whether reshaping x to `shape` moves values across lanes (else it is an alias).
bool reshape_moves(const std::vector<uint32_t>& from, const std::vector<uint32_t>& to);

// y = x . w with batch dimensions (numpy broadcasting): a plain MatMul when w
// has no batch and x's rows simply stack, else a BatchMatMul over per-batch
// weights (constants split on the host, computed ones copied on the chip).
TensorId expand_batch_matmul(Graph& g, TensorId x, TensorId w, const std::string& name, const Where& where,
                             const isa::Config& cfg);

}  // namespace tsp::compiler
