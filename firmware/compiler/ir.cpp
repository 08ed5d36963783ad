#include "firmware/compiler/ir.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <random>

#include "common/error.hpp"
#include "common/numerics/dtype.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

constexpr std::array<std::string_view, 30> kOpNames = {
    "add",       "sub",     "mul",       "max",    "min",     "relu",          "exp",       "tanh",
    "rsqrt",     "cast",    "matmul",    "sel",    "rmsnorm", "layernorm",     "reducesum", "reducemean",
    "reducemax", "softmax", "sigmoid",   "silu",   "gelu",    "matmulinteger", "reshape",   "permute",
    "lanesum",   "fold",    "transpose", "gather", "vecop",   "gatherrows"};

std::string shape_str(const std::vector<uint32_t>& s) {
  std::string out;
  for (uint32_t d : s) out += fmt::format("{}{}", out.empty() ? "" : ",", d);
  return "[" + out + "]";
}

std::string_view tname(isa::DType t) { return isa::dtype_desc(t).name; }

void check_shape(const std::vector<uint32_t>& shape, const std::string& what, const Where& where) {
  if (shape.empty() || shape.size() > kMaxRank)
    throw Error(fmt::format("{}: error: {}: rank {} is not supported (rank 1 to {})", where.str(), what, shape.size(),
                            kMaxRank));
  for (uint32_t d : shape)
    if (d == 0) throw Error(fmt::format("{}: error: {}: a dimension of 0", where.str(), what));
}

}  // namespace

// The ISA opcode that carries an elementwise graph op (its `types` say which element types work).
isa::Op vxm_opcode(GraphOp op) {
  switch (op) {
    case GraphOp::Add:
      return isa::Op::ADD;
    case GraphOp::Sub:
      return isa::Op::SUB;
    case GraphOp::Mul:
      return isa::Op::MUL;
    case GraphOp::Max:
      return isa::Op::MAX;
    case GraphOp::Min:
      return isa::Op::MIN;
    case GraphOp::Relu:
      return isa::Op::RELU;
    case GraphOp::Exp:
      return isa::Op::EXP;
    case GraphOp::Tanh:
      return isa::Op::TANH;
    case GraphOp::Rsqrt:
      return isa::Op::RSQRT;
    case GraphOp::Sel:
      return isa::Op::SEL;
    case GraphOp::Permute:
      return isa::Op::PERMUTE;
    default:
      return isa::Op::CVT;
  }
}

bool is_binary(GraphOp op) {
  return op == GraphOp::Add || op == GraphOp::Sub || op == GraphOp::Mul || op == GraphOp::Max || op == GraphOp::Min;
}

std::optional<std::vector<uint32_t>> broadcast_shape(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<uint32_t> out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {  // from the last dimension
    const uint32_t x = i < a.size() ? a[a.size() - 1 - i] : 1, y = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[out.size() - 1 - i] = std::max(x, y);
  }
  return out;
}

uint64_t broadcast_index(const std::vector<uint32_t>& in, const std::vector<uint32_t>& out, uint64_t e) {
  uint64_t idx = 0, mul = 1;
  for (size_t i = 0; i < out.size(); ++i) {  // from the last dimension
    const uint32_t od = out[out.size() - 1 - i];
    const uint64_t c = e % od;
    e /= od;
    if (i < in.size()) {
      const uint32_t d = in[in.size() - 1 - i];
      idx += (d == 1 ? 0 : c) * mul;
      mul *= d;
    }
  }
  return idx;
}

uint64_t fold_index(const std::vector<uint32_t>& shape, const std::vector<int64_t>& axes, uint64_t j, uint64_t e) {
  uint64_t idx = 0, mul = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    const bool red = std::find(axes.begin(), axes.end(), int64_t(i)) != axes.end();
    uint64_t c;
    if (red) {
      c = j % shape[i];
      j /= shape[i];
    } else {
      c = e % shape[i];
      e /= shape[i];
    }
    idx += c * mul;
    mul *= shape[i];
  }
  return idx;
}

std::string_view op_name(GraphOp op) { return kOpNames[static_cast<size_t>(op)]; }

std::optional<GraphOp> find_graph_op(std::string_view name) {
  for (size_t i = 0; i <= static_cast<size_t>(GraphOp::Gather); ++i)  // the rest: internal
    if (isa::equal_nocase(kOpNames[i], name)) return static_cast<GraphOp>(i);
  return std::nullopt;
}

uint64_t Tensor::elements() const {
  uint64_t n = 1;
  for (uint32_t d : shape) n *= d;
  return n;
}

TensorId Graph::new_tensor(Tensor t) {
  if (!image::is_identifier(t.name))
    throw Error(fmt::format("{}: error: '{}' is not a tensor name ([A-Za-z_][A-Za-z0-9_.]*)", t.where.str(), t.name));
  if (find(t.name))
    throw Error(fmt::format("{}: error: tensor '{}' is already defined at {}", t.where.str(), t.name,
                            tensor(*find(t.name)).where.str()));
  tensors_.push_back(std::move(t));
  return static_cast<TensorId>(tensors_.size() - 1);
}

TensorId Graph::add_input(const std::string& name, isa::DType dtype, std::vector<uint32_t> shape,
                          std::vector<uint32_t> data, Where where) {
  check_shape(shape, "tensor '" + name + "'", where);
  Tensor t{name, dtype, std::move(shape), TensorKind::Input, false, std::move(data), where};
  if (t.data.size() != t.elements())
    throw Error(fmt::format("{}: error: tensor '{}' {} has {} elements but {} values were given", where.str(), name,
                            shape_str(t.shape), t.elements(), t.data.size()));
  for (auto& v : t.data) v &= num::lane_mask(dtype);
  t.pad_zero = true;
  // Last dimension 1: stored in every lane, so that lane broadcasts read it as is.
  if (t.shape.back() == 1) t.splat = true, t.pad_zero = false;
  return new_tensor(std::move(t));
}

TensorId Graph::add_const(const std::string& name, isa::DType dtype, std::vector<uint32_t> shape,
                          std::vector<uint32_t> data, Where where) {
  const TensorId id = add_input(name, dtype, std::move(shape), std::move(data), where);
  tensors_[id].kind = TensorKind::Const;
  return id;
}

namespace {

std::string type_list(isa::Op op) {
  std::string s;
  for (const auto& d : isa::kDTypes)
    if ((isa::op_desc(op).type_mask >> static_cast<unsigned>(d.type)) & 1u)
      s += fmt::format("{}{}", s.empty() ? "" : " ", d.name);
  return s;
}

bool is_half(isa::DType t) { return t == isa::DType::f16 || t == isa::DType::bf16; }

}  // namespace

std::vector<int64_t> normalize_axes(std::vector<int64_t> axes, size_t rank, bool empty_is_all) {
  if (axes.empty() && empty_is_all)
    for (size_t i = 0; i < rank; ++i) axes.push_back(int64_t(i));
  for (auto& a : axes) {
    if (a < -int64_t(rank) || a >= int64_t(rank))
      throw Error(fmt::format("axis {} is out of range for rank {}", a, rank));
    if (a < 0) a += int64_t(rank);
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) throw Error("an axis is named twice");
  return axes;
}

TensorId Graph::add(GraphOp op, const std::string& out, std::vector<TensorId> inputs, Where where,
                    std::optional<isa::DType> to, Attrs attrs) {
  const std::string node = fmt::format("node '{}' ({})", out, op_name(op));
  auto fail = [&](const std::string& why) { return Error(fmt::format("{}: error: {}: {}", where.str(), node, why)); };
  for (TensorId i : inputs)
    if (i >= tensors_.size()) throw fail(fmt::format("input tensor id {} does not exist", i));
  if (op == GraphOp::Transpose || op == GraphOp::VecOp || op == GraphOp::GatherRows)
    throw fail("internal error: built with add_transpose, add_vecop or add_gather_rows");
  if (op == GraphOp::Gather) {
    if (inputs.size() != 2) throw fail(fmt::format("takes 2 inputs (data, indices), {} given", inputs.size()));
    if (to) throw fail("only cast takes a destination type");
    return add_gather(out, inputs[0], inputs[1], 0, where);
  }
  const bool norm = op == GraphOp::RmsNorm || op == GraphOp::LayerNorm;
  const bool reduce = op == GraphOp::ReduceSum || op == GraphOp::ReduceMean || op == GraphOp::ReduceMax;
  size_t lo = 1, hi = 1;
  if (is_binary(op) || op == GraphOp::MatMul || op == GraphOp::Permute || op == GraphOp::LaneSum || op == GraphOp::Fold)
    lo = hi = 2;
  if (op == GraphOp::Sel) lo = hi = 3;
  if (op == GraphOp::RmsNorm) hi = 2;                // x [, scale]
  if (op == GraphOp::LayerNorm) hi = 3;              // x [, scale [, bias]]
  if (op == GraphOp::MatMulInteger) lo = 2, hi = 4;  // a b [za [zb]]
  if (inputs.size() < lo || inputs.size() > hi)
    throw fail(lo == hi ? fmt::format("takes {} inputs, {} given", lo, inputs.size())
                        : fmt::format("takes {} to {} inputs, {} given", lo, hi, inputs.size()));
  if (to && op != GraphOp::Cast) throw fail("only cast takes a destination type");
  const Tensor& a = tensor(inputs[op == GraphOp::Sel ? 1 : 0]);
  auto desc = [&](const Tensor& t) { return fmt::format("{} {}{}", t.name, tname(t.dtype), shape_str(t.shape)); };
  Tensor r{out, a.dtype, a.shape, TensorKind::Value, false, {}, where};
  auto need_float = [&](const char* what) {
    if (!isa::dtype_desc(a.dtype).is_float) throw fail(fmt::format("{} takes f16, bf16 or f32, not {}", what, desc(a)));
  };
  try {
    if (norm) {
      need_float("a norm");
      for (size_t i = 1; i < inputs.size(); ++i) {
        const Tensor& p = tensor(inputs[i]);
        if (p.dtype != a.dtype || p.elements() != a.shape.back() || p.shape.back() != a.shape.back())
          throw fail(fmt::format("{} must be [{}] of {} (the last dimension of {})", desc(p), a.shape.back(),
                                 tname(a.dtype), a.name));
      }
      if (!(attrs.epsilon >= 0)) throw fail("epsilon must be >= 0");
      if (attrs.part > 2 || (attrs.part && op != GraphOp::LayerNorm))
        throw fail("only layernorm has the parts mean and invstddev");
      if (attrs.part) {
        r.dtype = isa::DType::f32;
        r.shape.back() = 1;
        r.splat = true;
      }
    } else if (reduce) {
      if (op != GraphOp::ReduceMax) need_float(op == GraphOp::ReduceSum ? "reducesum" : "reducemean");
      attrs.axes = normalize_axes(attrs.axes, a.shape.size(), true);
      std::vector<uint32_t> s;
      for (size_t d = 0; d < a.shape.size(); ++d) {
        const bool red = std::find(attrs.axes.begin(), attrs.axes.end(), int64_t(d)) != attrs.axes.end();
        if (!red || attrs.keepdims) s.push_back(red ? 1 : a.shape[d]);
      }
      const bool last = attrs.axes.back() == int64_t(a.shape.size() - 1);
      if (!attrs.keepdims && last && !s.empty() && a.shape.back() != 1)
        throw fail("keepdims 0 over the last axis with other axes left would move values across lanes (not yet)");
      if (s.empty()) s.push_back(1);
      r.shape = s;
      r.splat = last;
    } else if (op == GraphOp::Softmax) {
      need_float("softmax");
      if (attrs.axes.empty()) attrs.axes = {-1};
      if (attrs.axes.size() != 1) throw fail("takes one axis");
      attrs.axes = normalize_axes(attrs.axes, a.shape.size(), false);
    } else if (op == GraphOp::Sigmoid || op == GraphOp::Silu || op == GraphOp::Gelu) {
      need_float(op == GraphOp::Sigmoid ? "sigmoid" : op == GraphOp::Silu ? "silu" : "gelu");
      if (attrs.gelu_tanh && op != GraphOp::Gelu) throw fail("only gelu takes 'approximate'");
    } else if (op == GraphOp::Reshape) {
      check_shape(attrs.shape, node, where);
      uint64_t n = 1;
      for (uint32_t d : attrs.shape) n *= d;
      if (n != a.elements())
        throw fail(fmt::format("{} does not have the {} elements of {}", shape_str(attrs.shape), n, desc(a)));
      r.shape = attrs.shape;
      r.splat = a.splat && r.shape.back() == 1;
      r.pad_zero = a.pad_zero;
    } else if (op == GraphOp::Permute) {
      const Tensor& m = tensor(inputs[1]);
      if (m.dtype != isa::DType::i16 || m.kind == TensorKind::Value || m.elements() != m.shape.back())
        throw fail(fmt::format("the map {} must be an i16 input or const of one row", desc(m)));
      for (uint32_t v : m.data)
        if (v >= a.shape.back())
          throw fail(fmt::format("map value {} is past the {} columns of {}", v, a.shape.back(), a.name));
      if (a.shape.back() > 0 && m.shape.back() > 0 && a.elements() / a.shape.back() * m.shape.back() == 0)
        throw fail("empty result");
      r.shape.back() = m.shape.back();
      // The map's padding lanes are zero: with map = [0] every lane gets column 0.
      r.splat = m.shape.back() == 1 && m.data[0] == 0;
    } else if (op == GraphOp::LaneSum) {
      const Tensor& w = tensor(inputs[1]);
      if (!(is_half(a.dtype) && is_half(w.dtype)) && !(a.dtype == isa::DType::i8 || a.dtype == isa::DType::u8))
        throw fail(fmt::format("sums f16/bf16 (to f32) or i8/u8 (to i32), not {}", desc(a)));
      if (w.shape.size() != 2 || w.shape[0] != a.shape.back() || w.kind == TensorKind::Value)
        throw fail(fmt::format("needs ones [{}, lanes] from the image, not {}", a.shape.back(), desc(w)));
      r.dtype = is_half(a.dtype) ? isa::DType::f32 : isa::DType::i32;
      r.shape.back() = 1;
      r.splat = true;
    } else if (op == GraphOp::Fold) {
      const Tensor& x = tensor(inputs[1]);
      attrs.axes = normalize_axes(attrs.axes, x.shape.size(), false);
      std::vector<uint32_t> s = x.shape;
      uint64_t steps = 1;
      for (int64_t d : attrs.axes) {
        steps *= s[size_t(d)];
        s[size_t(d)] = 1;
      }
      const bool last = attrs.axes == std::vector<int64_t>{int64_t(x.shape.size() - 1)};
      if (last) {  // lane blocks of acc's width
        s.back() = a.shape.back();
        steps = x.shape.back() / a.shape.back();
      }
      if (attrs.axes.empty() || (!last && attrs.axes.back() == int64_t(x.shape.size() - 1)) || a.shape != s ||
          a.dtype != x.dtype || attrs.step >= steps || (attrs.fold_op != GraphOp::Add && attrs.fold_op != GraphOp::Max))
        throw fail(fmt::format("bad fold of {} into {}", desc(x), desc(a)));
      r.splat = a.splat && x.splat;
      r.pad_zero = a.pad_zero && x.pad_zero;
    } else if (op == GraphOp::MatMulInteger) {
      const Tensor& w = tensor(inputs[1]);
      const auto int8 = [](isa::DType t) { return t == isa::DType::i8 || t == isa::DType::u8; };
      if (!int8(a.dtype) || !int8(w.dtype))
        throw fail(fmt::format("takes int8/uint8 operands, not {} and {}", desc(a), desc(w)));
      if (a.shape.size() != 2 || w.shape.size() != 2 || a.shape[1] != w.shape[0])
        throw fail(
            fmt::format("shapes {} x {} do not multiply ([M,K] x [K,N])", shape_str(a.shape), shape_str(w.shape)));
      for (size_t i = 2; i < inputs.size(); ++i) {
        const Tensor& z = tensor(inputs[i]);
        const Tensor& of = i == 2 ? a : w;
        if (z.dtype != of.dtype || z.elements() != 1)
          throw fail(fmt::format("zero point {} must be one {} value (per-row/column zero points: not yet)", desc(z),
                                 tname(of.dtype)));
      }
      r.dtype = isa::DType::i32;
      r.shape = {a.shape[0], w.shape[1]};
    } else if (op == GraphOp::MatMul) {
      const Tensor& w = tensor(inputs[1]);
      const auto int8 = [](isa::DType t) { return t == isa::DType::i8 || t == isa::DType::u8; };
      const bool ints = int8(a.dtype) && int8(w.dtype), floats = is_half(a.dtype) && is_half(w.dtype);
      if (!ints && !floats)
        throw fail(fmt::format("{} x {} is not supported (int8/uint8 x int8/uint8 -> i32, f16/bf16 x f16/bf16 -> f32)",
                               tname(a.dtype), tname(w.dtype)));
      if (a.shape.size() != 2 || w.shape.size() != 2 || a.shape[1] != w.shape[0])
        throw fail(
            fmt::format("shapes {} x {} do not multiply ([M,K] x [K,N])", shape_str(a.shape), shape_str(w.shape)));
      r.dtype = ints ? isa::DType::i32 : isa::DType::f32;
      r.shape = {a.shape[0], w.shape[1]};
    } else {
      const isa::Op isa_op = vxm_opcode(op);
      if (op == GraphOp::Cast) {
        if (!to) throw fail("cast needs a destination type");
        r.dtype = *to;
      }
      if (!((isa::op_desc(isa_op).type_mask >> static_cast<unsigned>(r.dtype)) & 1u))
        throw fail(fmt::format("not supported on {} (the VXM's {} takes {})", tname(r.dtype),
                               isa::op_desc(isa_op).mnemonic, type_list(isa_op)));
      r.splat = a.splat;
      // Lanes past the last column stay zero where 0 op 0 = 0.
      r.pad_zero = (op == GraphOp::Relu || op == GraphOp::Cast) && a.pad_zero;
      if (op == GraphOp::Sel) {
        const Tensor& c = tensor(inputs[0]);
        const Tensor& b = tensor(inputs[2]);
        const auto ab = broadcast_shape(a.shape, b.shape);
        const auto abc = ab ? broadcast_shape(*ab, c.shape) : std::nullopt;
        if (b.dtype != a.dtype || !abc || isa::dtype_desc(c.dtype).bytes != isa::dtype_desc(a.dtype).bytes)
          throw fail(fmt::format("needs c, a, b that broadcast, a and b of one type and c of its width; got {}, {}, {}",
                                 desc(c), desc(a), desc(b)));
        r.shape = *abc;
        // Padding lanes take b's where c's padding is zero.
        r.pad_zero = c.pad_zero && b.pad_zero;
        r.splat = a.splat && b.splat && c.splat;
      } else if (is_binary(op)) {
        const Tensor& b = tensor(inputs[1]);
        const auto s = broadcast_shape(a.shape, b.shape);
        if (b.dtype != a.dtype || !s)
          throw fail(fmt::format("operands {} and {} {}", desc(a), desc(b),
                                 b.dtype != a.dtype ? "differ in type" : "do not broadcast"));
        r.shape = *s;
        r.splat = r.shape.back() == 1 && a.splat && b.splat;
        r.pad_zero = a.pad_zero && b.pad_zero;
      }
    }
  } catch (const Error& e) {
    if (std::string(e.what()).find(": error: ") != std::string::npos) throw;
    throw fail(e.what());
  }
  if (r.shape.back() != 1) r.splat = false;
  // Ops with f(0, ..., 0) = +0 keep zero padding lanes zero (the ALU computes every lane).
  const bool keeps_zero = op == GraphOp::Add || op == GraphOp::Sub || op == GraphOp::Mul || op == GraphOp::Max ||
                          op == GraphOp::Min || op == GraphOp::Relu || op == GraphOp::Tanh || op == GraphOp::Cast;
  if (keeps_zero) {
    r.pad_zero = true;
    for (TensorId i : inputs) r.pad_zero = r.pad_zero && tensor(i).pad_zero;
  }
  const TensorId id = new_tensor(std::move(r));
  nodes_.push_back({op, std::move(inputs), id, where, std::move(attrs), {}, nullptr});
  return id;
}

TensorId Graph::add_gather(const std::string& out, TensorId data, TensorId idx, int32_t axis, Where where) {
  auto fail = [&](const std::string& why) {
    return Error(fmt::format("{}: error: node '{}' (gather): {}", where.str(), out, why));
  };
  if (data >= tensors_.size() || idx >= tensors_.size()) throw fail("an input tensor does not exist");
  const Tensor& d = tensor(data);
  const Tensor& ix = tensor(idx);
  const auto n = int32_t(d.shape.size());
  if (n < 2)
    throw fail(fmt::format("data '{}' {} must have rank 2 or more (a gather picks whole vectors)", d.name,
                           shape_str(d.shape)));
  if (axis < -n || axis >= n) throw fail(fmt::format("axis {} is outside data '{}' of rank {}", axis, d.name, n));
  const auto a = static_cast<size_t>(axis < 0 ? axis + n : axis);
  if (ix.dtype != isa::DType::i32)
    throw fail(fmt::format("indices '{}' must be i32, not {}", ix.name, tname(ix.dtype)));
  if (d.shape.size() + ix.shape.size() - 1 > kMaxRank)
    throw fail(
        fmt::format("the result would have rank {} (at most {})", d.shape.size() + ix.shape.size() - 1, kMaxRank));
  if (ix.kind != TensorKind::Value)  // known now: ONNX says out of range is an error
    for (size_t e = 0; e < ix.data.size(); ++e)
      if (int32_t(ix.data[e]) < 0 || uint32_t(ix.data[e]) >= d.shape[a])
        throw fail(fmt::format("index {} = {} of '{}' is out of range [0, {}) of data '{}' axis {}", e,
                               int32_t(ix.data[e]), ix.name, d.shape[a], d.name, a));
  Tensor r{out, d.dtype, {}, TensorKind::Value, false, {}, where};
  r.shape.assign(d.shape.begin(), d.shape.begin() + std::ptrdiff_t(a));
  r.shape.insert(r.shape.end(), ix.shape.begin(), ix.shape.end());
  r.shape.insert(r.shape.end(), d.shape.begin() + std::ptrdiff_t(a) + 1, d.shape.end());
  const TensorId id = new_tensor(std::move(r));
  Node node{GraphOp::Gather, {data, idx}, id, where, {}, {}, nullptr};
  node.perm = {static_cast<uint32_t>(a)};
  nodes_.push_back(std::move(node));
  return id;
}

TensorId Graph::add_transpose(const std::string& out, TensorId x, std::vector<uint32_t> perm, Where where) {
  auto fail = [&](const std::string& why) {
    return Error(fmt::format("{}: error: node '{}' (transpose): {}", where.str(), out, why));
  };
  if (x >= tensors_.size()) throw fail(fmt::format("input tensor id {} does not exist", x));
  const Tensor& a = tensor(x);
  const size_t n = a.shape.size();
  if (perm.empty())
    for (size_t d = 0; d < n; ++d) perm.push_back(static_cast<uint32_t>(n - 1 - d));
  std::vector<bool> seen(n, false);
  bool ok = perm.size() == n;
  for (uint32_t p : perm) {
    ok = ok && p < n && !seen[p];
    if (p < n) seen[p] = true;
  }
  if (!ok)
    throw fail(fmt::format("perm [{}] is not a permutation of the {} dimensions of '{}' {}", fmt::join(perm, ","), n,
                           a.name, shape_str(a.shape)));
  Tensor r{out, a.dtype, {}, TensorKind::Value, false, {}, where};
  for (uint32_t p : perm) r.shape.push_back(a.shape[p]);
  const TensorId id = new_tensor(std::move(r));
  Node node{GraphOp::Transpose, {x}, id, where, {}, {}, nullptr};
  node.perm = std::move(perm);
  nodes_.push_back(std::move(node));
  return id;
}

TensorId Graph::add_vecop(const std::string& out, std::vector<TensorId> inputs, isa::DType dtype,
                          std::vector<uint32_t> shape, VecSpec spec, Where where, bool pad_zero) {
  if (spec.group < 1 || inputs.size() != size_t(spec.group) * isa::dtype_desc(dtype).bytes ||
      spec.plane.size() != inputs.size())
    throw Error(
        fmt::format("{}: internal error: vector program '{}' needs a group of inputs (and their planes) per "
                    "result plane",
                    where.str(), out));
  check_shape(shape, "tensor '" + out + "'", where);
  Tensor r{out, dtype, std::move(shape), TensorKind::Value, false, {}, where};
  r.pad_zero = pad_zero;
  const TensorId id = new_tensor(std::move(r));
  Node node{GraphOp::VecOp, std::move(inputs), id, where, {}, {}, nullptr};
  node.vec = std::make_shared<const VecSpec>(std::move(spec));
  nodes_.push_back(std::move(node));
  return id;
}

TensorId Graph::add_gather_rows(const std::string& out, TensorId data, TensorId map, TensorId base,
                                std::vector<uint32_t> shape, Where where) {
  check_shape(shape, "tensor '" + out + "'", where);
  Tensor r{out, tensor(data).dtype, std::move(shape), TensorKind::Value, false, {}, where};
  r.pad_zero = tensor(data).pad_zero;  // whole data vectors, padding lanes included
  const TensorId id = new_tensor(std::move(r));
  nodes_.push_back({GraphOp::GatherRows, {data, map, base}, id, where, {}, {}, nullptr});
  return id;
}

void Graph::set_const_data(TensorId t, std::vector<uint32_t> data) {
  Tensor& c = tensors_.at(t);
  if (c.kind != TensorKind::Const || data.size() != c.elements())
    throw Error("internal error: set_const_data on '" + c.name + "'");
  c.data = std::move(data);
}

std::optional<TensorId> Graph::find(std::string_view name) const {
  for (size_t i = 0; i < tensors_.size(); ++i)
    if (tensors_[i].name == name) return static_cast<TensorId>(i);
  return std::nullopt;
}

const Node* Graph::producer(TensorId t) const {
  for (const Node& n : nodes_)
    if (n.output == t) return &n;
  return nullptr;
}

std::vector<uint32_t> random_data(isa::DType dtype, uint64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> out(count);
  for (auto& v : out) {
    const uint64_t x = rng();
    switch (dtype) {
      case isa::DType::f16:
        v = num::from_double<num::kF16>((int(x % 512) - 256) / 64.0);
        break;
      case isa::DType::bf16:
        v = num::from_double<num::kBF16>((int(x % 512) - 256) / 64.0);
        break;
      case isa::DType::f32:
        v = num::from_double<num::kF32>((int(x % 512) - 256) / 64.0);
        break;
      default:
        v = static_cast<uint32_t>(x) & num::lane_mask(dtype);
    }
  }
  return out;
}

}  // namespace tsp::compiler
