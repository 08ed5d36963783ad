// Compile-time evaluation in the ONNX importer (docs/compiler.md, "ONNX",
// "Folding"): a node whose inputs are all known (initializers, Constant,
// folded results; Shape of any tensor, since shapes are static) is evaluated
// here on the host with ONNX's semantics and its output becomes a known value.
// PyTorch exports are full of shape arithmetic on int64 (Shape, Gather,
// Unsqueeze, Concat, Equal, Where, Expand, ConstantOfShape, ...) that must
// vanish before the chip sees the graph. One table: op type -> evaluation.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "common/error.hpp"
#include "firmware/compiler/onnx_importer.hpp"
#include "firmware/compiler/onnx_tensor.hpp"

namespace tsp::compiler {
namespace {

using TP = onnx::TensorProto;
using onnx::NodeProto;
using Shape = std::vector<int64_t>;

// Folded tensors are host arrays: a bound keeps a malformed shape from asking for gigabytes.
constexpr uint64_t kMaxFoldElements = uint64_t{1} << 26;

struct Ctx {
  Importer& im;
  const NodeProto& n;
  bool data = false;  // graph inputs' values count as known (compile-time-only ops)
  [[noreturn]] void fail(const std::string& why) const { im.fail(n, why); }
  const HostValue& in(int i) const {
    const HostValue* v = im.known(n, i, data);
    if (!v && !has(i)) fail(fmt::format("input {} is missing", i));
    if (!v) fail(fmt::format("input {} ('{}') is computed on the chip: the compiler needs it known", i, n.input(i)));
    return *v;
  }
  bool has(int i) const { return Importer::present(n, i); }
  // A known input as a list of int64 (shapes, axes, indices).
  std::vector<int64_t> ints(int i) const {
    const HostValue& v = in(i);
    if (v.is_float()) fail(fmt::format("input {} must hold integers, not {}", i, onnx_type_name(v.type)));
    return v.ints;
  }
  int64_t axis(int64_t a, size_t rank) const {
    const int64_t r = int64_t(rank);
    if (a < -r || a >= r) fail(fmt::format("axis {} is out of range for rank {}", a, rank));
    return a < 0 ? a + r : a;
  }
  HostValue make(int32_t type, const Shape& shape) const {
    if (elements_of(shape) > kMaxFoldElements)
      fail(fmt::format("folding a {} tensor of {} elements: more than the host folds ({})", shape_str(shape),
                       elements_of(shape), kMaxFoldElements));
    return host_zeros(type, shape);
  }
};

using FoldFn = std::function<HostValue(const Ctx&)>;

// Numpy broadcasting of known shapes.
Shape broadcast(const Ctx& c, const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t k = 0; k < out.size(); ++k) {
    const int64_t da = k < out.size() - a.size() ? 1 : a[k - (out.size() - a.size())];
    const int64_t db = k < out.size() - b.size() ? 1 : b[k - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      c.fail(fmt::format("shapes {} and {} do not broadcast", shape_str(a), shape_str(b)));
    out[k] = da == 1 ? db : da;
  }
  return out;
}

// Row-major index into `in` (broadcast against `out`) of element `e` of `out`.
uint64_t bindex(const Shape& in, const Shape& out, uint64_t e) {
  uint64_t idx = 0, stride = 1;
  for (size_t k = out.size(); k-- > 0;) {
    const uint64_t coord = e % uint64_t(out[k]);
    e /= uint64_t(out[k]);
    const size_t off = out.size() - in.size();
    if (k >= off) {
      const uint64_t d = uint64_t(in[k - off]);
      if (d != 1) idx += coord * stride;
      stride *= d;
    }
  }
  return idx;
}

// Elementwise over broadcast inputs: `f` gets the inputs' element indices and writes element e of the result.
HostValue map_broadcast(const Ctx& c, std::vector<const HostValue*> ins, int32_t type,
                        const std::function<void(HostValue&, uint64_t, const std::vector<uint64_t>&)>& f) {
  Shape s = ins[0]->shape;
  for (size_t i = 1; i < ins.size(); ++i) s = broadcast(c, s, ins[i]->shape);
  HostValue r = c.make(type, s);
  std::vector<uint64_t> idx(ins.size());
  for (uint64_t e = 0; e < r.size(); ++e) {
    for (size_t i = 0; i < ins.size(); ++i) idx[i] = bindex(ins[i]->shape, s, e);
    f(r, e, idx);
  }
  return r;
}

void same_types(const Ctx& c, const HostValue& a, const HostValue& b) {
  if (a.type != b.type)
    c.fail(fmt::format("input types {} and {} differ", onnx_type_name(a.type), onnx_type_name(b.type)));
}

// Add, Sub, Mul, Div, Min, Max: floats rounded once to their type (exact in
// double first for + - * /, so this is IEEE's result), integers wrap.
HostValue arith(const Ctx& c, char op) {
  std::vector<const HostValue*> ins;
  for (int i = 0; i < c.n.input_size(); ++i) ins.push_back(&c.in(i));
  if (ins.empty()) c.fail("needs inputs");
  for (const HostValue* v : ins) same_types(c, *ins[0], *v);
  const bool fl = ins[0]->is_float();
  const int32_t ty = ins[0]->type;
  auto f2 = [&](double a, double b) {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '/':
        return a / b;
      case '<':
        return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN() : std::min(a, b);
      default:
        return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN() : std::max(a, b);
    }
  };
  auto i2 = [&](int64_t a, int64_t b) -> int64_t {
    const auto ua = uint64_t(a), ub = uint64_t(b);
    switch (op) {
      case '+':
        return int64_t(ua + ub);
      case '-':
        return int64_t(ua - ub);
      case '*':
        return int64_t(ua * ub);
      case '/':
        if (b == 0) c.fail("integer division by zero");
        if (a == std::numeric_limits<int64_t>::min() && b == -1) return a;
        return a / b;  // toward zero
      case '<':
        return std::min(a, b);
      default:
        return std::max(a, b);
    }
  };
  HostValue acc = *ins[0];
  for (size_t k = 1; k < ins.size(); ++k) {
    const HostValue prev = acc;
    acc = map_broadcast(c, {&prev, ins[k]}, ty, [&](HostValue& r, uint64_t e, const std::vector<uint64_t>& x) {
      if (fl)
        r.floats[e] = round_to_type(ty, f2(prev.floats[x[0]], ins[k]->floats[x[1]]));
      else
        r.ints[e] = wrap_to_type(ty, i2(prev.ints[x[0]], ins[k]->ints[x[1]]));
    });
  }
  return acc;
}

HostValue unary(const Ctx& c, const std::function<double(double)>& f, const std::function<int64_t(int64_t)>& g) {
  HostValue r = c.in(0);
  for (double& v : r.floats) v = round_to_type(r.type, f(v));
  for (int64_t& v : r.ints) v = wrap_to_type(r.type, g(v));
  return r;
}

HostValue compare(const Ctx& c, const std::function<bool(double, double)>& f,
                  const std::function<bool(int64_t, int64_t)>& g) {
  const HostValue &a = c.in(0), &b = c.in(1);
  same_types(c, a, b);
  return map_broadcast(c, {&a, &b}, TP::BOOL, [&](HostValue& r, uint64_t e, const std::vector<uint64_t>& x) {
    r.ints[e] = a.is_float() ? f(a.floats[x[0]], b.floats[x[1]]) : g(a.ints[x[0]], b.ints[x[1]]);
  });
}

HostValue logic(const Ctx& c, const std::function<bool(bool, bool)>& f) {
  const HostValue &a = c.in(0), &b = c.in(1);
  if (a.type != TP::BOOL || b.type != TP::BOOL) c.fail("takes bool inputs");
  return map_broadcast(c, {&a, &b}, TP::BOOL, [&](HostValue& r, uint64_t e, const std::vector<uint64_t>& x) {
    r.ints[e] = f(a.ints[x[0]] != 0, b.ints[x[1]] != 0);
  });
}

HostValue where(const Ctx& c) {
  const HostValue &cond = c.in(0), &a = c.in(1), &b = c.in(2);
  if (cond.type != TP::BOOL) c.fail(fmt::format("condition must be bool, not {}", onnx_type_name(cond.type)));
  same_types(c, a, b);
  return map_broadcast(c, {&cond, &a, &b}, a.type, [&](HostValue& r, uint64_t e, const std::vector<uint64_t>& x) {
    const bool t = cond.ints[x[0]] != 0;
    if (a.is_float())
      r.floats[e] = t ? a.floats[x[1]] : b.floats[x[2]];
    else
      r.ints[e] = t ? a.ints[x[1]] : b.ints[x[2]];
  });
}

// A copy of `v` with another shape (same elements).
HostValue reshaped(const Ctx& c, const HostValue& v, const Shape& s) {
  if (elements_of(s) != v.size())
    c.fail(fmt::format("cannot reshape {} elements of shape {} to {}", v.size(), shape_str(v.shape), shape_str(s)));
  HostValue r = v;
  r.shape = s;
  return r;
}

// The output shape of ONNX Reshape: 0 copies the input's dimension (unless allowzero), -1 is inferred.
Shape reshape_target(const Ctx& c, const Shape& in, const std::vector<int64_t>& spec, bool allowzero) {
  Shape s;
  int infer = -1;
  uint64_t known = 1;
  for (size_t k = 0; k < spec.size(); ++k) {
    int64_t d = spec[k];
    if (d == 0 && !allowzero) {
      if (k >= in.size())
        c.fail(fmt::format("shape {}: a 0 at {} past the input's rank {}", shape_str(spec), k, in.size()));
      d = in[k];
    }
    if (d == -1) {
      if (infer >= 0) c.fail(fmt::format("shape {} has more than one -1", shape_str(spec)));
      infer = int(k);
      d = 1;
    } else if (d < 0) {
      c.fail(fmt::format("shape {}: dimension {} is negative", shape_str(spec), d));
    }
    s.push_back(d);
    known *= uint64_t(d);
  }
  if (infer >= 0) {
    const uint64_t total = elements_of(in);
    if (known == 0 || total % known)
      c.fail(fmt::format("shape {}: {} elements of {} do not divide", shape_str(spec), total, shape_str(in)));
    s[size_t(infer)] = int64_t(total / known);
  }
  if (elements_of(s) != elements_of(in)) c.fail(fmt::format("cannot reshape {} to {}", shape_str(in), shape_str(s)));
  return s;
}

// Axes of Unsqueeze/Squeeze/Reduce*: the attribute before opset 13, the input from 13 on.
std::optional<std::vector<int64_t>> axes_of(const Ctx& c, int input, int64_t since) {
  if (c.im.opset() >= since) {
    if (!c.has(input)) return std::nullopt;
    return c.ints(input);
  }
  return c.im.ints_attr(c.n, "axes");
}

HostValue constant(const Ctx& c) {
  if (c.n.attribute_size() != 1) c.fail("needs exactly one value attribute");
  const onnx::AttributeProto& a = c.n.attribute(0);
  HostValue v;
  if (a.name() == "value") {
    v = host_value(a.t(), fmt::format("{}: node '{}'", c.im.source(), Importer::node_name(c.n)));
  } else if (a.name() == "value_float" || a.name() == "value_floats") {
    v.type = TP::FLOAT;
    if (a.name() == "value_float") {
      v.floats = {double(a.f())};
    } else {
      for (float f : a.floats()) v.floats.push_back(double(f));
      v.shape = {int64_t(v.floats.size())};
    }
  } else if (a.name() == "value_int" || a.name() == "value_ints") {
    v.type = TP::INT64;
    if (a.name() == "value_int") {
      v.ints = {a.i()};
    } else {
      v.ints.assign(a.ints().begin(), a.ints().end());
      v.shape = {int64_t(v.ints.size())};
    }
  } else {
    c.fail(fmt::format("attribute '{}' is not supported (value, value_float(s), value_int(s))", a.name()));
  }
  return v;
}

HostValue shape(const Ctx& c) {
  c.im.attributes(c.n, {"start", "end"});
  const Shape s = c.im.onnx_shape(c.n, 0);
  const int64_t r = int64_t(s.size());
  auto clampi = [&](int64_t v) { return std::clamp(v < 0 ? v + r : v, int64_t{0}, r); };
  const int64_t b = clampi(c.im.int_attr(c.n, "start", 0)), e = clampi(c.im.int_attr(c.n, "end", r));
  HostValue v;
  v.type = TP::INT64;
  for (int64_t k = b; k < e; ++k) v.ints.push_back(s[size_t(k)]);
  v.shape = {int64_t(v.ints.size())};
  return v;
}

HostValue size(const Ctx& c) {
  HostValue v;
  v.type = TP::INT64;
  v.ints = {int64_t(elements_of(c.im.onnx_shape(c.n, 0)))};
  return v;
}

HostValue gather(const Ctx& c) {
  c.im.attributes(c.n, {"axis"});
  const HostValue& d = c.in(0);
  const HostValue& idx = c.in(1);
  if (d.shape.empty()) c.fail("data must have rank 1 or more");
  const int64_t axis = c.axis(c.im.int_attr(c.n, "axis", 0), d.shape.size());
  Shape s(d.shape.begin(), d.shape.begin() + axis);
  s.insert(s.end(), idx.shape.begin(), idx.shape.end());
  s.insert(s.end(), d.shape.begin() + axis + 1, d.shape.end());
  HostValue r = c.make(d.type, s);
  const uint64_t inner = elements_of(Shape(d.shape.begin() + axis + 1, d.shape.end()));
  const uint64_t outer = elements_of(Shape(d.shape.begin(), d.shape.begin() + axis));
  const int64_t dim = d.shape[size_t(axis)];
  const std::vector<int64_t> ids = c.ints(1);
  uint64_t e = 0;
  for (uint64_t o = 0; o < outer; ++o)
    for (int64_t id : ids) {
      const int64_t j = id < 0 ? id + dim : id;
      if (j < 0 || j >= dim) c.fail(fmt::format("index {} is out of range for dimension {}", id, dim));
      for (uint64_t k = 0; k < inner; ++k, ++e) {
        const uint64_t src = (o * uint64_t(dim) + uint64_t(j)) * inner + k;
        if (d.is_float())
          r.floats[e] = d.floats[src];
        else
          r.ints[e] = d.ints[src];
      }
    }
  return r;
}

Shape unsqueeze_shape(const Ctx& c, const Shape& in) {
  c.im.attributes(c.n, c.im.opset() >= 13 ? std::initializer_list<std::string_view>{}
                                          : std::initializer_list<std::string_view>{"axes"});
  const auto axes = axes_of(c, 1, 13);
  if (!axes) c.fail("axes are missing");
  const size_t rank = in.size() + axes->size();
  std::vector<bool> one(rank, false);
  for (int64_t a : *axes) {
    const int64_t k = c.axis(a, rank);
    if (one[size_t(k)]) c.fail(fmt::format("axis {} is repeated", a));
    one[size_t(k)] = true;
  }
  Shape s;
  for (size_t k = 0, j = 0; k < rank; ++k) s.push_back(one[k] ? 1 : in[j++]);
  return s;
}

Shape squeeze_shape(const Ctx& c, const Shape& in) {
  c.im.attributes(c.n, c.im.opset() >= 13 ? std::initializer_list<std::string_view>{}
                                          : std::initializer_list<std::string_view>{"axes"});
  const auto axes = axes_of(c, 1, 13);
  std::vector<bool> drop(in.size(), false);
  if (axes) {
    for (int64_t a : *axes) {
      const int64_t k = c.axis(a, in.size());
      if (in[size_t(k)] != 1) c.fail(fmt::format("axis {} has dimension {}, not 1", a, in[size_t(k)]));
      drop[size_t(k)] = true;
    }
  } else {
    for (size_t k = 0; k < in.size(); ++k) drop[k] = in[k] == 1;
  }
  Shape s;
  for (size_t k = 0; k < in.size(); ++k)
    if (!drop[k]) s.push_back(in[k]);
  return s;
}

Shape flatten_shape(const Ctx& c, const Shape& in) {
  c.im.attributes(c.n, {"axis"});
  const int64_t r = int64_t(in.size());
  int64_t axis = c.im.int_attr(c.n, "axis", 1);
  if (axis < -r || axis > r) c.fail(fmt::format("axis {} is out of range for rank {}", axis, r));
  if (axis < 0) axis += r;
  return {int64_t(elements_of(Shape(in.begin(), in.begin() + axis))),
          int64_t(elements_of(Shape(in.begin() + axis, in.end())))};
}

Shape reshape_shape(const Ctx& c, const Shape& in) {
  c.im.attributes(c.n, {"allowzero"});
  if (!c.im.known(c.n, 1)) c.fail("the shape is computed on the chip: the compiler needs it known");
  return reshape_target(c, in, c.ints(1), c.im.int_attr(c.n, "allowzero", 0) != 0);
}

using ShapeFn = Shape (*)(const Ctx&, const Shape&);
const std::map<std::string, ShapeFn, std::less<>>& shape_ops() {
  static const std::map<std::string, ShapeFn, std::less<>> t = {{"Reshape", reshape_shape},
                                                                {"Flatten", flatten_shape},
                                                                {"Squeeze", squeeze_shape},
                                                                {"Unsqueeze", unsqueeze_shape}};
  return t;
}

// Reshape, Flatten, Squeeze, Unsqueeze of a known value: the same elements.
HostValue reshape_op(const Ctx& c) {
  const HostValue& x = c.in(0);
  return reshaped(c, x, shape_ops().at(c.n.op_type())(c, x.shape));
}

HostValue concat(const Ctx& c) {
  c.im.attributes(c.n, {"axis"});
  if (!c.im.has_attr(c.n, "axis")) c.fail("attribute 'axis' is missing");
  const HostValue& first = c.in(0);
  if (first.shape.empty()) c.fail("inputs must have rank 1 or more");
  const int64_t axis = c.axis(c.im.int_attr(c.n, "axis", 0), first.shape.size());
  Shape s = first.shape;
  s[size_t(axis)] = 0;
  for (int i = 0; i < c.n.input_size(); ++i) {
    const HostValue& v = c.in(i);
    same_types(c, first, v);
    for (size_t k = 0; k < s.size(); ++k)
      if (v.shape.size() != s.size() || (int64_t(k) != axis && v.shape[k] != first.shape[k]))
        c.fail(fmt::format("input {} of shape {} does not fit {} along axis {}", i, shape_str(v.shape),
                           shape_str(first.shape), axis));
    s[size_t(axis)] += v.shape[size_t(axis)];
  }
  HostValue r = c.make(first.type, s);
  const uint64_t outer = elements_of(Shape(s.begin(), s.begin() + axis));
  uint64_t e = 0;
  for (uint64_t o = 0; o < outer; ++o)
    for (int i = 0; i < c.n.input_size(); ++i) {
      const HostValue& v = c.in(i);
      const uint64_t block = elements_of(Shape(v.shape.begin() + axis, v.shape.end()));
      for (uint64_t k = 0; k < block; ++k, ++e) {
        if (v.is_float())
          r.floats[e] = v.floats[o * block + k];
        else
          r.ints[e] = v.ints[o * block + k];
      }
    }
  return r;
}

HostValue slice(const Ctx& c) {
  const bool inputs = c.im.opset() >= 10;
  c.im.attributes(c.n, inputs ? std::initializer_list<std::string_view>{}
                              : std::initializer_list<std::string_view>{"starts", "ends", "axes"});
  const HostValue& x = c.in(0);
  const size_t rank = x.shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (inputs) {
    starts = c.ints(1);
    ends = c.ints(2);
    if (c.has(3)) axes = c.ints(3);
    if (c.has(4)) steps = c.ints(4);
  } else {
    starts = c.im.ints_attr(c.n, "starts").value_or(std::vector<int64_t>{});
    ends = c.im.ints_attr(c.n, "ends").value_or(std::vector<int64_t>{});
    axes = c.im.ints_attr(c.n, "axes").value_or(std::vector<int64_t>{});
  }
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(int64_t(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    c.fail("starts, ends, axes and steps differ in length");
  std::vector<int64_t> b(rank, 0), st(rank, 1);
  Shape s = x.shape;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t k = size_t(c.axis(axes[i], rank));
    const int64_t dim = x.shape[k], step = steps[i];
    if (step == 0) c.fail("a step of 0");
    int64_t from = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t to = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      from = std::clamp(from, int64_t{0}, dim);
      to = std::clamp(to, int64_t{0}, dim);
    } else {
      from = std::clamp(from, int64_t{0}, dim - 1);
      to = std::clamp(to, int64_t{-1}, dim - 1);
    }
    const int64_t count = step > 0 ? (to - from + step - 1) / step : (from - to - step - 1) / -step;
    b[k] = from;
    st[k] = step;
    s[k] = std::max<int64_t>(count, 0);
  }
  HostValue r = c.make(x.type, s);
  for (uint64_t e = 0; e < r.size(); ++e) {
    uint64_t rest = e, src = 0, stride = 1;
    for (size_t k = rank; k-- > 0;) {
      const int64_t coord = int64_t(rest % uint64_t(s[k]));
      rest /= uint64_t(s[k]);
      src += uint64_t(b[k] + coord * st[k]) * stride;
      stride *= uint64_t(x.shape[k]);
    }
    if (x.is_float())
      r.floats[e] = x.floats[src];
    else
      r.ints[e] = x.ints[src];
  }
  return r;
}

HostValue expand(const Ctx& c) {
  const HostValue& x = c.in(0);
  const Shape s = broadcast(c, x.shape, c.ints(1));
  HostValue r = c.make(x.type, s);
  for (uint64_t e = 0; e < r.size(); ++e) {
    const uint64_t i = bindex(x.shape, s, e);
    if (x.is_float())
      r.floats[e] = x.floats[i];
    else
      r.ints[e] = x.ints[i];
  }
  return r;
}

HostValue constant_of_shape(const Ctx& c) {
  c.im.attributes(c.n, {"value"});
  const std::vector<int64_t> s = c.ints(0);
  for (int64_t d : s)
    if (d < 0) c.fail(fmt::format("shape {} has a negative dimension", shape_str(s)));
  HostValue fill;
  fill.type = TP::FLOAT;
  fill.floats = {0.0};
  if (const auto* a = c.im.attr(c.n, "value")) {
    fill = host_value(a->t(), fmt::format("{}: node '{}'", c.im.source(), Importer::node_name(c.n)));
    if (fill.size() != 1) c.fail("attribute 'value' must hold one element");
  }
  HostValue r = c.make(fill.type, s);
  if (r.is_float())
    std::fill(r.floats.begin(), r.floats.end(), fill.floats[0]);
  else
    std::fill(r.ints.begin(), r.ints.end(), fill.ints[0]);
  return r;
}

HostValue range(const Ctx& c) {
  const HostValue &a = c.in(0), &l = c.in(1), &d = c.in(2);
  same_types(c, a, l);
  same_types(c, a, d);
  if (a.size() != 1 || l.size() != 1 || d.size() != 1) c.fail("start, limit and delta must be scalars");
  if (d.value(0) == 0) c.fail("delta is 0");
  const double n = std::ceil((l.value(0) - a.value(0)) / d.value(0));
  const int64_t count = n > 0 ? int64_t(n) : 0;
  HostValue r = c.make(a.type, {count});
  for (int64_t i = 0; i < count; ++i) {
    if (r.is_float())
      r.floats[size_t(i)] = round_to_type(a.type, a.floats[0] + double(i) * d.floats[0]);
    else
      r.ints[size_t(i)] = wrap_to_type(a.type, a.ints[0] + i * d.ints[0]);
  }
  return r;
}

HostValue cast(const Ctx& c) {
  c.im.attributes(c.n, {"to", "saturate"});
  const int32_t to = int32_t(c.im.int_attr(c.n, "to", 0));
  if (!host_type_ok(to)) c.fail(fmt::format("cast to {} is not supported", onnx_type_name(to)));
  const HostValue& x = c.in(0);
  HostValue r = c.make(to, x.shape);
  for (uint64_t i = 0; i < x.size(); ++i) {
    if (r.is_float())
      r.floats[i] = round_to_type(to, x.value(i));
    else if (to == TP::BOOL)
      r.ints[i] = x.value(i) != 0;
    else
      r.ints[i] = wrap_to_type(to, x.integer(i));
  }
  return r;
}

// Trilu: the upper (j - i >= k) or lower (j - i <= k) triangle of the last two axes, zeros elsewhere.
HostValue trilu(const Ctx& c) {
  c.im.attributes(c.n, {"upper"});
  const bool upper = c.im.int_attr(c.n, "upper", 1) != 0;
  HostValue r = c.in(0);
  if (r.shape.size() < 2) c.fail("input must have rank 2 or more");
  int64_t k = 0;
  if (c.has(1)) {
    const std::vector<int64_t> kk = c.ints(1);
    if (kk.size() != 1) c.fail("k must hold one value");
    k = kk[0];
  }
  const int64_t rows = r.shape[r.shape.size() - 2], cols = r.shape.back();
  for (uint64_t e = 0; e < r.size(); ++e) {
    const int64_t j = int64_t(e % uint64_t(cols)), i = int64_t(e / uint64_t(cols) % uint64_t(rows));
    if (upper ? j - i >= k : j - i <= k) continue;
    if (r.is_float())
      r.floats[e] = 0;
    else
      r.ints[e] = 0;
  }
  return r;
}

struct FoldRow {
  FoldFn fn;
  bool compile_time_only = false;  // no chip op: an input computed on the chip is an error
  bool any_input = false;          // Shape: the input's shape is known even when its values are not
};

const std::map<std::string, FoldRow, std::less<>>& fold_table() {
  static const std::map<std::string, FoldRow, std::less<>> t = {
      {"Constant", {constant, true}},
      {"Shape", {shape, true, true}},
      {"Size", {size, true, true}},
      {"ConstantOfShape", {constant_of_shape, true}},
      {"Range", {range, true}},
      {"Gather", {gather}},
      {"Unsqueeze", {reshape_op}},
      {"Squeeze", {reshape_op}},
      {"Concat", {concat}},
      {"Slice", {slice}},
      {"Expand", {expand}},
      {"Reshape", {reshape_op}},
      {"Flatten", {reshape_op}},
      {"Cast", {cast}},
      {"Identity", {[](const Ctx& c) { return c.in(0); }}},
      {"Add", {[](const Ctx& c) { return arith(c, '+'); }}},
      {"Sub", {[](const Ctx& c) { return arith(c, '-'); }}},
      {"Mul", {[](const Ctx& c) { return arith(c, '*'); }}},
      {"Div", {[](const Ctx& c) { return arith(c, '/'); }}},
      {"Min", {[](const Ctx& c) { return arith(c, '<'); }}},
      {"Max", {[](const Ctx& c) { return arith(c, '>'); }}},
      {"Neg", {[](const Ctx& c) {
         return unary(c, std::negate<double>(), [](int64_t v) { return int64_t(0 - uint64_t(v)); });
       }}},
      {"Abs", {[](const Ctx& c) {
         return unary(
             c, [](double v) { return std::fabs(v); }, [](int64_t v) { return v < 0 ? int64_t(0 - uint64_t(v)) : v; });
       }}},
      {"Equal", {[](const Ctx& c) { return compare(c, std::equal_to<double>(), std::equal_to<int64_t>()); }}},
      {"Less", {[](const Ctx& c) { return compare(c, std::less<double>(), std::less<int64_t>()); }}},
      {"Greater", {[](const Ctx& c) { return compare(c, std::greater<double>(), std::greater<int64_t>()); }}},
      {"LessOrEqual", {[](const Ctx& c) { return compare(c, std::less_equal<double>(), std::less_equal<int64_t>()); }}},
      {"GreaterOrEqual",
       {[](const Ctx& c) { return compare(c, std::greater_equal<double>(), std::greater_equal<int64_t>()); }}},
      {"Not", {[](const Ctx& c) {
         if (c.in(0).type != TP::BOOL) c.fail("takes a bool input");
         return unary(
             c, [](double v) { return v; }, [](int64_t v) { return int64_t(v == 0); });
       }}},
      {"And", {[](const Ctx& c) { return logic(c, [](bool a, bool b) { return a && b; }); }}},
      {"Or", {[](const Ctx& c) { return logic(c, [](bool a, bool b) { return a || b; }); }}},
      {"Xor", {[](const Ctx& c) { return logic(c, [](bool a, bool b) { return a != b; }); }}},
      {"Where", {where}},
      {"Trilu", {trilu}},
  };
  return t;
}

}  // namespace

std::vector<int64_t> onnx_reshape_target(Importer& im, const NodeProto& n, const std::vector<int64_t>& in) {
  const auto it = shape_ops().find(n.op_type());
  if (it == shape_ops().end()) im.fail(n, "not a reshape");
  return it->second(Ctx{im, n}, in);
}

bool foldable_op(std::string_view op_type) { return fold_table().count(op_type) != 0; }

bool fold_node(Importer& im, const NodeProto& n) {
  const auto it = fold_table().find(n.op_type());
  if (it == fold_table().end()) return false;
  const FoldRow& row = it->second;
  if (!row.any_input)
    for (int i = 0; i < n.input_size(); ++i)
      if (Importer::present(n, i) && !im.known(n, i, row.compile_time_only)) {
        if (row.compile_time_only)
          im.fail(n, fmt::format("input '{}' is computed on the chip: {} is only evaluated at compile time", n.input(i),
                                 n.op_type()));
        return false;
      }
  if (n.output_size() != 1) im.fail(n, fmt::format("{} outputs; one is supported", n.output_size()));
  im.define_known(n, row.fn(Ctx{im, n, row.compile_time_only}));
  return true;
}

}  // namespace tsp::compiler
