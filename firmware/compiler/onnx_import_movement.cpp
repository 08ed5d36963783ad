#include "firmware/compiler/onnx_import_movement.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace tsp::compiler {

TensorId onnx_concat(Graph& g, const std::string& name, const std::vector<TensorId>& inputs, int64_t axis,
                     const Where& where) {
  if (inputs.size() == 1) return inputs[0];  // nothing to join
  Attrs a;
  a.axes = {axis};
  return g.add(GraphOp::Concat, name, inputs, where, std::nullopt, std::move(a));
}

TensorId onnx_slice(Graph& g, const std::string& name, TensorId x, std::vector<int64_t> starts,
                    std::vector<int64_t> ends, std::vector<int64_t> axes, std::vector<int64_t> steps,
                    const Where& where) {
  Attrs a;
  a.starts = std::move(starts);
  a.ends = std::move(ends);
  a.axes = std::move(axes);
  a.steps = std::move(steps);
  // Out-of-range values (ONNX uses INT64_MAX for "to the end") clamp like any other.
  return g.add(GraphOp::Slice, name, {x}, where, std::nullopt, std::move(a));
}

std::vector<TensorId> onnx_split(Graph& g, const std::vector<std::string>& names, TensorId x, int64_t axis,
                                 const std::vector<int64_t>& split, const Where& where) {
  if (names.empty()) throw Error("a split needs at least one output");
  const auto& shape = g.tensor(x).shape;
  const int64_t rank = int64_t(shape.size());
  if (axis < -rank || axis >= rank) throw Error(fmt::format("axis {} is out of range for rank {}", axis, rank));
  if (axis < 0) axis += rank;
  const int64_t dim = shape[size_t(axis)], parts = int64_t(names.size());
  std::vector<int64_t> sizes = split;
  if (sizes.empty()) {  // equal parts; the last one smaller (opset 18) when they do not divide
    const int64_t each = (dim + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i) sizes.push_back(std::min(each, dim - i * each));
  }
  int64_t total = 0;
  for (int64_t s : sizes) total += s;
  if (int64_t(sizes.size()) != parts || total != dim)
    throw Error(fmt::format("split sizes do not cover dimension {} ({}) in {} outputs", axis, dim, parts));
  std::vector<TensorId> out;
  int64_t at = 0;
  for (int64_t i = 0; i < parts; ++i) {
    if (sizes[size_t(i)] <= 0) throw Error(fmt::format("output {} is empty (empty tensors are not supported)", i));
    if (sizes[size_t(i)] == dim) {
      out.push_back(x);
      continue;
    }
    out.push_back(onnx_slice(g, names[size_t(i)], x, {at}, {at + sizes[size_t(i)]}, {axis}, {1}, where));
    at += sizes[size_t(i)];
  }
  return out;
}

TensorId onnx_pad(Graph& g, const std::string& name, TensorId x, const std::vector<int64_t>& pads, double value,
                  const Where& where) {
  bool any = false;
  for (int64_t p : pads) any = any || p != 0;
  if (!any && pads.size() == 2 * g.tensor(x).shape.size()) return x;
  Attrs a;
  a.pads = pads;
  a.value = value;
  return g.add(GraphOp::Pad, name, {x}, where, std::nullopt, std::move(a));
}

TensorId onnx_expand(Graph& g, const std::string& name, TensorId x, const std::vector<int64_t>& shape,
                     const Where& where) {
  const Tensor& t = g.tensor(x);
  std::vector<uint32_t> s;
  for (int64_t d : shape) {
    if (d <= 0 || d > (int64_t(1) << 24)) throw Error(fmt::format("shape value {} is not supported", d));
    s.push_back(uint32_t(d));
  }
  const auto out = broadcast_shape(t.shape, s);
  if (!out) throw Error(fmt::format("cannot broadcast to the shape given"));
  if (*out == t.shape) return x;
  // sel(c, x, x) with c != 0 of the dimensions x is broadcast along: the VXM
  // reads x with the broadcast's strides and writes every element (exact bits).
  std::vector<uint32_t> cs(out->size(), 1);
  uint64_t n = 1;
  for (size_t i = 0; i < out->size(); ++i) {
    const size_t back = out->size() - 1 - i;
    const uint32_t xd = i < t.shape.size() ? t.shape[t.shape.size() - 1 - i] : 1;
    if (xd == 1) cs[back] = (*out)[back];
    n *= cs[back];
  }
  const unsigned bytes = isa::dtype_desc(t.dtype).bytes;
  const isa::DType ct = bytes == 1 ? isa::DType::u8 : bytes == 2 ? isa::DType::i16 : isa::DType::i32;
  const TensorId c = g.add_const(name + ".ones", ct, cs, std::vector<uint32_t>(n, 1), where);
  return g.add(GraphOp::Sel, name, {c, x, x}, where);
}

TensorId onnx_reshape(Graph& g, const std::string& name, TensorId x, const std::vector<int64_t>& shape, bool allowzero,
                      const Where& where) {
  const std::vector<uint32_t> xs = g.tensor(x).shape;
  const uint64_t n = g.tensor(x).elements();
  std::vector<uint32_t> out;
  uint64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t d = shape[i];
    if (d == 0 && !allowzero) {
      if (i >= xs.size()) throw Error(fmt::format("shape value 0 at {} copies no dimension of the input", i));
      d = xs[i];
    }
    if (d == -1) {
      if (infer >= 0) throw Error("more than one -1 in the shape");
      infer = int(i);
      out.push_back(1);
      continue;
    }
    if (d <= 0 || d > (int64_t(1) << 31)) throw Error(fmt::format("shape value {} is not supported", d));
    out.push_back(uint32_t(d));
    known *= uint64_t(d);
  }
  if (infer >= 0) {
    if (known == 0 || n % known) throw Error("the -1 dimension cannot be inferred");
    out[size_t(infer)] = uint32_t(n / known);
  }
  if (out.empty()) out.push_back(1);  // a scalar
  if (out == xs) return x;
  Attrs a;
  a.shape = out;
  return g.add(GraphOp::Reshape, name, {x}, where, std::nullopt, std::move(a));
}

TensorId onnx_flatten(Graph& g, const std::string& name, TensorId x, int64_t axis, const Where& where) {
  const std::vector<uint32_t> xs = g.tensor(x).shape;
  const int64_t rank = int64_t(xs.size());
  if (axis < -rank || axis > rank) throw Error(fmt::format("axis {} is out of range for rank {}", axis, rank));
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= xs[size_t(d)];
  return onnx_reshape(g, name, x, {outer, inner}, false, where);
}

}  // namespace tsp::compiler
