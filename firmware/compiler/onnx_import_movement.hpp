#pragma once
// ONNX's data-movement ops on run-time tensors, as graph ops (movement.hpp
// lowers them): Concat, Slice, Split, Pad (constant mode), Expand. The
// importer (onnx_import.cpp) reads the node's attributes and its known
// inputs (starts, ends, pads, shapes: initializers or data given at compile
// time) and calls these; each throws tsp::Error with the reason, which the
// importer puts under the node's name.
#include <optional>
#include <string>
#include <vector>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

TensorId onnx_concat(Graph& g, const std::string& name, const std::vector<TensorId>& inputs, int64_t axis,
                     const Where& where);
// starts/ends (ONNX values: negative count from the end, clamped), axes (empty: 0, 1, ...), steps (empty: 1).
TensorId onnx_slice(Graph& g, const std::string& name, TensorId x, std::vector<int64_t> starts,
                    std::vector<int64_t> ends, std::vector<int64_t> axes, std::vector<int64_t> steps,
                    const Where& where);
// `parts` outputs along `axis`: sizes from `split`, or equal parts (the last one smaller when it does not divide).
std::vector<TensorId> onnx_split(Graph& g, const std::vector<std::string>& names, TensorId x, int64_t axis,
                                 const std::vector<int64_t>& split, const Where& where);
// pads as ONNX orders them (begins, then ends; negative: cropping, not supported), constant `value`.
TensorId onnx_pad(Graph& g, const std::string& name, TensorId x, const std::vector<int64_t>& pads, double value,
                  const Where& where);
// x broadcast to `shape` (numpy rules both ways, as ONNX Expand).
TensorId onnx_expand(Graph& g, const std::string& name, TensorId x, const std::vector<int64_t>& shape,
                     const Where& where);

// Reshape to `shape` (ONNX: 0 copies x's dimension unless allowzero, one -1 is inferred): the graph's
// reshape, free when the last dimension stays, else a vector program moving values across lanes.
TensorId onnx_reshape(Graph& g, const std::string& name, TensorId x, const std::vector<int64_t>& shape, bool allowzero,
                      const Where& where);
// Flatten at `axis` (negative counts from the end): [prod(dims < axis), prod(dims >= axis)].
TensorId onnx_flatten(Graph& g, const std::string& name, TensorId x, int64_t axis, const Where& where);

}  // namespace tsp::compiler
