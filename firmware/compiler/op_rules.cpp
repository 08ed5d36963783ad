#include "firmware/compiler/op_rules.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "firmware/compiler/ops.hpp"

namespace tsp::compiler {
namespace {

std::string_view tname(isa::DType t) { return isa::dtype_desc(t).name; }
bool is_half(isa::DType t) { return t == isa::DType::f16 || t == isa::DType::bf16; }
bool is_int8(isa::DType t) { return t == isa::DType::i8 || t == isa::DType::u8; }

std::string type_list(isa::Op op) {
  std::string s;
  for (const auto& d : isa::kDTypes)
    if ((isa::op_desc(op).type_mask >> static_cast<unsigned>(d.type)) & 1u)
      s += fmt::format("{}{}", s.empty() ? "" : " ", d.name);
  return s;
}

}  // namespace

std::string shape_str(const std::vector<uint32_t>& s) {
  std::string out;
  for (uint32_t d : s) out += fmt::format("{}{}", out.empty() ? "" : ",", d);
  return "[" + out + "]";
}

void check_shape(const std::vector<uint32_t>& shape, const std::string& what, const Where& where) {
  if (shape.empty() || shape.size() > kMaxRank)
    throw Error(fmt::format("{}: error: {}: rank {} is not supported (rank 1 to {})", where.str(), what, shape.size(),
                            kMaxRank));
  for (uint32_t d : shape)
    if (d == 0) throw Error(fmt::format("{}: error: {}: a dimension of 0", where.str(), what));
}

Error OpRule::fail(const std::string& why) const {
  return Error(fmt::format("{}: error: {}: {}", where.str(), node, why));
}

std::string OpRule::desc(const Tensor& t) const {
  return fmt::format("{} {}{}", t.name, tname(t.dtype), shape_str(t.shape));
}

void OpRule::need_float(std::string_view what) const {
  if (!isa::dtype_desc(a.dtype).is_float) throw fail(fmt::format("{} takes f16, bf16 or f32, not {}", what, desc(a)));
}

// Add .. Min, Relu .. Cast and Sel: one VXM opcode whose types the ISA table lists.
void result_elementwise(OpRule& x) {
  const isa::Op isa_op = op_info(x.op).vxm;
  if (x.op == GraphOp::Cast) {
    if (!x.to) throw x.fail("cast needs a destination type");
    x.r.dtype = *x.to;
  }
  if (!((isa::op_desc(isa_op).type_mask >> static_cast<unsigned>(x.r.dtype)) & 1u))
    throw x.fail(fmt::format("not supported on {} (the VXM's {} takes {})", tname(x.r.dtype),
                             isa::op_desc(isa_op).mnemonic, type_list(isa_op)));
  x.r.splat = x.a.splat;
  // Lanes past the last column stay zero where 0 op 0 = 0.
  x.r.pad_zero = (x.op == GraphOp::Relu || x.op == GraphOp::Cast) && x.a.pad_zero;
  if (x.op == GraphOp::Sel) {
    const Tensor& c = x.in(0);
    const Tensor& b = x.in(2);
    const auto ab = broadcast_shape(x.a.shape, b.shape);
    const auto abc = ab ? broadcast_shape(*ab, c.shape) : std::nullopt;
    if (b.dtype != x.a.dtype || !abc || isa::dtype_desc(c.dtype).bytes != isa::dtype_desc(x.a.dtype).bytes)
      throw x.fail(fmt::format("needs c, a, b that broadcast, a and b of one type and c of its width; got {}, {}, {}",
                               x.desc(c), x.desc(x.a), x.desc(b)));
    x.r.shape = *abc;
    // Padding lanes take b's where c's padding is zero.
    x.r.pad_zero = c.pad_zero && b.pad_zero;
    x.r.splat = x.a.splat && b.splat && c.splat;
  } else if (is_binary(x.op)) {
    const Tensor& b = x.in(1);
    const auto s = broadcast_shape(x.a.shape, b.shape);
    if (b.dtype != x.a.dtype || !s)
      throw x.fail(fmt::format("operands {} and {} {}", x.desc(x.a), x.desc(b),
                               b.dtype != x.a.dtype ? "differ in type" : "do not broadcast"));
    x.r.shape = *s;
    x.r.splat = x.r.shape.back() == 1 && x.a.splat && b.splat;
    x.r.pad_zero = x.a.pad_zero && b.pad_zero;
  }
}

void result_matmul(OpRule& x) {
  const Tensor& w = x.in(1);
  const bool ints = is_int8(x.a.dtype) && is_int8(w.dtype), floats = is_half(x.a.dtype) && is_half(w.dtype);
  if (!ints && !floats)
    throw x.fail(fmt::format("{} x {} is not supported (int8/uint8 x int8/uint8 -> i32, f16/bf16 x f16/bf16 -> f32)",
                             tname(x.a.dtype), tname(w.dtype)));
  const auto& xs = x.a.shape;
  const auto& ws = w.shape;
  // [B.., M, K] x [B.., K, N]: the batch dimensions broadcast (numpy), M and N stay.
  const std::vector<uint32_t> xb(xs.begin(), xs.end() - std::min<size_t>(2, xs.size())),
      wb(ws.begin(), ws.end() - std::min<size_t>(2, ws.size()));
  const auto batch = xb.empty() ? std::optional(wb) : wb.empty() ? std::optional(xb) : broadcast_shape(xb, wb);
  if (xs.size() < 2 || ws.size() < 2 || xs.back() != ws[ws.size() - 2] || !batch)
    throw x.fail(fmt::format("shapes {} x {} do not multiply ([B..,M,K] x [B..,K,N], batch dimensions broadcasting)",
                             shape_str(xs), shape_str(ws)));
  x.r.dtype = ints ? isa::DType::i32 : isa::DType::f32;
  x.r.shape = *batch;
  x.r.shape.push_back(xs[xs.size() - 2]);
  x.r.shape.push_back(ws.back());
}

// x[B.., M, K] . w_i[K, N]: result batch element b multiplies x's batch element
// batch_x[b] by input batch_w[b]; the result's shape is Attrs::shape.
void result_batch_matmul(OpRule& x) {
  const Tensor& w = x.in(1);
  const bool ints = is_int8(x.a.dtype) && is_int8(w.dtype), floats = is_half(x.a.dtype) && is_half(w.dtype);
  const auto& at = x.attrs;
  const uint32_t M = x.a.shape.size() >= 2 ? x.a.shape[x.a.shape.size() - 2] : 0;
  bool ok = (ints || floats) && at.shape.size() >= 2 && at.batch_x.size() == at.batch_w.size() && M &&
            at.shape[at.shape.size() - 2] == M && at.shape.back() == w.shape.back();
  uint64_t rows = 1;
  for (size_t d = 0; d + 1 < at.shape.size(); ++d) rows *= at.shape[d];
  ok = ok && rows == uint64_t(at.batch_x.size()) * M;
  for (size_t i = 1; ok && i < x.inputs.size(); ++i)
    ok = x.in(i).dtype == w.dtype && x.in(i).shape == std::vector<uint32_t>{x.a.shape.back(), w.shape.back()};
  for (size_t b = 0; ok && b < at.batch_x.size(); ++b)
    ok = uint64_t(at.batch_x[b] + 1) * M * x.a.shape.back() <= x.a.elements() && at.batch_w[b] >= 1 &&
         at.batch_w[b] < x.inputs.size();
  if (!ok) throw x.fail(fmt::format("bad batched MatMul of {} into {}", x.desc(x.a), shape_str(at.shape)));
  x.r.dtype = ints ? isa::DType::i32 : isa::DType::f32;
  x.r.shape = at.shape;
}

void result_matmul_integer(OpRule& x) {
  const Tensor& w = x.in(1);
  if (!is_int8(x.a.dtype) || !is_int8(w.dtype))
    throw x.fail(fmt::format("takes int8/uint8 operands, not {} and {}", x.desc(x.a), x.desc(w)));
  if (x.a.shape.size() != 2 || w.shape.size() != 2 || x.a.shape[1] != w.shape[0])
    throw x.fail(
        fmt::format("shapes {} x {} do not multiply ([M,K] x [K,N])", shape_str(x.a.shape), shape_str(w.shape)));
  for (size_t i = 2; i < x.inputs.size(); ++i) {
    const Tensor& z = x.in(i);
    const Tensor& of = i == 2 ? x.a : w;
    if (z.dtype != of.dtype || z.elements() != 1)
      throw x.fail(fmt::format("zero point {} must be one {} value (per-row/column zero points: not yet)", x.desc(z),
                               tname(of.dtype)));
  }
  x.r.dtype = isa::DType::i32;
  x.r.shape = {x.a.shape[0], w.shape[1]};
}

// RmsNorm x [, scale], LayerNorm x [, scale [, bias]]; LayerNorm's parts Mean and InvStdDev are f32 [..., 1].
void result_norm(OpRule& x) {
  x.need_float("a norm");
  for (size_t i = 1; i < x.inputs.size(); ++i) {
    const Tensor& p = x.in(i);
    if (p.dtype != x.a.dtype || p.elements() != x.a.shape.back() || p.shape.back() != x.a.shape.back())
      throw x.fail(fmt::format("{} must be [{}] of {} (the last dimension of {})", x.desc(p), x.a.shape.back(),
                               tname(x.a.dtype), x.a.name));
  }
  if (!(x.attrs.epsilon >= 0)) throw x.fail("epsilon must be >= 0");
  if (x.attrs.part > 2 || (x.attrs.part && x.op != GraphOp::LayerNorm))
    throw x.fail("only layernorm has the parts mean and invstddev");
  if (x.attrs.part) {
    x.r.dtype = isa::DType::f32;
    x.r.shape.back() = 1;
    x.r.splat = true;
  }
}

void result_reduce(OpRule& x) {
  if (x.op != GraphOp::ReduceMax) x.need_float(op_info(x.op).name);
  Attrs& at = x.attrs;
  const auto& shape = x.a.shape;
  at.axes = normalize_axes(at.axes, shape.size(), true);
  std::vector<uint32_t> s;
  for (size_t d = 0; d < shape.size(); ++d) {
    const bool red = std::find(at.axes.begin(), at.axes.end(), int64_t(d)) != at.axes.end();
    if (!red || at.keepdims) s.push_back(red ? 1 : shape[d]);
  }
  const bool last = at.axes.back() == int64_t(shape.size() - 1);
  if (!at.keepdims && last && !s.empty() && shape.back() != 1)
    throw x.fail("keepdims 0 over the last axis with other axes left would move values across lanes (not yet)");
  if (s.empty()) s.push_back(1);
  x.r.shape = s;
  // Over the last axis: the result in every lane. Over others only, of a tensor
  // in every lane: still so (the VXM reduces whole vectors lane by lane).
  x.r.splat = last || (x.a.splat && at.keepdims);
}

void result_softmax(OpRule& x) {
  x.need_float("softmax");
  if (x.attrs.axes.empty()) x.attrs.axes = {-1};
  if (x.attrs.axes.size() != 1) throw x.fail("takes one axis");
  x.attrs.axes = normalize_axes(x.attrs.axes, x.a.shape.size(), false);
}

// Sigmoid, SiLU, GELU (compose.hpp).
void result_activation(OpRule& x) {
  x.need_float(op_info(x.op).name);
  if (x.attrs.gelu_tanh && x.op != GraphOp::Gelu) throw x.fail("only gelu takes 'approximate'");
}

void result_reshape(OpRule& x) {
  check_shape(x.attrs.shape, x.node, x.where);
  uint64_t n = 1;
  for (uint32_t d : x.attrs.shape) n *= d;
  if (n != x.a.elements())
    throw x.fail(fmt::format("{} does not have the {} elements of {}", shape_str(x.attrs.shape), n, x.desc(x.a)));
  x.r.shape = x.attrs.shape;
  x.r.splat = x.a.splat && x.r.shape.back() == 1;
  x.r.pad_zero = x.a.pad_zero;
}

void result_permute(OpRule& x) {
  const Tensor& m = x.in(1);
  if (m.dtype != isa::DType::i16 || m.kind == TensorKind::Value || m.elements() != m.shape.back())
    throw x.fail(fmt::format("the map {} must be an i16 input or const of one row", x.desc(m)));
  for (uint32_t v : m.data)
    if (v >= x.a.shape.back())
      throw x.fail(fmt::format("map value {} is past the {} columns of {}", v, x.a.shape.back(), x.a.name));
  if (x.a.shape.back() > 0 && m.shape.back() > 0 && x.a.elements() / x.a.shape.back() * m.shape.back() == 0)
    throw x.fail("empty result");
  x.r.shape.back() = m.shape.back();
  // The map's padding lanes are zero: with map = [0] every lane gets column 0.
  x.r.splat = m.shape.back() == 1 && m.data[0] == 0;
}

void result_lanesum(OpRule& x) {
  const Tensor& w = x.in(1);
  if (!(is_half(x.a.dtype) && is_half(w.dtype)) && !is_int8(x.a.dtype))
    throw x.fail(fmt::format("sums f16/bf16 (to f32) or i8/u8 (to i32), not {}", x.desc(x.a)));
  // Fewer rows than K: one MXM block of ones serves every K block (lower.cpp checks it is one block).
  if (w.shape.size() != 2 || w.shape[0] > x.a.shape.back() || w.kind == TensorKind::Value)
    throw x.fail(fmt::format("needs ones [{}, lanes] (or one MXM block of them) from the image, not {}",
                             x.a.shape.back(), x.desc(w)));
  x.r.dtype = is_half(x.a.dtype) ? isa::DType::f32 : isa::DType::i32;
  x.r.shape.back() = 1;
  x.r.splat = true;
}

// acc (input 0, the result's shape) op x's step j over the folded axes.
void result_fold(OpRule& x) {
  const Tensor& v = x.in(1);
  Attrs& at = x.attrs;
  at.axes = normalize_axes(at.axes, v.shape.size(), false);
  std::vector<uint32_t> s = v.shape;
  uint64_t steps = 1;
  for (int64_t d : at.axes) {
    steps *= s[size_t(d)];
    s[size_t(d)] = 1;
  }
  const bool last = at.axes == std::vector<int64_t>{int64_t(v.shape.size() - 1)};
  if (last) {  // lane blocks of acc's width, from column `offset`
    s.back() = x.a.shape.back();
    steps = at.offset < v.shape.back() ? (v.shape.back() - at.offset) / x.a.shape.back() : 0;
  }
  if (at.axes.empty() || (!last && at.axes.back() == int64_t(v.shape.size() - 1)) || x.a.shape != s ||
      x.a.dtype != v.dtype || at.step >= steps || (at.fold_op != GraphOp::Add && at.fold_op != GraphOp::Max))
    throw x.fail(fmt::format("bad fold of {} into {}", x.desc(v), x.desc(x.a)));
  x.r.splat = x.a.splat && v.splat;
  x.r.pad_zero = x.a.pad_zero && v.pad_zero;
}

}  // namespace tsp::compiler

namespace tsp::compiler {

// concat x0 x1 ... axis a: one type, equal dimensions but a.
void result_concat(OpRule& x) {
  if (x.attrs.axes.size() != 1) throw x.fail("takes one axis");
  x.attrs.axes = normalize_axes(x.attrs.axes, x.a.shape.size(), false);
  const size_t a = size_t(x.attrs.axes[0]);
  uint64_t n = 0;
  for (size_t i = 0; i < x.inputs.size(); ++i) {
    const Tensor& t = x.in(i);
    bool same = t.dtype == x.a.dtype && t.shape.size() == x.a.shape.size();
    for (size_t d = 0; same && d < t.shape.size(); ++d) same = d == a || t.shape[d] == x.a.shape[d];
    if (!same) throw x.fail(fmt::format("{} and {} do not join on axis {}", x.desc(x.a), x.desc(t), a));
    n += t.shape[a];
  }
  if (n > UINT32_MAX) throw x.fail("result too large");
  x.r.shape[a] = uint32_t(n);
  x.r.splat = false;
  x.r.pad_zero = true;  // the movement writes zero padding lanes (movement.cpp)
}

// ONNX Slice on known starts/ends/steps: negative values count from the end,
// then clamped ([0, dim] for steps > 0, [-1, dim - 1] for steps < 0).
void result_slice(OpRule& x) {
  Attrs& at = x.attrs;
  const size_t rank = x.a.shape.size();
  if (at.axes.empty())
    for (size_t d = 0; d < at.starts.size(); ++d) at.axes.push_back(int64_t(d));
  if (at.steps.empty()) at.steps.assign(at.starts.size(), 1);
  if (at.starts.size() != at.axes.size() || at.ends.size() != at.axes.size() || at.steps.size() != at.axes.size())
    throw x.fail("starts, ends, axes and steps differ in length");
  for (int64_t& ax : at.axes) {
    if (ax < -int64_t(rank) || ax >= int64_t(rank)) throw x.fail(fmt::format("axis {} is out of range", ax));
    if (ax < 0) ax += int64_t(rank);
  }
  for (size_t i = 0; i < at.axes.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (at.axes[i] == at.axes[j]) throw x.fail(fmt::format("axis {} repeats", at.axes[i]));
  for (size_t i = 0; i < at.axes.size(); ++i) {
    const int64_t dim = x.a.shape[size_t(at.axes[i])], step = at.steps[i];
    if (step == 0) throw x.fail("a step of 0");
    auto clampv = [&](int64_t v) {
      if (v < 0) v += dim;
      return step > 0 ? std::clamp<int64_t>(v, 0, dim) : std::clamp<int64_t>(v, -1, dim - 1);
    };
    at.starts[i] = clampv(at.starts[i]);
    at.ends[i] = clampv(at.ends[i]);
    const int64_t n =
        step > 0 ? (at.ends[i] - at.starts[i] + step - 1) / step : (at.starts[i] - at.ends[i] - step - 1) / -step;
    if (n <= 0) throw x.fail(fmt::format("axis {} keeps no element (empty tensors are not supported)", at.axes[i]));
    x.r.shape[size_t(at.axes[i])] = uint32_t(n);
  }
  x.r.splat = false;
  x.r.pad_zero = true;
}

void result_pad(OpRule& x) {
  Attrs& at = x.attrs;
  const size_t rank = x.a.shape.size();
  if (at.pads.size() != 2 * rank) throw x.fail(fmt::format("needs {} pads (begins, then ends)", 2 * rank));
  for (size_t d = 0; d < rank; ++d) {
    if (at.pads[d] < 0 || at.pads[rank + d] < 0) throw x.fail("negative pads (cropping) are not supported; use slice");
    const int64_t n = int64_t(x.a.shape[d]) + at.pads[d] + at.pads[rank + d];
    if (n > (int64_t(1) << 24)) throw x.fail(fmt::format("axis {} would have {} elements (at most 2^24)", d, n));
    x.r.shape[d] = uint32_t(n);
  }
  x.r.splat = false;
  x.r.pad_zero = true;
}

// Every chip's block of columns side by side: block Attrs::step is this chip's.
namespace {

// The chips' column blocks: at least 2, ascending, from column 0; this chip among them.
void check_bounds(OpRule& x, uint32_t columns) {
  const auto& b = x.attrs.bounds;
  bool ok = b.size() >= 3 && b.front() == 0 && b.back() == columns && x.attrs.step + 1 < b.size();
  for (size_t i = 1; ok && i < b.size(); ++i) ok = b[i] > b[i - 1];
  if (!ok)
    throw x.fail(
        fmt::format("column blocks [{}] for {} columns as block {}: need 2 or more, ascending from 0 to the "
                    "columns, this chip's among them",
                    fmt::join(b, ", "), columns, x.attrs.step));
}

}  // namespace

// Every chip's block of columns side by side: block Attrs::step is this chip's.
void result_all_gather(OpRule& x) {
  const auto& b = x.attrs.bounds;
  check_bounds(x, b.empty() ? 0 : b.back());
  size_t axis = x.a.shape.size() - 1;
  if (!x.attrs.axes.empty()) {  // blocks of a row axis: the axes before it are 1, so each block is whole rows
    const int64_t a = x.attrs.axes[0];
    if (x.attrs.axes.size() != 1 || a < 0 || a + 1 >= int64_t(x.a.shape.size()) ||
        std::any_of(x.a.shape.begin(), x.a.shape.begin() + a, [](uint32_t d) { return d != 1; }))
      throw x.fail(fmt::format("axes [{}] of {}: need one row axis, every axis before it 1", fmt::join(x.attrs.axes, ", "),
                               x.desc(x.a)));
    axis = size_t(a);
    x.r.splat = x.a.splat;  // whole rows move as they are
  }
  if (x.a.shape[axis] != b[x.attrs.step + 1] - b[x.attrs.step])
    throw x.fail(fmt::format("{} is not block {} of [{}] on axis {}", x.desc(x.a), x.attrs.step, fmt::join(b, ", "),
                             axis));
  x.r.shape[axis] = b.back();
}

// A whole tensor of Attrs::shape from another node; the input only gives the type.
void result_handoff(OpRule& x) {
  if (x.a.elements() != 1) throw x.fail(fmt::format("the placeholder {} is not one element", x.desc(x.a)));
  check_shape(x.attrs.shape, x.node, x.where);
  x.r.shape = x.attrs.shape;
}

// Block `step` of chip (step - shift)'s x.
void result_exchange(OpRule& x) {
  check_bounds(x, x.a.shape.back());
  const auto& b = x.attrs.bounds;
  if (x.attrs.shift + 1 >= b.size()) throw x.fail(fmt::format("shift {} among {} chips", x.attrs.shift, b.size() - 1));
  x.r.shape.back() = b[x.attrs.step + 1] - b[x.attrs.step];
}

}  // namespace tsp::compiler
