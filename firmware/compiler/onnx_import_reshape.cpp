// Reshape, Flatten, Squeeze and Unsqueeze of a run-time tensor (of known
// values they fold: onnx_fold.cpp): the graph's `reshape`, free where the
// last dimension stays (the same vectors under another shape). One that
// would move values across lanes is an error naming the node for now.
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
  uint64_t rows_from = 1, rows_to = 1;
  for (size_t k = 0; k + 1 < from.size(); ++k) rows_from *= from[k];
  for (size_t k = 0; k + 1 < shape.size(); ++k) rows_to *= shape[k];
  if (from.back() != shape.back() && !(rows_from == 1 && rows_to == 1))
    im.fail(n, fmt::format("{} -> {} changes the last dimension: values would move across lanes (not yet)",
                           shape_str(from), shape_str(shape)));
  if (shape == from) return im.define(n, x);  // the same shape: an alias
  Attrs at;
  at.shape = shape;
  im.define(n, im.graph().add(GraphOp::Reshape, im.out_name(n), {x}, im.where(), std::nullopt, at));
}

}  // namespace tsp::compiler
