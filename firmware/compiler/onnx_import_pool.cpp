// Pooling (MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool) on
// run-time tensors. A window of k_1 x ... x k_n is the elementwise MAX (or
// sum) of k_1 x ... x k_n strided views of the padded input, one per kernel
// offset: each view is a Slice with the pool's strides (movement.hpp moves
// it, across lanes by the SXM where the last axis is strided), the combining
// ops run on the VXM. No im2col tensor is built: each view is the output's
// size. An average multiplies the sum by 1/count, rounded once on the host,
// per output position where padding or a ceil_mode overhang make counts differ
// (docs/compiler.md, "Pooling").
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/onnx_import_movement.hpp"
#include "firmware/compiler/onnx_importer.hpp"
#include "firmware/compiler/onnx_window.hpp"

namespace tsp::compiler {
namespace {

using onnx::NodeProto;

// Per output position, 1 / the cells its window counts: inside the input, or
// also in the explicit padding (count_include_pad), never in a ceil_mode
// overhang. Empty when every window counts the same (then a scalar).
std::vector<double> reciprocal_counts(const Window& p, bool include_pad) {
  std::vector<double> out;
  bool uniform = true;
  std::vector<int64_t> pos(p.out.size(), 0);
  for (bool more = true; more;) {
    double count = 1;
    for (size_t i = 0; i < pos.size(); ++i) {
      const int64_t lo = include_pad ? -p.begin[i] : 0;
      const int64_t hi = include_pad ? p.in[i] + p.end[i] : p.in[i];  // exclusive, in input coordinates
      int64_t cells = 0;
      for (int64_t j = 0; j < p.kernel[i]; ++j) {
        const int64_t at = pos[i] * p.stride[i] - p.begin[i] + j * p.dilation[i];
        cells += at >= lo && at < hi;
      }
      count *= double(cells);
    }
    out.push_back(1.0 / count);
    uniform = uniform && out.back() == out.front();
    more = false;
    for (size_t i = pos.size(); i-- > 0;) {
      if (++pos[i] < p.out[i]) {
        more = true;
        break;
      }
      pos[i] = 0;
    }
  }
  if (uniform) out.resize(1);
  return out;
}

void pool(Importer& im, const NodeProto& n, bool average) {
  im.arity(n, 1, 1);
  if (average) {
    im.attributes(n, {"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"});
  } else {
    im.attributes(n, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
    if (n.output_size() > 1 && !n.output(1).empty())
      im.fail(n, "the Indices output is not supported (the values only)");
  }
  Graph& g = im.graph();
  const TensorId x = im.in(n, 0);
  const Tensor t = g.tensor(x);  // a copy: adding ops moves the graph's tensors
  const isa::DType dtype = t.dtype;
  const bool fl = isa::dtype_desc(dtype).is_float;
  if (average && !fl) im.fail(n, fmt::format("{} input: AveragePool takes floats", isa::dtype_desc(dtype).name));
  const auto kernel = im.ints_attr(n, "kernel_shape");
  if (!kernel) im.fail(n, "attribute 'kernel_shape' is missing");
  const Window p = window(im, n, t.shape, *kernel, true);
  const std::string y = im.out_name(n);
  // Padding a max never picks (-inf, or the type's least value) and a sum never sees (0).
  std::vector<int64_t> pads(2 * t.shape.size(), 0);
  for (size_t i = 0; i < p.in.size(); ++i) {
    pads[i + 2] = p.begin[i];
    pads[t.shape.size() + i + 2] = p.end[i] + p.overhang[i];
  }
  double fill = 0;
  if (!average) {
    const unsigned bits = 8 * isa::dtype_desc(dtype).bytes;
    fill = fl                                 ? -std::numeric_limits<double>::infinity()
           : isa::dtype_desc(dtype).is_signed ? -std::ldexp(1.0, int(bits) - 1)
                                              : 0.0;
  }
  check_window_cost(im, n, p, uint64_t(t.shape[0]) * t.shape[1]);
  const auto all = kernel_offsets(p.kernel);
  const TensorId padded = onnx_pad(g, y + ".pad", x, pads, fill, im.where());
  std::optional<TensorId> acc;
  for (size_t k = 0; k < all.size(); ++k) {
    const TensorId v = window_view(im, fmt::format("{}.w{}", y, k), padded, p, all[k], 2);
    const bool last = k + 1 == all.size();
    const std::string name = last && !average ? y : fmt::format("{}.{}{}", y, average ? "sum" : "max", k);
    acc = acc ? g.add(average ? GraphOp::Add : GraphOp::Max, name, {*acc, v}, im.where()) : v;
  }
  if (!average) return im.define(n, *acc);
  const std::vector<double> rec = reciprocal_counts(p, im.int_attr(n, "count_include_pad", 0) != 0);
  std::vector<int64_t> shape(t.shape.size(), 1);
  if (rec.size() > 1)
    for (size_t i = 0; i < p.out.size(); ++i) shape[i + 2] = p.out[i];
  const TensorId scale = float_constant(g, y + ".recip", dtype, shape, rec, im.where());  // one rounding on the host
  im.define(n, g.add(GraphOp::Mul, y, {*acc, scale}, im.where()));
}

// GlobalMaxPool / GlobalAveragePool: a reduction over every spatial axis, kept.
void global_pool(Importer& im, const NodeProto& n, GraphOp op) {
  im.arity(n, 1, 1);
  im.attributes(n, {});
  const TensorId x = im.in(n, 0);
  const size_t rank = im.graph().tensor(x).shape.size();
  if (rank < 3) im.fail(n, fmt::format("input of rank {}: pooling needs [N, C, spatial...]", rank));
  Attrs at;
  for (size_t i = 2; i < rank; ++i) at.axes.push_back(int64_t(i));
  at.keepdims = true;
  im.define(n, im.graph().add(op, im.out_name(n), {x}, im.where(), std::nullopt, at));
}

}  // namespace

void import_max_pool(Importer& im, const NodeProto& n) { pool(im, n, false); }
void import_average_pool(Importer& im, const NodeProto& n) { pool(im, n, true); }
void import_global_max_pool(Importer& im, const NodeProto& n) { global_pool(im, n, GraphOp::ReduceMax); }
void import_global_average_pool(Importer& im, const NodeProto& n) { global_pool(im, n, GraphOp::ReduceMean); }

}  // namespace tsp::compiler
