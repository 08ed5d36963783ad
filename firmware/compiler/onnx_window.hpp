#pragma once
// The sliding window of ONNX's pooling and convolution ops: kernel, strides,
// dilations, pads (explicit or auto_pad), output size, and the strided view
// of the padded input that one kernel offset sees at every output position
// (onnx_import_pool.cpp, onnx_import_conv.cpp; docs/compiler.md "Pooling").
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

class Importer;

// Per spatial axis, in ONNX's order.
struct Window {
  std::vector<int64_t> in, kernel, stride, dilation, begin, end, out;
  std::vector<int64_t> overhang;  // ceil_mode: padding beyond `end` that no window position counts
};

// The window of node `n` (attributes strides, dilations, pads, auto_pad and,
// where `ceil_allowed`, ceil_mode) over input `shape` [N, C, spatial...] with
// `kernel` cells per spatial axis. Errors name the node.
Window window(Importer& im, const onnx::NodeProto& n, const std::vector<uint32_t>& shape,
              const std::vector<int64_t>& kernel, bool ceil_allowed);
// Every kernel offset (row-major over the spatial axes).
std::vector<std::vector<int64_t>> kernel_offsets(const std::vector<int64_t>& kernel);
// The view of `padded` that kernel offset `o` sees at every output position:
// a strided Slice of the spatial axes, which start at axis `first`.
TensorId window_view(Importer& im, const std::string& name, TensorId padded, const Window& w,
                     const std::vector<int64_t>& o, int64_t first);
// Values the views of all kernel offsets move: refused above kMaxWindowMoves,
// naming the node (such a compile takes minutes).
inline constexpr uint64_t kMaxWindowMoves = uint64_t{1} << 21;
void check_window_cost(Importer& im, const onnx::NodeProto& n, const Window& w, uint64_t rows_per_position);

}  // namespace tsp::compiler
