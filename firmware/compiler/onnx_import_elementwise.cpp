// Elementwise ONNX ops on run-time tensors (of known values they fold:
// onnx_fold.cpp). Where the VXM has an instruction, one graph op; otherwise a
// composition of graph ops, so the host reference covers it bit for bit and
// its error against double is measured (docs/compiler.md, "ONNX").
#include <fmt/format.h>

#include <climits>
#include <cmath>

#include "common/error.hpp"
#include "firmware/compiler/activation.hpp"
#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/onnx_importer.hpp"

namespace tsp::compiler {
namespace {

using onnx::NodeProto;
using TP = onnx::TensorProto;

bool is_float(const Graph& g, TensorId t) { return isa::dtype_desc(g.tensor(t).dtype).is_float; }

// A [1] constant of `dtype` holding `v` (floats rounded to nearest even, integers wrapped).
TensorId scalar(Importer& im, const std::string& name, isa::DType dtype, double v) {
  if (isa::dtype_desc(dtype).is_float) return float_fill(im.graph(), name, dtype, {1}, v, im.where());
  const unsigned bytes = isa::dtype_desc(dtype).bytes;
  const uint32_t mask = bytes == 4 ? 0xFFFFFFFFu : (1u << (8 * bytes)) - 1;
  return im.graph().add_const(name, dtype, {1}, {uint32_t(int64_t(v)) & mask}, im.where());
}

// The integer type of `t`'s width (a SEL's condition must have its operands' width).
isa::DType int_of_width(isa::DType t) {
  switch (isa::dtype_desc(t).bytes) {
    case 1:
      return isa::DType::u8;
    case 2:
      return isa::DType::i16;
    default:
      return isa::DType::i32;
  }
}

// x^n for an integer n >= 1 by squaring and multiplying.
TensorId int_power(Importer& im, const std::string& y, TensorId x, int64_t n) {
  Graph& g = im.graph();
  std::optional<TensorId> r;
  TensorId sq = x;
  for (int step = 0; n; ++step, n >>= 1) {
    if (n & 1) {
      const bool last = (n >> 1) == 0;
      r = r ? g.add(GraphOp::Mul, last ? y : fmt::format("{}.m{}", y, step), {*r, sq}, im.where()) : sq;
    }
    if (n >> 1) sq = g.add(GraphOp::Mul, fmt::format("{}.sq{}", y, step), {sq, sq}, im.where());
  }
  return *r;
}

}  // namespace

// x / y for floats: x * recip(y). A known y: its reciprocal rounded on the host
// (one rounding), so the result is within one ulp; a run-time y:
// float_recip_signed (rsqrt^2 with y's sign and one Newton step), then the multiply.
void import_div(Importer& im, const NodeProto& n) {
  im.arity(n, 2, 2);
  im.attributes(n, {});
  Graph& g = im.graph();
  const TensorId a = im.in(n, 0);
  if (!is_float(g, a))
    im.fail(n, fmt::format("integer division ({}) is not supported: the VXM has no divide, and a float reciprocal "
                           "does not truncate exactly",
                           isa::dtype_desc(g.tensor(a).dtype).name));
  const std::string y = im.out_name(n);
  TensorId r;
  if (const HostValue* b = im.known(n, 1); b && b->is_float()) {
    HostValue rec = *b;
    for (double& v : rec.floats) v = round_to_type(rec.type, 1.0 / v);
    const ChipData c = chip_data(rec, fmt::format("the reciprocal of '{}'", n.input(1)));
    r = g.add_const(y + ".recip", c.dtype, c.shape, c.bits, im.where());
  } else {
    r = float_recip_signed(g, y + ".recip", im.in(n, 1), im.where());
  }
  im.define(n, g.add(GraphOp::Mul, y, {a, r}, im.where()));
}

// x^e for a known exponent e (one value): integers by multiplies, 0.5 sqrt,
// -0.5 rsqrt, negative integers the reciprocal of the power, 0 ones.
void import_pow(Importer& im, const NodeProto& n) {
  im.arity(n, 2, 2);
  im.attributes(n, {});
  const HostValue* e = im.known(n, 1);
  if (!e)
    im.fail(n,
            fmt::format("the exponent '{}' is computed on the chip: only a known exponent is supported", n.input(1)));
  for (uint64_t i = 1; i < e->size(); ++i)
    if (e->value(i) != e->value(0)) im.fail(n, "an exponent that differs per element is not supported");
  if (e->size() == 0) im.fail(n, "the exponent is empty");
  const double p = e->value(0);
  Graph& g = im.graph();
  const TensorId x = im.in(n, 0);
  const std::vector<uint32_t> shape = g.tensor(x).shape;
  {  // the exponent's shape may broadcast x to a larger result
    std::vector<uint32_t> es;
    for (int64_t d : e->shape) es.push_back(uint32_t(d));
    if (!es.empty() && broadcast_shape(shape, es) != shape)
      im.fail(n, fmt::format("the exponent's shape {} broadcasts x {} to a larger shape", shape_str(e->shape),
                             shape_str(shape)));
  }
  const std::string y = im.out_name(n);
  const isa::DType t = g.tensor(x).dtype;
  const bool fl = isa::dtype_desc(t).is_float;
  constexpr double kMaxIntPower = 64;
  if (p == 1) return im.define(n, x);
  if (p == 0) {  // ones of x's shape (also for NaN and 0 bases)
    uint64_t count = 1;
    for (uint32_t d : shape) count *= d;
    const uint32_t one = g.tensor(scalar(im, y + ".one", t, 1)).data[0];
    return im.define(n, g.add_const(y, t, shape, std::vector<uint32_t>(count, one), im.where()));
  }
  if (p == std::floor(p) && p > 0 && p <= kMaxIntPower) return im.define(n, int_power(im, y, x, int64_t(p)));
  if (!fl) im.fail(n, fmt::format("exponent {} of an integer base: only positive integer exponents", p));
  if (p == 0.5) return im.define(n, float_sqrt(g, y, x, im.where()));
  if (p == -0.5) return im.define(n, g.add(GraphOp::Rsqrt, y, {x}, im.where()));
  if (p == std::floor(p) && p < 0 && p >= -kMaxIntPower) {
    const TensorId m = p == -1 ? x : int_power(im, y + ".pow", x, int64_t(-p));
    return im.define(n, float_recip_signed(g, y, m, im.where()));
  }
  im.fail(n, fmt::format("exponent {} is not supported (integers up to {} in magnitude, 0.5, -0.5)", p, kMaxIntPower));
}

void import_neg(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {});
  im.define(n, im.graph().add(GraphOp::Neg, im.out_name(n), {im.in(n, 0)}, im.where()));
}

void import_abs(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {});
  const TensorId x = im.in(n, 0);
  const isa::DType t = im.graph().tensor(x).dtype;
  if (t == isa::DType::u8) return im.define(n, x);  // unsigned: itself
  im.define(n, im.graph().add(GraphOp::Abs, im.out_name(n), {x}, im.where()));
}

// Min and Max of one or more inputs, numpy broadcasting, a chain of VXM MIN/MAX.
void import_min_max(Importer& im, const NodeProto& n, GraphOp op) {
  if (n.input_size() < 1) im.fail(n, "needs at least one input");
  if (n.output_size() != 1) im.fail(n, fmt::format("{} outputs; one is supported", n.output_size()));
  im.attributes(n, {});
  const std::string y = im.out_name(n);
  TensorId r = im.in(n, 0);
  for (int i = 1; i < n.input_size(); ++i)
    r = im.graph().add(op, i + 1 == n.input_size() ? y : fmt::format("{}.{}", y, i), {r, im.in(n, i)}, im.where());
  im.define(n, r);
}

// Clip: min(max(x, lo), hi); bounds as inputs (opset 11+, optional, any known
// or run-time scalar) or attributes (before 11).
void import_clip(Importer& im, const NodeProto& n) {
  Graph& g = im.graph();
  const std::string y = im.out_name(n);
  const TensorId x = im.in(n, 0);
  const isa::DType t = g.tensor(x).dtype;
  std::optional<TensorId> lo, hi;
  if (im.opset() >= 11) {
    im.arity(n, 1, 3);
    im.attributes(n, {});
    lo = im.input(n, 1, true);
    hi = im.input(n, 2, true);
  } else {
    im.arity(n, 1, 1);
    im.attributes(n, {"min", "max"});
    if (im.has_attr(n, "min")) lo = scalar(im, y + ".min", t, im.float_attr(n, "min", 0));
    if (im.has_attr(n, "max")) hi = scalar(im, y + ".max", t, im.float_attr(n, "max", 0));
  }
  TensorId r = x;
  if (lo) r = g.add(GraphOp::Max, hi ? y + ".lo" : y, {r, *lo}, im.where());
  if (hi) r = g.add(GraphOp::Min, y, {r, *hi}, im.where());
  im.define(n, r);
}

// Where(c, a, b): the VXM's SEL, whose condition has its operands' width: a
// bool (u8 0/1) condition is widened by a CVT first for 16- and 32-bit a, b.
void import_where(Importer& im, const NodeProto& n) {
  im.arity(n, 3, 3);
  im.attributes(n, {});
  Graph& g = im.graph();
  const TensorId c = im.in(n, 0), a = im.in(n, 1), b = im.in(n, 2);
  if (g.tensor(c).dtype != isa::DType::u8) im.fail(n, "the condition must be bool");
  const std::string y = im.out_name(n);
  const isa::DType w = int_of_width(g.tensor(a).dtype);
  const TensorId cw = w == isa::DType::u8 ? c : g.add(GraphOp::Cast, y + ".cond", {c}, im.where(), w);
  im.define(n, g.add(GraphOp::Sel, y, {cw, a, b}, im.where()));
}

// Equal, Less, Greater, LessOrEqual, GreaterOrEqual: the VXM's CMPEQ/CMPLT/
// CMPLE (Greater* with the operands swapped) give an all-ones mask of the
// operands' width; SEL of ones and zeros of that width (and a CVT for 16 and
// 32 bits) makes ONNX's bool, u8 0/1.
void import_compare(Importer& im, const NodeProto& n) {
  im.arity(n, 2, 2);
  im.attributes(n, {});
  const std::string& op = n.op_type();
  const bool swap = op == "Greater" || op == "GreaterOrEqual";
  const GraphOp cmp = op == "Equal"                     ? GraphOp::CmpEq
                      : op == "Less" || op == "Greater" ? GraphOp::CmpLt
                                                        : GraphOp::CmpLe;
  Graph& g = im.graph();
  TensorId a = im.in(n, 0), b = im.in(n, 1);
  if (swap) std::swap(a, b);
  const std::string y = im.out_name(n);
  const TensorId mask = g.add(cmp, y + ".mask", {a, b}, im.where());
  const isa::DType w = int_of_width(g.tensor(a).dtype);
  const TensorId one = scalar(im, y + ".one", w, 1), zero = scalar(im, y + ".zero", w, 0);
  if (w == isa::DType::u8) return im.define(n, g.add(GraphOp::Sel, y, {mask, one, zero}, im.where()));
  const TensorId s = g.add(GraphOp::Sel, y + ".sel", {mask, one, zero}, im.where());
  im.define(n, g.add(GraphOp::Cast, y, {s}, im.where(), isa::DType::u8));
}

// Not, And, Or, Xor on bools (u8 0/1): 1 - a, a * b, max(a, b), max - min.
void import_logic(Importer& im, const NodeProto& n) {
  const std::string& op = n.op_type();
  const bool un = op == "Not";
  im.arity(n, un ? 1 : 2, un ? 1 : 2);
  im.attributes(n, {});
  Graph& g = im.graph();
  const std::string y = im.out_name(n);
  const TensorId a = im.in(n, 0);
  if (g.tensor(a).dtype != isa::DType::u8) im.fail(n, "takes bool inputs");
  if (un) return im.define(n, g.add(GraphOp::Sub, y, {scalar(im, y + ".one", isa::DType::u8, 1), a}, im.where()));
  const TensorId b = im.in(n, 1);
  if (op == "And") return im.define(n, g.add(GraphOp::Mul, y, {a, b}, im.where()));
  if (op == "Or") return im.define(n, g.add(GraphOp::Max, y, {a, b}, im.where()));
  const TensorId hi = g.add(GraphOp::Max, y + ".hi", {a, b}, im.where());
  im.define(n, g.add(GraphOp::Sub, y, {hi, g.add(GraphOp::Min, y + ".lo", {a, b}, im.where())}, im.where()));
}

void import_erf(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {});
  im.define(n, float_erf(im.graph(), im.out_name(n), im.in(n, 0), im.where()));
}

// Reciprocal: float_recip_signed (rsqrt^2 with the sign, one Newton step).
void import_reciprocal(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {});
  const TensorId x = im.in(n, 0);
  if (!is_float(im.graph(), x)) im.fail(n, "takes a float input");
  im.define(n, float_recip_signed(im.graph(), im.out_name(n), x, im.where()));
}

// Sum and Mean of one or more inputs: a chain of adds (broadcasting); Mean then times 1/n.
void import_sum_mean(Importer& im, const NodeProto& n) {
  if (n.input_size() < 1) im.fail(n, "needs at least one input");
  if (n.output_size() != 1) im.fail(n, fmt::format("{} outputs; one is supported", n.output_size()));
  im.attributes(n, {});
  Graph& g = im.graph();
  const bool mean = n.op_type() == "Mean";
  const std::string y = im.out_name(n);
  TensorId r = im.in(n, 0);
  for (int i = 1; i < n.input_size(); ++i)
    r = g.add(GraphOp::Add, i + 1 == n.input_size() && !mean ? y : fmt::format("{}.{}", y, i), {r, im.in(n, i)},
              im.where());
  if (mean) {
    if (!is_float(g, r)) im.fail(n, "Mean takes float inputs");
    r = g.add(GraphOp::Mul, y, {r, scalar(im, y + ".inv", g.tensor(r).dtype, 1.0 / n.input_size())}, im.where());
  }
  im.define(n, r);
}

namespace {
// max(0, min(1, alpha x + beta)), named y.
TensorId hard_sigmoid(Importer& im, const NodeProto& n, const std::string& y, TensorId x, double alpha, double beta) {
  Graph& g = im.graph();
  if (!is_float(g, x)) im.fail(n, "takes a float input");
  const isa::DType t = g.tensor(x).dtype;
  const TensorId ax = g.add(GraphOp::Mul, y + ".ax", {x, scalar(im, y + ".alpha", t, alpha)}, im.where());
  const TensorId lin = g.add(GraphOp::Add, y + ".lin", {ax, scalar(im, y + ".beta", t, beta)}, im.where());
  const TensorId hi = g.add(GraphOp::Min, y + ".hi", {lin, scalar(im, y + ".one", t, 1)}, im.where());
  return g.add(GraphOp::Max, y, {hi, scalar(im, y + ".zero", t, 0)}, im.where());
}
}  // namespace

// HardSigmoid: max(0, min(1, alpha x + beta)), four VXM ops.
void import_hard_sigmoid(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {"alpha", "beta"});
  im.define(n, hard_sigmoid(im, n, im.out_name(n), im.in(n, 0), im.float_attr(n, "alpha", 0.2f),
                            im.float_attr(n, "beta", 0.5f)));
}

// HardSwish: x * hardsigmoid(x) with alpha 1/6, beta 1/2 (ONNX's definition).
void import_hard_swish(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {});
  const TensorId x = im.in(n, 0);
  const std::string y = im.out_name(n);
  const TensorId h = hard_sigmoid(im, n, y + ".hs", x, 1.0 / 6, 0.5);
  im.define(n, im.graph().add(GraphOp::Mul, y, {x, h}, im.where()));
}

// LeakyRelu: max(x, alpha x) for alpha <= 1, min(x, alpha x) above (both pick x for x > 0, alpha x below).
void import_leaky_relu(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {"alpha"});
  Graph& g = im.graph();
  const TensorId x = im.in(n, 0);
  if (!is_float(g, x)) im.fail(n, "takes a float input");
  const double alpha = im.float_attr(n, "alpha", 0.01f);
  const std::string y = im.out_name(n);
  const TensorId ax =
      g.add(GraphOp::Mul, y + ".ax", {x, scalar(im, y + ".alpha", g.tensor(x).dtype, alpha)}, im.where());
  im.define(n, g.add(alpha <= 1 ? GraphOp::Max : GraphOp::Min, y, {x, ax}, im.where()));
}

ChannelAffine batch_norm_affine(Importer& im, const NodeProto& n, int64_t channels) {
  im.arity(n, 5, 5);
  im.attributes(n, {"epsilon", "momentum", "training_mode", "spatial", "is_test", "consumed_inputs"});
  if (im.int_attr(n, "training_mode", 0) != 0)
    im.fail(n, "training_mode 1 (batch statistics) is not supported: inference uses the running mean and variance");
  if (im.int_attr(n, "spatial", 1) != 1) im.fail(n, "spatial 0 (statistics per element) is not supported");
  if (n.output_size() > 1)
    im.fail(n, fmt::format("{} outputs: the running statistics are training outputs", n.output_size()));
  const char* names[] = {"scale", "B", "input_mean", "input_var"};
  std::vector<const HostValue*> p;
  for (int i = 1; i <= 4; ++i) {
    const HostValue* v = im.known(n, i, true);  // a graph input's data too: the image is compiled for it
    if (!v || !v->is_float())
      im.fail(n,
              fmt::format("'{}' is computed on the chip: its statistics and parameters must be known", names[i - 1]));
    if (v->size() != uint64_t(channels))
      im.fail(n, fmt::format("'{}' holds {} values for {} channels", names[i - 1], v->size(), channels));
    p.push_back(v);
  }
  const double eps = im.float_attr(n, "epsilon", 1e-5f);
  ChannelAffine f;
  for (int64_t k = 0; k < channels; ++k) {
    f.a.push_back(p[0]->floats[size_t(k)] / std::sqrt(p[3]->floats[size_t(k)] + eps));
    f.b.push_back(p[1]->floats[size_t(k)] - p[2]->floats[size_t(k)] * f.a.back());
  }
  return f;
}

TensorId reduce_min(Graph& g, const std::string& y, TensorId x, const Attrs& at, const Where& where) {
  const TensorId max =
      g.add(GraphOp::ReduceMax, y + ".max", {g.add(GraphOp::Neg, y + ".neg", {x}, where)}, where, std::nullopt, at);
  return g.add(GraphOp::Neg, y, {max}, where);
}

// An i32 constant [1, .., d, .., 1] (d at `axis` of `shape`) holding each
// position's index along the axis, negated with `negate`.
TensorId axis_index(Importer& im, const std::string& name, const std::vector<uint32_t>& shape, int64_t axis,
                    bool negate) {
  std::vector<uint32_t> along(shape.size(), 1), index(shape[size_t(axis)]);
  along[size_t(axis)] = shape[size_t(axis)];
  for (uint32_t k = 0; k < index.size(); ++k) index[k] = negate ? uint32_t(-int64_t(k)) : k;
  return im.graph().add_const(name, isa::DType::i32, along, index, im.where());
}

// The index (i32) of the first (or, `last`, the last) greatest (or least)
// value of 32-bit `x` along `axis` (normalised here), the axis kept or not:
// the extreme along the axis, kept; CMPEQ against it; where it matches, the
// position's index along the axis, else a sentinel; then a ReduceMax: of the
// indices for the last match, of their negations (negated back) for the first.
TensorId arg_extreme(Importer& im, const NodeProto& n, const std::string& y, TensorId x, int64_t axis, bool max,
                     bool last, bool keepdims) {
  Graph& g = im.graph();
  const Tensor xt = g.tensor(x);  // a copy: adding ops moves the graph's tensors
  if (isa::dtype_desc(xt.dtype).bytes != 4)
    im.fail(n, fmt::format("{} input: only 32-bit inputs are supported", isa::dtype_desc(xt.dtype).name));
  const auto rank = int64_t(xt.shape.size());
  if (axis < -rank || axis >= rank) im.fail(n, fmt::format("axis {} of a rank-{} input", axis, rank));
  if (axis < 0) axis += rank;
  Attrs kept;
  kept.axes = {axis};
  kept.keepdims = true;
  const auto reduce_max = [&](const std::string& name, TensorId v, const Attrs& at) {
    return g.add(GraphOp::ReduceMax, name, {v}, im.where(), std::nullopt, at);
  };
  const TensorId extreme = max ? reduce_max(y + ".max", x, kept) : reduce_min(g, y + ".min", x, kept, im.where());
  const TensorId match = g.add(GraphOp::CmpEq, y + ".match", {x, extreme}, im.where());
  const TensorId candidates = axis_index(im, y + ".cands", xt.shape, axis, !last);
  const TensorId none = scalar(im, y + ".none", isa::DType::i32, last ? -1.0 : double(INT32_MIN));
  Attrs at;
  at.axes = {axis};
  at.keepdims = keepdims;
  const TensorId picked = reduce_max(last ? y : y + ".negfirst",
                                     g.add(GraphOp::Sel, y + ".cand", {match, candidates, none}, im.where()), at);
  return last ? picked : g.add(GraphOp::Neg, y, {picked}, im.where());
}

// ArgMax and ArgMin (axis, keepdims, select_last_index) of 32-bit inputs.
// ONNX's int64 result is i32 on the chip.
void import_arg_extreme(Importer& im, const NodeProto& n, bool max) {
  im.arity(n, 1, 1);
  im.attributes(n, {"axis", "keepdims", "select_last_index"});
  im.define(n, arg_extreme(im, n, im.out_name(n), im.in(n, 0), im.int_attr(n, "axis", 0), max,
                           im.int_attr(n, "select_last_index", 0) != 0, im.int_attr(n, "keepdims", 1) != 0));
}

// Hardmax (opset 13: along `axis`, default the last): 1 where the first
// greatest value along the axis is, else 0: CMPEQ of each position's index
// against ArgMax's, kept, and SEL of ones and zeros of the input's type.
void import_hardmax(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {"axis"});
  if (im.opset() < 13) im.fail(n, "opsets below 13 flatten the input to 2-D first: not supported");
  Graph& g = im.graph();
  const TensorId x = im.in(n, 0);
  if (!is_float(g, x)) im.fail(n, "takes a float input");
  const std::string y = im.out_name(n);
  const auto rank = int64_t(g.tensor(x).shape.size());
  int64_t axis = im.int_attr(n, "axis", -1);
  const TensorId first = arg_extreme(im, n, y + ".arg", x, axis, true, false, true);  // checks the axis
  if (axis < 0) axis += rank;
  const TensorId positions = axis_index(im, y + ".index", g.tensor(x).shape, axis, false);
  const TensorId hit = g.add(GraphOp::CmpEq, y + ".hit", {positions, first}, im.where());
  const isa::DType t = g.tensor(x).dtype;
  im.define(n, g.add(GraphOp::Sel, y, {hit, scalar(im, y + ".one", t, 1), scalar(im, y + ".zero", t, 0)}, im.where()));
}

const NodeProto* batch_norm_after(const Importer& im, const NodeProto& n) {
  if (n.output_size() != 1) return nullptr;
  const NodeProto* bn = im.sole_consumer(n.output(0));
  return bn && bn->op_type() == "BatchNormalization" && bn->input_size() > 0 && bn->input(0) == n.output(0) &&
                 (bn->domain().empty() || bn->domain() == "ai.onnx")
             ? bn
             : nullptr;
}

std::optional<ChannelAffine> folded_batch_norm(Importer& im, const NodeProto& bn, int64_t channels) {
  try {
    return batch_norm_affine(im, bn, channels);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// BatchNormalization in inference (running statistics, all known): one
// per-channel affine map (batch_norm_affine) rounded once to x's type, as
// [C, 1, ...] constants that broadcast over N and the spatial axes: two VXM
// ops. After a Conv or Gemm whose output only it takes, that node folds it
// into its weights and bias instead (import_conv, gemm), and this never runs.
void import_batch_norm(Importer& im, const NodeProto& n) {
  im.arity(n, 5, 5);
  Graph& g = im.graph();
  const TensorId x = im.in(n, 0);
  const std::vector<uint32_t> shape = g.tensor(x).shape;
  const isa::DType t = g.tensor(x).dtype;
  if (!isa::dtype_desc(t).is_float) im.fail(n, "an integer input: BatchNormalization takes floats");
  if (shape.size() < 2) im.fail(n, fmt::format("input of rank {}: [N, C, ...] is needed", shape.size()));
  const ChannelAffine f = batch_norm_affine(im, n, shape[1]);
  std::vector<int64_t> per_channel(shape.size() - 1, 1);  // [C, 1, ...]: broadcast over N and the spatial axes
  per_channel[0] = shape[1];
  const std::string y = im.out_name(n);
  const TensorId ta = float_constant(g, y + ".a", t, per_channel, f.a, im.where());
  const TensorId tb = float_constant(g, y + ".b", t, per_channel, f.b, im.where());
  im.define(n, g.add(GraphOp::Add, y, {g.add(GraphOp::Mul, y + ".ax", {x, ta}, im.where()), tb}, im.where()));
}

}  // namespace tsp::compiler
