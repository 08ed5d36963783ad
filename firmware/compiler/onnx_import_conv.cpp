// Conv (ONNX) on a run-time input with known weights, im2col-free: the
// input goes to channels-last ([N, spatial..., C], one Transpose), so that
// channels lie on the lanes and the weights of one kernel offset, W[:, :, o]
// as [C, M], stay in the MXM while the view of that offset (a strided Slice
// of leading axes: whole vectors) streams through; the offsets' products are
// summed on the VXM, the bias added, and the result goes back to
// [N, M, spatial...], a BatchNormalization after it folded into its
// weights and bias. Depthwise (group = channels = outputs) and single
// input channel convolutions multiply each view by per-lane weights on the
// VXM instead (docs/compiler.md, "Convolution").
#include <fmt/format.h>

#include <cstring>

#include "firmware/compiler/onnx_import_movement.hpp"
#include "firmware/compiler/onnx_importer.hpp"
#include "firmware/compiler/onnx_window.hpp"

namespace tsp::compiler {
namespace {

using onnx::NodeProto;

int32_t onnx_type_of(isa::DType t) {
  return t == isa::DType::f16    ? onnx::TensorProto::FLOAT16
         : t == isa::DType::bf16 ? onnx::TensorProto::BFLOAT16
                                 : onnx::TensorProto::FLOAT;
}

}  // namespace

TensorId float_constant(Graph& g, const std::string& name, isa::DType dtype, const std::vector<int64_t>& shape,
                        const std::vector<double>& values, const Where& where) {
  HostValue v{onnx_type_of(dtype), shape, {}, {}};
  for (double x : values) v.floats.push_back(round_to_type(v.type, x));
  const ChipData c = chip_data(v, name);
  return g.add_const(name, c.dtype, c.shape, c.bits, where);
}

void import_conv(Importer& im, const NodeProto& n) {
  im.arity(n, 2, 3);
  im.attributes(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  Graph& g = im.graph();
  const TensorId x = im.in(n, 0);
  const Tensor xt = g.tensor(x);  // a copy: adding ops moves the graph's tensors
  const isa::DType dtype = xt.dtype;
  if (!isa::dtype_desc(dtype).is_float)
    im.fail(n, fmt::format("{} input: Conv takes floats (ConvInteger is not supported)", isa::dtype_desc(dtype).name));
  const HostValue* w = im.known(n, 1, true);  // a graph input's data too: the image is compiled for it
  if (!w || !w->is_float()) im.fail(n, "the weights are computed on the chip: they must be known");
  const size_t rank = xt.shape.size();
  if (rank < 3 || w->shape.size() != rank)
    im.fail(n, fmt::format("input {} and weights {}: [N, C, spatial...] and [M, C/group, kernel...] are needed",
                           shape_str(xt.shape), shape_str(w->shape)));
  const int64_t c = xt.shape[1], m = w->shape[0], group = im.int_attr(n, "group", 1);
  const std::vector<int64_t> kernel(w->shape.begin() + 2, w->shape.end());
  if (const auto k = im.ints_attr(n, "kernel_shape"); k && *k != kernel)
    im.fail(n, fmt::format("kernel_shape {} differs from the weights' {}", shape_str(*k), shape_str(kernel)));
  const bool depthwise = group > 1 && group == c && m == c && w->shape[1] == 1;
  if (group != 1 && !depthwise)
    im.fail(n, fmt::format("group {} with {} input and {} output channels: only 1 and depthwise (group = input = "
                           "output channels) are supported",
                           group, c, m));
  if (!depthwise && w->shape[1] != c)
    im.fail(n, fmt::format("weights for {} input channels, the input has {}", w->shape[1], c));
  // One input channel per output lane (depthwise, or a single input channel,
  // whose [.., 1] views broadcast across the lanes): a VXM multiply per
  // offset, no MXM. Otherwise the MXM contracts the channels.
  const bool per_lane = depthwise || c == 1;
  const Window win = window(im, n, xt.shape, kernel, false);
  check_window_cost(im, n, win, uint64_t(xt.shape[0]) * uint64_t(c));
  // A BatchNormalization after the Conv scales each output channel and adds
  // to it: folded into that channel's weights and bias (in double, rounded
  // once), it costs nothing on the chip. Its output is then the Conv's.
  const NodeProto* bn = batch_norm_after(im, n);
  const std::optional<ChannelAffine> fold = bn ? folded_batch_norm(im, *bn, m) : std::nullopt;
  if (!fold) bn = nullptr;
  const std::vector<double> scale = fold ? fold->a : std::vector<double>(size_t(m), 1.0);
  const std::vector<double> shift = fold ? fold->b : std::vector<double>(size_t(m), 0.0);
  const NodeProto& defines = bn ? *bn : n;
  const std::string y = im.out_name(defines);
  const size_t sp = rank - 2;

  // Channels last, padded with zeros on the spatial axes (now 1..sp).
  std::vector<uint32_t> to_last = {0};
  for (uint32_t i = 2; i < rank; ++i) to_last.push_back(i);
  to_last.push_back(1);
  const TensorId last = g.add_transpose(y + ".cl", x, to_last, im.where());
  std::vector<int64_t> pads(2 * rank, 0);
  for (size_t i = 0; i < sp; ++i) {
    pads[1 + i] = win.begin[i];
    pads[rank + 1 + i] = win.end[i];
  }
  const TensorId padded = onnx_pad(g, y + ".pad", last, pads, 0.0, im.where());

  int64_t rows = int64_t(xt.shape[0]), taps = 1;
  for (int64_t o : win.out) rows *= o;
  for (int64_t k : kernel) taps *= k;
  const auto offsets = kernel_offsets(kernel);
  std::optional<TensorId> acc;
  for (size_t k = 0; k < offsets.size(); ++k) {
    const std::vector<int64_t>& o = offsets[k];
    int64_t tap = 0;  // the offset's index within one filter's kernel
    for (size_t i = 0; i < sp; ++i) tap = tap * kernel[i] + o[i];
    const TensorId v = window_view(im, fmt::format("{}.v{}", y, k), padded, win, o, 1);  // [N, out..., C]
    TensorId t;
    if (per_lane) {  // W[j, 0, o] for each output lane j
      std::vector<double> wk(static_cast<size_t>(m));
      for (int64_t j = 0; j < m; ++j) wk[size_t(j)] = w->floats[size_t(j * taps + tap)] * scale[size_t(j)];
      const TensorId wt = float_constant(g, fmt::format("{}.w{}", y, k), dtype, {m}, wk, im.where());
      t = g.add(GraphOp::Mul, fmt::format("{}.p{}", y, k), {v, wt}, im.where());
    } else {
      std::vector<double> wk(static_cast<size_t>(c * m));  // [C, M]: W[:, :, o] transposed
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t f = 0; f < m; ++f)
          wk[size_t(ch * m + f)] = w->floats[size_t((f * c + ch) * taps + tap)] * scale[size_t(f)];
      const TensorId rows_c = onnx_reshape(g, fmt::format("{}.r{}", y, k), v, {rows, c}, false, im.where());
      t = matmul2d(im, n, fmt::format("{}.p{}", y, k), rows_c,
                   float_constant(g, fmt::format("{}.w{}", y, k), dtype, {c, m}, wk, im.where()));
    }
    acc = acc ? g.add(GraphOp::Add, fmt::format("{}.s{}", y, k), {*acc, t}, im.where()) : t;
  }
  const HostValue* b = im.known(n, 2, true);
  if (b && (!b->is_float() || b->size() != uint64_t(m))) im.fail(n, fmt::format("the bias must hold {} floats", m));
  if (!b && Importer::present(n, 2)) im.fail(n, "the bias is computed on the chip: it must be known");
  if (b || bn) {
    std::vector<double> bias(shift);
    for (size_t f = 0; b && f < bias.size(); ++f) bias[f] += b->floats[f] * scale[f];
    acc =
        g.add(GraphOp::Add, y + ".bias", {*acc, float_constant(g, y + ".b", dtype, {m}, bias, im.where())}, im.where());
  }
  std::vector<int64_t> out_last = {int64_t(xt.shape[0])};
  out_last.insert(out_last.end(), win.out.begin(), win.out.end());
  out_last.push_back(m);
  if (!per_lane) acc = onnx_reshape(g, y + ".unrows", *acc, out_last, false, im.where());
  std::vector<uint32_t> to_first = {0, uint32_t(rank - 1)};
  for (uint32_t i = 1; i + 1 < rank; ++i) to_first.push_back(i);
  im.define(defines, g.add_transpose(y, *acc, to_first, im.where()));
  if (bn) im.absorb(*bn);
}

}  // namespace tsp::compiler
