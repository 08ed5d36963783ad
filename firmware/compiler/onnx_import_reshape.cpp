// Reshape, Flatten, Squeeze and Unsqueeze of a run-time tensor (of known
// values they fold: onnx_fold.cpp): the graph's `reshape`, free where the
// last dimension stays (the same vectors under another shape), an SXM
// vector program where values move across lanes (movement.hpp).
#include <fmt/format.h>

#include "firmware/compiler/onnx_importer.hpp"

namespace tsp::compiler {

void import_reshape(Importer& im, const onnx::NodeProto& n) {
  if (n.output_size() != 1) im.fail(n, fmt::format("{} outputs; one is supported", n.output_size()));
  const std::vector<int64_t> in = im.onnx_shape(n, 0);
  const std::vector<int64_t> want = onnx_reshape_target(im, n, in);
  const TensorId x = im.in(n, 0);
  std::vector<uint32_t> shape;
  for (int64_t d : want) {
    if (d == 0) im.fail(n, fmt::format("result shape {} is empty", shape_str(want)));
    shape.push_back(uint32_t(d));
  }
  if (shape.empty()) shape = {1};  // a scalar is one element
  const std::vector<uint32_t> from = im.graph().tensor(x).shape;
  if (shape == from) return im.define(n, x);  // the same shape: an alias
  Attrs at;
  at.shape = shape;
  im.define(n, im.graph().add(GraphOp::Reshape, im.out_name(n), {x}, im.where(), std::nullopt, at));
}

}  // namespace tsp::compiler
