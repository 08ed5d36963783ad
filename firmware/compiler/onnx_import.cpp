#include "firmware/compiler/onnx_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "common/error.hpp"
#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/onnx_import_movement.hpp"
#include "firmware/compiler/onnx_importer.hpp"
#include "firmware/compiler/reference.hpp"

namespace tsp::compiler {

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out;
  for (int64_t d : s) out += fmt::format("{}{}", out.empty() ? "" : ",", d);
  return "[" + out + "]";
}

using TP = onnx::TensorProto;
using onnx::NodeProto;

// --- Importer: attributes, inputs, known values ---

void Importer::fail(const NodeProto& n, const std::string& why) const {
  throw Error(fmt::format("{}: error: node '{}' ({}): {}", src_, node_name(n), n.op_type(), why));
}

void Importer::attributes(const NodeProto& n, std::initializer_list<std::string_view> allowed) const {
  for (const auto& a : n.attribute())
    if (std::find(allowed.begin(), allowed.end(), a.name()) == allowed.end())
      fail(n, fmt::format("attribute '{}' is not supported", a.name()));
}

const onnx::AttributeProto* Importer::attr(const NodeProto& n, std::string_view name) const {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t Importer::int_attr(const NodeProto& n, std::string_view name, int64_t dflt) const {
  const auto* a = attr(n, name);
  if (!a) return dflt;
  if (a->type() != onnx::AttributeProto::INT) fail(n, fmt::format("attribute '{}' must be an int", name));
  return a->i();
}

float Importer::float_attr(const NodeProto& n, std::string_view name, float dflt) const {
  const auto* a = attr(n, name);
  if (!a) return dflt;
  if (a->type() != onnx::AttributeProto::FLOAT) fail(n, fmt::format("attribute '{}' must be a float", name));
  return a->f();
}

std::optional<std::vector<int64_t>> Importer::ints_attr(const NodeProto& n, std::string_view name) const {
  const auto* a = attr(n, name);
  if (!a) return std::nullopt;
  if (a->type() != onnx::AttributeProto::INTS) fail(n, fmt::format("attribute '{}' must be a list of ints", name));
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<TensorId> Importer::input(const NodeProto& n, int i, bool optional) {
  if (!present(n, i)) {
    if (optional) return std::nullopt;
    fail(n, fmt::format("input {} is missing", i));
  }
  if (const auto it = names_.find(n.input(i)); it != names_.end()) return it->second;
  if (const auto k = known_.find(n.input(i)); k != known_.end()) return materialise(&n, n.input(i), k->second);
  fail(n, fmt::format("input '{}' is not defined before this node", n.input(i)));
}

TensorId Importer::materialise(const NodeProto* n, const std::string& name, const Known& k) {
  ChipData c;
  try {
    c = chip_data(k.v, fmt::format("known value '{}'", name));
  } catch (const Error& e) {
    if (n) fail(*n, e.what());
    throw Error(fmt::format("{}: error: graph output {}", src_, e.what()));
  }
  const TensorId t = g_.add_const(k.ident, c.dtype, std::move(c.shape), std::move(c.bits), where());
  names_[name] = t;
  return t;
}

const HostValue* Importer::known(const NodeProto& n, int i, bool data) const {
  if (!present(n, i)) return nullptr;
  if (const auto k = known_.find(n.input(i)); k != known_.end()) return &k->second.v;
  if (const auto d = input_values_.find(n.input(i)); data && d != input_values_.end()) return &d->second;
  return nullptr;
}

std::vector<int64_t> Importer::onnx_shape(const NodeProto& n, int i) const {
  if (!present(n, i)) fail(n, fmt::format("input {} is missing", i));
  if (const auto k = known_.find(n.input(i)); k != known_.end()) return k->second.v.shape;
  if (const auto s = input_shapes_.find(n.input(i)); s != input_shapes_.end()) return s->second;
  const auto it = names_.find(n.input(i));
  if (it == names_.end()) fail(n, fmt::format("input '{}' is not defined before this node", n.input(i)));
  const auto& sh = g_.tensor(it->second).shape;
  return std::vector<int64_t>(sh.begin(), sh.end());
}

void Importer::arity(const NodeProto& n, int min_in, int max_in) const {
  if (n.input_size() < min_in || n.input_size() > max_in)
    fail(n, fmt::format("takes {} to {} inputs, {} given", min_in, max_in, n.input_size()));
  if (n.output_size() != 1) fail(n, fmt::format("{} outputs; one is supported", n.output_size()));
}

void Importer::define_known(const NodeProto& n, HostValue v, int k) {
  if (fold_hook_) fold_hook_(n.op_type(), v);
  known_[output(n, k)] = Known{std::move(v), ident(output(n, k))};
}

std::optional<TensorId> Importer::host_transpose(TensorId t) {
  if (g_.tensor(t).kind != TensorKind::Const || g_.tensor(t).shape.size() != 2) return std::nullopt;
  if (const auto it = transposed_.find(t); it != transposed_.end()) return it->second;
  const Tensor& c = g_.tensor(t);
  const uint32_t R = c.shape[0], C = c.shape[1];
  std::vector<uint32_t> d(c.data.size());
  for (uint32_t r = 0; r < R; ++r)
    for (uint32_t k = 0; k < C; ++k) d[size_t(k) * R + r] = c.data[size_t(r) * C + k];
  const TensorId tt = g_.add_const(c.name + ".T", c.dtype, {C, R}, std::move(d), where());
  transposed_[t] = tt;
  return tt;
}

std::string Importer::ident(const std::string& name) {
  std::string s;
  for (char ch : name) s += std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' ? ch : '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "t_" + s;
  std::string u = s;
  for (int k = 1; used_.count(u); ++k) u = fmt::format("{}_{}", s, k);
  used_.insert(u);
  return u;
}

namespace {

// An error raised while importing a node: keep the why, drop the prefix the
// graph builder put on it (its tensor and op names are internal ones).
std::string why_of(const std::string& m) {
  std::string s = m;
  if (const size_t p = s.find("error: "); p != std::string::npos) s = s.substr(p + 7);
  if (s.rfind("node '", 0) == 0)
    if (const size_t q = s.find("): "); q != std::string::npos) s = s.substr(q + 3);
  return s;
}

// --- the ops ---

void elementwise(Importer& im, const NodeProto& n, GraphOp op, int inputs) {
  im.arity(n, inputs, inputs);
  im.attributes(n, {});
  std::vector<TensorId> ins;
  for (int i = 0; i < inputs; ++i) ins.push_back(im.in(n, i));
  im.define(n, im.graph().add(op, im.out_name(n), ins, im.where()));
}

void identity(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {});
  im.define(n, im.in(n, 0));  // an alias: no chip op
}

// Dropout at inference (no training_mode, or a known false one; opsets 7-11
// have none): the identity, and a mask of ones. Training with a ratio above 0
// draws random numbers: refused by name; with a ratio of 0 it is inference.
void dropout(Importer& im, const NodeProto& n) {
  if (n.input_size() < 1 || n.input_size() > 3)
    im.fail(n, fmt::format("takes 1 to 3 inputs, {} given", n.input_size()));
  if (n.output_size() < 1 || n.output_size() > 2)
    im.fail(n, fmt::format("{} outputs: output and mask are the supported ones", n.output_size()));
  im.attributes(n, {"seed", "ratio"});
  const auto known_scalar = [&](int i, const char* what) {
    const HostValue* v = im.known(n, i, true);
    if (!v || v->size() != 1) im.fail(n, fmt::format("{} must be a known scalar", what));
    return v->is_float() ? v->floats[0] : double(v->ints[0]);
  };
  if (Importer::present(n, 2) && known_scalar(2, "training_mode") != 0) {
    const double ratio = Importer::present(n, 1) ? known_scalar(1, "ratio") : 0.5;
    if (ratio != 0)
      im.fail(n, fmt::format("training_mode with ratio {}: the output would be random (inference, or a ratio of 0, "
                             "is supported)",
                             ratio));
  }
  const TensorId x = im.in(n, 0);
  im.define(n, x);  // an alias: no chip op
  if (n.output_size() > 1 && !n.output(1).empty()) {
    const Tensor xt = im.graph().tensor(x);
    im.define(n,
              im.graph().add_const(im.out_name(n, 1), isa::DType::u8, xt.shape,
                                   std::vector<uint32_t>(size_t(xt.elements()), 1), im.where()),
              1);
  }
}

void sqrt_op(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {});
  im.define(n, float_sqrt(im.graph(), im.out_name(n), im.in(n, 0), im.where()));
}

void sigmoid(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {});
  im.define(n, im.graph().add(GraphOp::Sigmoid, im.out_name(n), {im.in(n, 0)}, im.where()));
}

void cast(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {"to"});
  if (!im.has_attr(n, "to")) im.fail(n, "attribute 'to' is missing");
  const int64_t to = im.int_attr(n, "to", 0);
  const TensorId x = im.in(n, 0);
  const isa::DType from = im.graph().tensor(x).dtype;
  const auto dt = dtype_of_onnx(int32_t(to));
  if (!dt || to == TP::INT64 || to == TP::BOOL)
    im.fail(n, fmt::format("cast to {} is not supported (float, float16, bfloat16, int8, uint8, int16, int32)",
                           onnx_type_name(int32_t(to))));
  if (isa::dtype_desc(from).is_float && !isa::dtype_desc(*dt).is_float)
    im.fail(n, fmt::format("cast from {} to {} is not supported: ONNX truncates toward zero, the chip's CVT rounds "
                           "to nearest even",
                           isa::dtype_desc(from).name, isa::dtype_desc(*dt).name));
  if (*dt == from) return im.define(n, x);  // same type: the identity (a CVT would flush subnormals)
  im.define(n, im.graph().add(GraphOp::Cast, im.out_name(n), {x}, im.where(), *dt));
}

// y = a . b for 2-D a, b: f32 from f16 parts, f16/bf16 on the MXM then rounded back.
}  // namespace

const QuantisedRows& Importer::quantised_rows(TensorId x) {
  if (auto it = quantised_.find(x); it != quantised_.end()) return it->second;
  return quantised_.emplace(x, quantise_rows(g_, g_.tensor(x).name + ".q8", x, where())).first->second;
}

TensorId matmul2d(Importer& im, const NodeProto& n, const std::string& y, TensorId a, TensorId b) {
  Graph& g = im.graph();
  const Tensor &ta = g.tensor(a), &tb = g.tensor(b);
  if (ta.shape.size() < 2 || tb.shape.size() < 2)
    im.fail(n, fmt::format("{} x {}: a 1-D operand (vector MatMul) is not supported yet", shape_str(ta.shape),
                           shape_str(tb.shape)));
  if (ta.shape.back() != tb.shape[tb.shape.size() - 2])
    im.fail(n, fmt::format("shapes {} x {} do not multiply", shape_str(ta.shape), shape_str(tb.shape)));
  if (ta.dtype != tb.dtype)
    im.fail(n, fmt::format("operand types {} and {} differ", isa::dtype_desc(ta.dtype).name,
                           isa::dtype_desc(tb.dtype).name));
  const isa::DType t = ta.dtype;
  if (im.options().matmul == MatmulPrecision::Int8 && t == isa::DType::f32 && int8_weight(tb))
    return int8_matmul(g, y, im.quantised_rows(a), b, im.where());
  if (t == isa::DType::f32) return f32_matmul(g, y, a, b, im.where(), im.options().matmul);
  if (t == isa::DType::f16 || t == isa::DType::bf16) {
    const TensorId acc = g.add(GraphOp::MatMul, y + ".acc", {a, b}, im.where());
    return g.add(GraphOp::Cast, y, {acc}, im.where(), t);
  }
  im.fail(n, fmt::format("{} operands are not supported (float, float16, bfloat16; int8 is MatMulInteger)",
                         isa::dtype_desc(t).name));
}

namespace {

// A BatchNormalization after a Gemm (BatchNorm1d after Linear, as PyTorch
// exports it in eval mode) scales output column j by a[j] and adds b[j]:
// folded, B's column j is scaled by a[j] and C becomes beta C a + b, in
// double and rounded once, when B and C are known and C is a scalar or one
// value per column. The folded node's output is the BatchNormalization's.
struct GemmFold {
  std::vector<int64_t> b_shape;
  std::vector<double> b, c;  // the folded B and C (C one value per column)
  // Both as constants of `dtype` named after the output `y`: {B, C}.
  std::pair<TensorId, TensorId> constants(Importer& im, const std::string& y, isa::DType dtype) const {
    return {float_constant(im.graph(), y + ".B", dtype, b_shape, b, im.where()),
            float_constant(im.graph(), y + ".C", dtype, {int64_t(c.size())}, c, im.where())};
  }
};
std::optional<GemmFold> fold_batch_norm(Importer& im, const NodeProto& n, const NodeProto& bn, float beta) {
  const HostValue* b = im.known(n, 1, true);
  const HostValue* c = Importer::present(n, 2) ? im.known(n, 2, true) : nullptr;
  if (!b || !b->is_float() || b->shape.size() != 2 || (Importer::present(n, 2) && (!c || !c->is_float())))
    return std::nullopt;
  const bool trans_b = im.int_attr(n, "transB", 0) == 1;
  const int64_t k = b->shape[trans_b ? 1 : 0], cols = b->shape[trans_b ? 0 : 1];
  const bool per_column =
      c && c->size() == uint64_t(cols) && (c->shape.size() == 1 || (c->shape.size() == 2 && c->shape[0] == 1));
  if (c && c->size() != 1 && !per_column) return std::nullopt;
  const std::optional<ChannelAffine> f = folded_batch_norm(im, bn, cols);
  if (!f) return std::nullopt;
  std::vector<double> scaled(b->floats);
  for (int64_t r = 0; r < k; ++r)
    for (int64_t j = 0; j < cols; ++j) scaled[size_t(trans_b ? j * k + r : r * cols + j)] *= f->a[size_t(j)];
  std::vector<double> bias(f->b);
  for (size_t j = 0; c && j < bias.size(); ++j) bias[j] += double(beta) * c->floats[c->size() == 1 ? 0 : j] * f->a[j];
  return GemmFold{b->shape, std::move(scaled), std::move(bias)};
}

void matmul(Importer& im, const NodeProto& n) {
  im.arity(n, 2, 2);
  im.attributes(n, {});
  // A BatchNormalization after it folds as after a Gemm (Linear without bias,
  // then BatchNorm1d), when the product is 2-D: only then is its channel
  // axis, 1, the product's column.
  Graph& g = im.graph();
  const TensorId a = im.in(n, 0);
  const NodeProto* bn = g.tensor(a).shape.size() == 2 ? batch_norm_after(im, n) : nullptr;
  const std::optional<GemmFold> fold = bn ? fold_batch_norm(im, n, *bn, 0.0f) : std::nullopt;
  if (!fold) {
    im.define(n, matmul2d(im, n, im.out_name(n), a, im.in(n, 1)));
    return;
  }
  const std::string y = im.out_name(*bn);
  const auto [b, c] = fold->constants(im, y, g.tensor(a).dtype);
  im.define(*bn, g.add(GraphOp::Add, y, {matmul2d(im, n, y + ".ab", a, b), c}, im.where()));
  im.absorb(*bn);
}

void gemm(Importer& im, const NodeProto& n) {
  im.arity(n, 2, 3);
  im.attributes(n, {"alpha", "beta", "transA", "transB"});
  Graph& g = im.graph();
  const float alpha = im.float_attr(n, "alpha", 1.0f);
  float beta = im.float_attr(n, "beta", 1.0f);
  const NodeProto* bn = batch_norm_after(im, n);
  const std::optional<GemmFold> fold = bn ? fold_batch_norm(im, n, *bn, beta) : std::nullopt;
  const NodeProto& defines = fold ? *bn : n;
  const std::string y = im.out_name(defines);
  TensorId a = im.in(n, 0), b;
  std::optional<TensorId> c;
  if (fold) {
    std::tie(b, c) = fold->constants(im, y, g.tensor(a).dtype);
    beta = 1.0f;  // in the folded C
  } else {
    b = im.in(n, 1);
    c = im.input(n, 2, true);
  }
  // A transposed operand: on the host where it is a constant, else on the chip (Transpose).
  for (auto [flag, t] : {std::pair<const char*, TensorId*>{"transA", &a}, {"transB", &b}}) {
    const int64_t v = im.int_attr(n, flag, 0);
    if (v == 0) continue;
    if (v != 1) im.fail(n, fmt::format("{}={} is not 0 or 1", flag, v));
    if (const auto tt = im.host_transpose(*t)) {
      *t = *tt;
    } else {
      if (g.tensor(*t).shape.size() != 2)
        im.fail(n, fmt::format("{}=1 on '{}', which is not 2-D", flag, g.tensor(*t).name));
      *t = g.add_transpose(g.tensor(*t).name + "_T", *t, {1, 0}, im.where());
    }
  }
  const bool bias = c && beta != 0.0f;
  TensorId r = matmul2d(im, n, alpha != 1.0f || bias ? y + ".ab" : y, a, b);
  const isa::DType t = g.tensor(r).dtype;
  const std::vector<uint32_t> shape = g.tensor(r).shape;
  if (alpha != 1.0f)
    r = g.add(GraphOp::Mul, bias ? y + ".alpha" : y, {r, float_fill(g, y + ".alphas", t, shape, alpha, im.where())},
              im.where());
  if (bias) {  // C broadcasts to [M, N] (numpy rules, in the graph)
    TensorId cb = *c;
    if (beta != 1.0f)
      cb = g.add(GraphOp::Mul, y + ".betac", {cb, float_fill(g, y + ".betas", t, g.tensor(*c).shape, beta, im.where())},
                 im.where());
    r = g.add(GraphOp::Add, y, {r, cb}, im.where());
  }
  im.define(defines, r);
  if (fold) im.absorb(*bn);
}

// Softmax: opset 13 normalises along `axis` (default -1); before 13 the input
// was flattened to 2-D at `axis` (default 1), the same where axis is the last.
void softmax(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {"axis"});
  const TensorId x = im.in(n, 0);
  const int64_t rank = int64_t(im.graph().tensor(x).shape.size());
  int64_t axis = im.int_attr(n, "axis", im.opset() >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (im.opset() < 13 && axis != rank - 1)
    im.fail(n, fmt::format("opset {} flattens from axis {} of a rank-{} input (opset 13 semantics or the last axis: "
                           "supported)",
                           im.opset(), axis, rank));
  Attrs at;
  at.axes = {axis};
  im.define(n, im.graph().add(GraphOp::Softmax, im.out_name(n), {x}, im.where(), std::nullopt, at));
}

// ReduceMax/Mean/Sum: axes as an attribute (or, for ReduceSum from opset 13,
// a constant input), keepdims; an empty axes list reduces every axis.
void reduce(Importer& im, const NodeProto& n, GraphOp op) {
  const bool axes_input = op == GraphOp::ReduceSum && im.opset() >= 13;
  im.arity(n, 1, axes_input ? 2 : 1);
  im.attributes(n, axes_input ? std::initializer_list<std::string_view>{"keepdims", "noop_with_empty_axes"}
                              : std::initializer_list<std::string_view>{"axes", "keepdims"});
  Attrs at;
  if (axes_input) {
    if (const auto ax = im.input(n, 1, true)) {
      const Tensor& t = im.graph().tensor(*ax);
      if (t.kind == TensorKind::Value) im.fail(n, "axes computed on the chip: the compiler needs them constant");
      for (uint32_t v : t.data) at.axes.push_back(int32_t(v));
    }
    if (at.axes.empty() && im.int_attr(n, "noop_with_empty_axes", 0))
      return im.define(n, im.in(n, 0));  // reduce nothing: the identity
  } else if (const auto ax = im.ints_attr(n, "axes")) {
    at.axes = *ax;
  }
  at.keepdims = im.int_attr(n, "keepdims", 1) != 0;
  im.define(n, im.graph().add(op, im.out_name(n), {im.in(n, 0)}, im.where(), std::nullopt, at));
}

// Reductions composed of one the chip has (ReduceMax, ReduceSum) and
// elementwise ops, for float inputs: ReduceMin = -ReduceMax(-x) (negation is
// exact), ReduceL1 = ReduceSum(|x|), ReduceSumSquare = ReduceSum(x x),
// ReduceL2 = the square root of that (opsets 7-17: axes an attribute).
enum class Composite { kMin, kL1, kSumSquare, kL2 };
void reduce_composite(Importer& im, const NodeProto& n, Composite what) {
  im.arity(n, 1, 1);
  im.attributes(n, {"axes", "keepdims"});
  Graph& g = im.graph();
  const TensorId x = im.in(n, 0);
  if (!isa::dtype_desc(g.tensor(x).dtype).is_float)
    im.fail(n, fmt::format("{} input: only float inputs are supported", isa::dtype_desc(g.tensor(x).dtype).name));
  Attrs at;
  if (const auto ax = im.ints_attr(n, "axes")) at.axes = *ax;
  at.keepdims = im.int_attr(n, "keepdims", 1) != 0;
  const std::string y = im.out_name(n);
  const auto sum_of = [&](const std::string& name, TensorId v) {
    return g.add(GraphOp::ReduceSum, name, {v}, im.where(), std::nullopt, at);
  };
  TensorId out;
  switch (what) {
    case Composite::kMin:
      out = reduce_min(g, y, x, at, im.where());
      break;
    case Composite::kL1:
      out = sum_of(y, g.add(GraphOp::Abs, y + ".abs", {x}, im.where()));
      break;
    case Composite::kSumSquare:
      out = sum_of(y, g.add(GraphOp::Mul, y + ".sq", {x, x}, im.where()));
      break;
    case Composite::kL2:
      out = float_sqrt(g, y, sum_of(y + ".ss", g.add(GraphOp::Mul, y + ".sq", {x, x}, im.where())), im.where());
      break;
  }
  im.define(n, out);
}

// LayerNormalization (opset 17) over the last axis: Y and the optional Mean
// and InvStdDev outputs are parts of one expansion.
void layer_norm(Importer& im, const NodeProto& n) {
  if (n.input_size() < 2 || n.input_size() > 3)
    im.fail(n, fmt::format("takes 2 to 3 inputs, {} given", n.input_size()));
  if (n.output_size() < 1 || n.output_size() > 3)
    im.fail(n, fmt::format("has 1 to 3 outputs, {} given", n.output_size()));
  im.attributes(n, {"axis", "epsilon", "stash_type"});
  Graph& g = im.graph();
  const TensorId x = im.in(n, 0);
  const std::vector<uint32_t> shape = g.tensor(x).shape;
  const auto rank = int64_t(shape.size());
  int64_t axis = im.int_attr(n, "axis", -1);
  if (axis < -rank || axis >= rank) im.fail(n, fmt::format("axis {} of a rank-{} input", axis, rank));
  if (axis < 0) axis += rank;
  if (im.int_attr(n, "stash_type", 1) != 1) im.fail(n, "stash_type other than 1 (float) is not supported");
  std::vector<TensorId> ins = {x, im.in(n, 1)};
  if (const auto b = im.input(n, 2, true)) ins.push_back(*b);
  // Normalising over several trailing axes is normalising the last axis of
  // [outer, inner]: the input, scale and bias are reshaped to it (a move on
  // the chip where the last dimension changes) and the outputs back.
  const bool flatten = axis != rank - 1;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i) (i < axis ? outer : inner) *= shape[size_t(i)];
  const std::string y0 = im.out_name(n);
  if (flatten) {
    ins[0] = onnx_reshape(g, y0 + ".flat", x, {outer, inner}, false, im.where());
    for (size_t i = 1; i < ins.size(); ++i) {
      if (g.tensor(ins[i]).elements() != uint64_t(inner))
        im.fail(n, fmt::format("{} holds {} values for the {} normalised: only one per normalised element is "
                               "supported",
                               i == 1 ? "the scale" : "the bias", g.tensor(ins[i]).elements(), inner));
      ins[i] = onnx_reshape(g, fmt::format("{}.flat{}", y0, i), ins[i], {inner}, false, im.where());
    }
  }
  Attrs at;
  at.epsilon = im.float_attr(n, "epsilon", 1e-5f);
  for (int k = 0; k < n.output_size(); ++k) {
    if (n.output(k).empty()) continue;  // an optional output not asked for
    at.part = uint8_t(k);
    const std::string y = k == 0 ? y0 : im.out_name(n, k);
    if (!flatten) {
      im.define(n, g.add(GraphOp::LayerNorm, y, ins, im.where(), std::nullopt, at), k);
      continue;
    }
    // Y has the input's shape; Mean and InvStdDev keep the normalised axes as 1.
    std::vector<int64_t> back(shape.begin(), shape.end());
    if (k > 0) std::fill(back.begin() + axis, back.end(), 1);
    const TensorId part = g.add(GraphOp::LayerNorm, y + ".part", ins, im.where(), std::nullopt, at);
    im.define(n, onnx_reshape(g, y, part, back, false, im.where()), k);
  }
}

void matmul_integer(Importer& im, const NodeProto& n) {
  im.arity(n, 2, 4);
  im.attributes(n, {});
  std::vector<TensorId> ins = {im.in(n, 0), im.in(n, 1)};
  const auto za = im.input(n, 2, true), zb = im.input(n, 3, true);
  if (za || zb) {
    // An absent zero point is 0 of its operand's type.
    auto zero = [&](TensorId of) {
      const Tensor& t = im.graph().tensor(of);
      return im.graph().add_const(im.out_name(n) + "_zero", t.dtype, {1}, {0}, im.where());
    };
    ins.push_back(za ? *za : zero(ins[0]));
    if (zb) ins.push_back(*zb);
  }
  im.define(n, im.graph().add(GraphOp::MatMulInteger, im.out_name(n), ins, im.where()));
}

void transpose(Importer& im, const NodeProto& n) {
  im.arity(n, 1, 1);
  im.attributes(n, {"perm"});
  std::vector<uint32_t> perm;
  if (const auto p = im.ints_attr(n, "perm"))
    for (int64_t d : *p) {
      if (d < 0 || d > 64) im.fail(n, fmt::format("perm value {} is out of range", d));
      perm.push_back(uint32_t(d));
    }
  im.define(n, im.graph().add_transpose(im.out_name(n), im.in(n, 0), perm, im.where()));
}

// Gather with int32 (or int64 narrowed) indices; negative indices are an error
// where the indices are known (the graph checks), clamped where computed.
void gather(Importer& im, const NodeProto& n) {
  im.arity(n, 2, 2);
  im.attributes(n, {"axis"});
  const int64_t axis = im.int_attr(n, "axis", 0);
  im.define(n, im.graph().add_gather(im.out_name(n), im.in(n, 0), im.in(n, 1), int32_t(axis), im.where()));
}

// --- data movement (graph builders in onnx_import_movement.cpp) ---

// A known list of ints: input i known at compile time (initializer, Constant, folded, or a data input), or
// nullopt when absent.
std::optional<std::vector<int64_t>> known_ints(Importer& im, const NodeProto& n, int i) {
  if (i >= n.input_size() || n.input(i).empty()) return std::nullopt;
  const HostValue* v = im.known(n, i, true);
  if (!v || v->is_float()) im.fail(n, fmt::format("input {} must be integers known at compile time", i));
  return v->ints;
}

void concat(Importer& im, const NodeProto& n) {
  if (n.input_size() < 1 || n.output_size() != 1) im.fail(n, "takes inputs and has one output");
  im.attributes(n, {"axis"});
  if (!im.has_attr(n, "axis")) im.fail(n, "attribute 'axis' is missing");
  std::vector<TensorId> ins;
  for (int i = 0; i < n.input_size(); ++i) ins.push_back(im.in(n, i));
  im.define(n, onnx_concat(im.graph(), im.out_name(n), ins, im.int_attr(n, "axis", 0), im.where()));
}

// Slice: opset 10+ inputs (starts, ends, axes, steps), opset < 10 attributes.
void slice(Importer& im, const NodeProto& n) {
  const bool attrs = im.opset() < 10;
  im.arity(n, attrs ? 1 : 3, attrs ? 1 : 5);
  im.attributes(n, attrs ? std::initializer_list<std::string_view>{"starts", "ends", "axes"}
                         : std::initializer_list<std::string_view>{});
  auto list = [&](int i, const char* name) -> std::vector<int64_t> {
    const auto v = attrs ? im.ints_attr(n, name) : known_ints(im, n, i);
    return v ? *v : std::vector<int64_t>{};
  };
  im.define(n, onnx_slice(im.graph(), im.out_name(n), im.in(n, 0), list(1, "starts"), list(2, "ends"), list(3, "axes"),
                          list(4, "steps"), im.where()));
}

// Split: sizes from the `split` input (opset 13+) or attribute, or equal parts.
void split(Importer& im, const NodeProto& n) {
  if (n.input_size() < 1 || n.input_size() > 2)
    im.fail(n, fmt::format("takes 1 to 2 inputs, {} given", n.input_size()));
  im.attributes(n, im.opset() >= 13 ? std::initializer_list<std::string_view>{"axis"}
                                    : std::initializer_list<std::string_view>{"axis", "split"});
  std::vector<int64_t> sizes;
  if (const auto v = im.opset() >= 13 ? known_ints(im, n, 1) : im.ints_attr(n, "split")) sizes = *v;
  // At least one output: equal parts divide the dimension by their number
  // (a Split without outputs divided by zero; found by fuzz_onnx).
  std::vector<std::string> names{im.out_name(n, 0)};
  for (int k = 1; k < n.output_size(); ++k) names.push_back(im.out_name(n, k));
  const auto outs = onnx_split(im.graph(), names, im.in(n, 0), im.int_attr(n, "axis", 0), sizes, im.where());
  for (int k = 0; k < n.output_size(); ++k) im.define(n, outs[size_t(k)], k);
}

// Pad, mode constant: pads as an input (opset 11+) or attribute, the value an input of one element.
void pad(Importer& im, const NodeProto& n) {
  const bool attrs = im.opset() < 11;
  im.arity(n, attrs ? 1 : 2, attrs ? 1 : 3);
  im.attributes(n, attrs ? std::initializer_list<std::string_view>{"mode", "pads", "value"}
                         : std::initializer_list<std::string_view>{"mode"});
  for (const auto& a : n.attribute())
    if (a.name() == "mode" && a.s() != "constant")
      im.fail(n, fmt::format("mode '{}' is not supported (constant)", a.s()));
  std::vector<int64_t> pads;
  double value = attrs ? im.float_attr(n, "value", 0.0f) : 0.0;
  if (const auto p = attrs ? im.ints_attr(n, "pads") : known_ints(im, n, 1)) pads = *p;
  if (!attrs)
    if (const auto v = im.input(n, 2, true)) {
      const Tensor& t = im.graph().tensor(*v);
      if (t.kind == TensorKind::Value || t.elements() != 1) im.fail(n, "the constant value must be known");
      const isa::DType dt = t.dtype;
      if (dt == isa::DType::f32) {
        float f;
        std::memcpy(&f, &t.data[0], 4);
        value = f;
      } else if (isa::dtype_desc(dt).is_float) {
        im.fail(n, "a constant value of 16-bit float type: not yet");
      } else {
        value = double(int32_t(t.data[0]));
      }
    }
  im.define(n, onnx_pad(im.graph(), im.out_name(n), im.in(n, 0), pads, value, im.where()));
}

void expand(Importer& im, const NodeProto& n) {
  im.arity(n, 2, 2);
  im.attributes(n, {});
  im.define(n, onnx_expand(im.graph(), im.out_name(n), im.in(n, 0), *known_ints(im, n, 1), im.where()));
}

// Op type -> import function.
const std::map<std::string, ImportFn, std::less<>>& op_table() {
  static const std::map<std::string, ImportFn, std::less<>> table = {
      {"Add", [](Importer& im, const NodeProto& n) { elementwise(im, n, GraphOp::Add, 2); }},
      {"Sub", [](Importer& im, const NodeProto& n) { elementwise(im, n, GraphOp::Sub, 2); }},
      {"Mul", [](Importer& im, const NodeProto& n) { elementwise(im, n, GraphOp::Mul, 2); }},
      {"Relu", [](Importer& im, const NodeProto& n) { elementwise(im, n, GraphOp::Relu, 1); }},
      {"Tanh", [](Importer& im, const NodeProto& n) { elementwise(im, n, GraphOp::Tanh, 1); }},
      {"Exp", [](Importer& im, const NodeProto& n) { elementwise(im, n, GraphOp::Exp, 1); }},
      {"Sqrt", sqrt_op},
      {"Sigmoid", sigmoid},
      {"Cast", cast},
      {"Identity", identity},
      {"Dropout", dropout},
      {"MatMul", matmul},
      {"Gemm", gemm},
      {"Softmax", softmax},
      {"ReduceMax", [](Importer& im, const NodeProto& n) { reduce(im, n, GraphOp::ReduceMax); }},
      {"ReduceMean", [](Importer& im, const NodeProto& n) { reduce(im, n, GraphOp::ReduceMean); }},
      {"ReduceSum", [](Importer& im, const NodeProto& n) { reduce(im, n, GraphOp::ReduceSum); }},
      {"ReduceMin", [](Importer& im, const NodeProto& n) { reduce_composite(im, n, Composite::kMin); }},
      {"ArgMax", [](Importer& im, const NodeProto& n) { import_arg_extreme(im, n, true); }},
      {"ArgMin", [](Importer& im, const NodeProto& n) { import_arg_extreme(im, n, false); }},
      {"Hardmax", import_hardmax},
      {"ReduceL1", [](Importer& im, const NodeProto& n) { reduce_composite(im, n, Composite::kL1); }},
      {"ReduceSumSquare", [](Importer& im, const NodeProto& n) { reduce_composite(im, n, Composite::kSumSquare); }},
      {"ReduceL2", [](Importer& im, const NodeProto& n) { reduce_composite(im, n, Composite::kL2); }},
      {"LayerNormalization", layer_norm},
      {"MatMulInteger", matmul_integer},
      {"Transpose", transpose},
      {"Gather", gather},
      {"Concat", concat},  // onnx_import_movement.cpp
      {"Slice", slice},
      {"Split", split},
      {"Pad", pad},
      {"Expand", expand},
      // onnx_import_elementwise.cpp, onnx_import_reshape.cpp (known inputs fold first: onnx_fold.cpp)
      {"Div", import_div},
      {"Pow", import_pow},
      {"Neg", import_neg},
      {"Abs", import_abs},
      {"Min", [](Importer& im, const NodeProto& n) { import_min_max(im, n, GraphOp::Min); }},
      {"Max", [](Importer& im, const NodeProto& n) { import_min_max(im, n, GraphOp::Max); }},
      {"Clip", import_clip},
      {"Where", import_where},
      {"Equal", import_compare},
      {"Less", import_compare},
      {"Greater", import_compare},
      {"LessOrEqual", import_compare},
      {"GreaterOrEqual", import_compare},
      {"Not", import_logic},
      {"And", import_logic},
      {"Or", import_logic},
      {"Xor", import_logic},
      {"Erf", import_erf},
      {"LeakyRelu", import_leaky_relu},
      {"Reciprocal", import_reciprocal},
      {"Sum", import_sum_mean},
      {"Mean", import_sum_mean},
      {"HardSigmoid", import_hard_sigmoid},
      {"HardSwish", import_hard_swish},
      {"BatchNormalization", import_batch_norm},
      {"Conv", import_conv},  // onnx_import_conv.cpp
      {"LSTM", import_lstm},  // onnx_import_lstm.cpp
      {"Reshape", import_reshape},
      {"MaxPool", import_max_pool},  // onnx_import_pool.cpp
      {"AveragePool", import_average_pool},
      {"GlobalMaxPool", import_global_max_pool},
      {"GlobalAveragePool", import_global_average_pool},
      {"Flatten", import_reshape},
      {"Squeeze", import_reshape},
      {"Unsqueeze", import_reshape},
  };
  return table;
}

}  // namespace

void Importer::check_declared(const onnx::ValueInfoProto& vi, const OnnxTensor& t) const {
  if (!vi.type().has_tensor_type()) throw Error(fmt::format("{}: error: input '{}' is not a tensor", src_, vi.name()));
  const auto& tt = vi.type().tensor_type();
  if (tt.elem_type() != t.onnx_type)
    throw Error(fmt::format("{}: error: input '{}' is declared {} but its data is {}", src_, vi.name(),
                            onnx_type_name(tt.elem_type()), onnx_type_name(t.onnx_type)));
  if (!tt.has_shape()) return;
  bool ok = tt.shape().dim_size() == int(t.shape.size());
  std::string declared;
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto& d = tt.shape().dim(i);
    declared += fmt::format("{}{}", i ? "," : "", d.has_dim_value() ? std::to_string(d.dim_value()) : d.dim_param());
    if (ok && d.has_dim_value()) ok = d.dim_value() == int64_t(t.shape[size_t(i)]);
  }
  if (!ok)
    throw Error(fmt::format("{}: error: input '{}' data has shape {}, declared [{}]", src_, vi.name(),
                            shape_str(t.shape), declared));
}

const NodeProto* Importer::sole_consumer(const std::string& name) const {
  const auto it = uses_.find(name);
  return it != uses_.end() && it->second.count == 1 ? it->second.node : nullptr;
}

OnnxImport Importer::run(const std::vector<OnnxTensor>& data) {
  OnnxImport out;
  for (const auto& op : m_.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") out.opset = op.version();
  if (out.opset == 0) throw Error(fmt::format("{}: error: the model imports no default (ai.onnx) opset", src_));
  if (out.opset < kOnnxMinOpset || out.opset > kOnnxMaxOpset)
    throw Error(fmt::format("{}: error: opset {} is not supported (ai.onnx opsets {} to {})", src_, out.opset,
                            kOnnxMinOpset, kOnnxMaxOpset));
  opset_ = out.opset;
  const onnx::GraphProto& gp = m_.graph();
  if (gp.sparse_initializer_size()) throw Error(fmt::format("{}: error: sparse initializers are not supported", src_));

  // Data inputs: by name when the data tensors are named like inputs, else by position.
  const std::vector<std::string> want = onnx_data_inputs(m_);
  if (data.size() != want.size())
    throw Error(
        fmt::format("{}: error: the model has {} data inputs, {} tensors were given", src_, want.size(), data.size()));
  std::map<std::string, const OnnxTensor*> given;
  const bool by_name = std::all_of(data.begin(), data.end(), [&](const OnnxTensor& t) {
    return std::find(want.begin(), want.end(), t.name) != want.end();
  });
  for (size_t i = 0; i < data.size(); ++i) given[by_name ? data[i].name : want[i]] = &data[i];

  for (const auto& vi : gp.input()) {
    const auto it = given.find(vi.name());
    if (it != given.end()) {
      check_declared(vi, *it->second);
      const OnnxTensor& t = *it->second;
      names_[vi.name()] = g_.add_input(ident(vi.name()), t.dtype, t.shape.empty() ? std::vector<uint32_t>{1} : t.shape,
                                       t.bits, where());
      input_shapes_[vi.name()] = std::vector<int64_t>(t.shape.begin(), t.shape.end());
      // int64 data (shapes, indices, axes: the chip has no int64) is known at
      // compile time too, so that shape arithmetic on it folds; the image is
      // compiled for these values.
      HostValue v;
      v.type = t.onnx_type;
      v.shape = input_shapes_[vi.name()];
      for (uint32_t b : t.bits) {
        if (v.is_float())
          v.floats.push_back(ieee_value(t.dtype, b));
        else
          v.ints.push_back(int64_t(ieee_value(t.dtype, b)));
      }
      if (t.onnx_type == TP::INT64) known_[vi.name()] = Known{v, g_.tensor(names_[vi.name()]).name};
      input_values_[vi.name()] = std::move(v);
    }
  }
  // Initializers are known values: Const tensors where a chip op takes them.
  for (const TP& tp : gp.initializer()) {
    if (names_.count(tp.name())) continue;  // an input with data overrides its default
    known_[tp.name()] = Known{host_value(tp, src_ + ": initializer"), ident(tp.name())};
  }
  for (const NodeProto& n : gp.node())
    for (const std::string& in : n.input()) {
      Uses& u = uses_[in];
      ++u.count;
      u.node = &n;
    }
  for (const auto& vi : gp.output()) ++uses_[vi.name()].count;
  for (const NodeProto& n : gp.node()) {
    if (absorbed_.count(&n)) continue;
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail(n, fmt::format("domain '{}' is not supported (only ai.onnx)", n.domain()));
    try {
      if (fold_node(*this, n)) continue;
      const auto it = op_table().find(n.op_type());
      if (it == op_table().end()) {
        if (foldable_op(n.op_type()))
          for (int i = 0; i < n.input_size(); ++i)
            if (present(n, i) && !known(n, i))
              fail(n, fmt::format("input '{}' is computed on the chip: {} is only evaluated at compile time (on "
                                  "known values) for now",
                                  n.input(i), n.op_type()));
        fail(n, fmt::format("unsupported op '{}'", n.op_type()));
      }
      it->second(*this, n);
    } catch (const Error& e) {
      const std::string m = e.what();
      if (m.find(fmt::format("node '{}' ({})", node_name(n), n.op_type())) != std::string::npos) throw;
      fail(n, why_of(m));
    }
  }
  for (const auto& vi : gp.output()) {
    TensorId t = 0;
    if (const auto it = names_.find(vi.name()); it != names_.end()) {
      t = it->second;
    } else if (const auto k = known_.find(vi.name()); k != known_.end()) {
      t = materialise(nullptr, vi.name(), k->second);  // folded at compile time: a constant output
    } else {
      throw Error(fmt::format("{}: error: graph output '{}' is computed by no node", src_, vi.name()));
    }
    g_.mark_output(t);
    out.outputs.push_back({vi.name(), t});
  }
  out.graph = std::move(g_);
  return out;
}

onnx::ModelProto load_model(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("{}: error: cannot open", path));
  onnx::ModelProto m;
  if (!m.ParseFromIstream(&f)) throw Error(fmt::format("{}: error: not a serialized ONNX model (ModelProto)", path));
  if (!m.has_graph()) throw Error(fmt::format("{}: error: the model has no graph", path));
  return m;
}

std::vector<std::string> onnx_data_inputs(const onnx::ModelProto& m) {
  std::set<std::string> inits;
  for (const TP& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<std::string> out;
  for (const auto& vi : m.graph().input())
    if (!inits.count(vi.name())) out.push_back(vi.name());
  return out;
}

std::vector<OnnxTensor> load_numbered(const std::filesystem::path& set, const std::string& prefix,
                                      const std::vector<int32_t>& declared) {
  std::vector<OnnxTensor> out;
  for (size_t k = 0; std::filesystem::exists(set / fmt::format("{}_{}.pb", prefix, k)); ++k)
    out.push_back(
        load_tensor_file((set / fmt::format("{}_{}.pb", prefix, k)).string(), k < declared.size() ? declared[k] : 0));
  return out;
}

std::vector<int32_t> declared_types(const onnx::ModelProto& m, bool outputs) {
  std::vector<int32_t> out;
  const auto& list = outputs ? m.graph().output() : m.graph().input();
  const std::vector<std::string> data = onnx_data_inputs(m);
  for (const auto& vi : list)
    if (outputs || std::find(data.begin(), data.end(), vi.name()) != data.end())
      out.push_back(vi.type().tensor_type().elem_type());
  return out;
}

OnnxImport import_onnx(const onnx::ModelProto& m, const std::vector<OnnxTensor>& inputs, const std::string& source,
                       const FoldHook& fold_hook, const ImportOptions& options) {
  Importer im(m, source);
  im.set_fold_hook(fold_hook);
  im.set_options(options);
  return im.run(inputs);
}

}  // namespace tsp::compiler
