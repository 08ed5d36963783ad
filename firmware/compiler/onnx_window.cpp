#include "firmware/compiler/onnx_window.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "firmware/compiler/onnx_import_movement.hpp"
#include "firmware/compiler/onnx_importer.hpp"

namespace tsp::compiler {
namespace {

std::vector<int64_t> ints_or(Importer& im, const onnx::NodeProto& n, std::string_view name, size_t size, int64_t dflt) {
  const auto v = im.ints_attr(n, name);
  if (!v) return std::vector<int64_t>(size, dflt);
  if (v->size() != size) im.fail(n, fmt::format("'{}' has {} values for {} spatial axes", name, v->size(), size));
  return *v;
}

}  // namespace

Window window(Importer& im, const onnx::NodeProto& n, const std::vector<uint32_t>& shape,
              const std::vector<int64_t>& kernel, bool ceil_allowed) {
  if (shape.size() < 3) im.fail(n, fmt::format("input of rank {}: [N, C, spatial...] is needed", shape.size()));
  const size_t sp = shape.size() - 2;
  Window w;
  w.in.assign(shape.begin() + 2, shape.end());
  if (kernel.size() != sp) im.fail(n, fmt::format("a kernel of {} axes for {} spatial axes", kernel.size(), sp));
  w.kernel = kernel;
  w.stride = ints_or(im, n, "strides", sp, 1);
  w.dilation = ints_or(im, n, "dilations", sp, 1);
  const auto pads = ints_or(im, n, "pads", 2 * sp, 0);
  w.begin.assign(pads.begin(), pads.begin() + ptrdiff_t(sp));
  w.end.assign(pads.begin() + ptrdiff_t(sp), pads.end());
  const bool ceil_mode = ceil_allowed && im.int_attr(n, "ceil_mode", 0) != 0;
  std::string auto_pad = "NOTSET";
  if (const auto* a = im.attr(n, "auto_pad")) auto_pad = a->s();
  if (auto_pad != "NOTSET" && im.has_attr(n, "pads")) im.fail(n, "'pads' given with auto_pad " + auto_pad);
  for (size_t i = 0; i < sp; ++i) {
    if (w.kernel[i] < 1 || w.stride[i] < 1 || w.dilation[i] < 1 || w.begin[i] < 0 || w.end[i] < 0)
      im.fail(n, fmt::format("spatial axis {}: kernel {}, stride {}, dilation {} and pads {}, {} must be positive", i,
                             w.kernel[i], w.stride[i], w.dilation[i], w.begin[i], w.end[i]));
    const int64_t span = (w.kernel[i] - 1) * w.dilation[i] + 1;  // input cells one window reaches across
    int64_t out = 0;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out = (w.in[i] + w.stride[i] - 1) / w.stride[i];
      const int64_t total = std::max<int64_t>((out - 1) * w.stride[i] + span - w.in[i], 0);
      w.begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.end[i] = total - w.begin[i];
    } else if (auto_pad == "VALID" || auto_pad == "NOTSET") {
      if (auto_pad == "VALID") w.begin[i] = w.end[i] = 0;
      const int64_t room = w.in[i] + w.begin[i] + w.end[i] - span;
      if (room < 0)
        im.fail(n, fmt::format("spatial axis {}: a window of {} cells does not fit {} cells and their padding", i, span,
                               w.in[i]));
      out = (ceil_mode ? (room + w.stride[i] - 1) / w.stride[i] : room / w.stride[i]) + 1;
      // The last window must start inside the input or its leading padding.
      if (ceil_mode && (out - 1) * w.stride[i] >= w.in[i] + w.begin[i]) --out;
    } else {
      im.fail(n, fmt::format("auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", auto_pad));
    }
    w.out.push_back(out);
    w.overhang.push_back(std::max<int64_t>((out - 1) * w.stride[i] + span - (w.in[i] + w.begin[i] + w.end[i]), 0));
  }
  return w;
}

std::vector<std::vector<int64_t>> kernel_offsets(const std::vector<int64_t>& kernel) {
  std::vector<std::vector<int64_t>> all = {{}};
  for (int64_t k : kernel) {
    std::vector<std::vector<int64_t>> next;
    for (const auto& o : all)
      for (int64_t j = 0; j < k; ++j) {
        next.push_back(o);
        next.back().push_back(j);
      }
    all = std::move(next);
  }
  return all;
}

TensorId window_view(Importer& im, const std::string& name, TensorId padded, const Window& w,
                     const std::vector<int64_t>& o, int64_t first) {
  std::vector<int64_t> starts, ends, axes;
  for (size_t i = 0; i < o.size(); ++i) {
    starts.push_back(o[i] * w.dilation[i]);
    ends.push_back(o[i] * w.dilation[i] + (w.out[i] - 1) * w.stride[i] + 1);
    axes.push_back(int64_t(i) + first);
  }
  return onnx_slice(im.graph(), name, padded, starts, ends, axes, w.stride, im.where());
}

void check_window_cost(Importer& im, const onnx::NodeProto& n, const Window& w, uint64_t rows_per_position) {
  uint64_t outputs = rows_per_position, positions = 1;
  for (int64_t o : w.out) outputs *= uint64_t(o);
  for (int64_t k : w.kernel) positions *= uint64_t(k);
  if (positions * outputs > kMaxWindowMoves)
    im.fail(n, fmt::format("{} kernel positions x {} outputs: the views would move {} values, more than the {} "
                           "supported (docs/compiler.md, \"Pooling\")",
                           positions, outputs, positions * outputs, kMaxWindowMoves));
}

}  // namespace tsp::compiler
