#include "firmware/compiler/ir.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <random>

#include "common/error.hpp"
#include "common/numerics/dtype.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

constexpr std::array<std::string_view, 20> kOpNames = {
    "add",    "sub", "mul",    "max",    "min",     "relu",      "exp",       "tanh",   "rsqrt", "cast",
    "matmul", "sel", "mulrow", "subrow", "rmsnorm", "layernorm", "transpose", "gather", "vecop", "gatherrows"};

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
    case GraphOp::MulRow:
      return isa::Op::MUL;
    case GraphOp::SubRow:
      return isa::Op::SUB;
    default:
      return isa::Op::CVT;
  }
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
  return new_tensor(std::move(t));
}

TensorId Graph::add_const(const std::string& name, isa::DType dtype, std::vector<uint32_t> shape,
                          std::vector<uint32_t> data, Where where) {
  const TensorId id = add_input(name, dtype, std::move(shape), std::move(data), where);
  tensors_[id].kind = TensorKind::Const;
  return id;
}

TensorId Graph::add(GraphOp op, const std::string& out, std::vector<TensorId> inputs, Where where,
                    std::optional<isa::DType> to) {
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
  const bool binary = op == GraphOp::Add || op == GraphOp::Sub || op == GraphOp::Mul || op == GraphOp::Max ||
                      op == GraphOp::Min || op == GraphOp::MatMul || op == GraphOp::MulRow || op == GraphOp::SubRow;
  const size_t arity = op == GraphOp::Sel ? 3 : binary ? 2 : 1;
  if (inputs.size() != arity) throw fail(fmt::format("takes {} inputs, {} given", arity, inputs.size()));
  const Tensor& a = tensor(inputs[op == GraphOp::Sel ? 1 : 0]);
  Tensor r{out, a.dtype, a.shape, TensorKind::Value, false, {}, where};
  if (op == GraphOp::RmsNorm || op == GraphOp::LayerNorm) {
    if ((a.dtype != isa::DType::f16 && a.dtype != isa::DType::bf16) || a.shape.size() != 2)
      throw fail(
          fmt::format("takes an f16 or bf16 [rows, columns] tensor, not {}{}", tname(a.dtype), shape_str(a.shape)));
  } else if (op == GraphOp::MatMul) {
    const Tensor& w = tensor(inputs[1]);
    const auto int8 = [](isa::DType t) { return t == isa::DType::i8 || t == isa::DType::u8; };
    const auto half = [](isa::DType t) { return t == isa::DType::f16 || t == isa::DType::bf16; };
    const bool ints = int8(a.dtype) && int8(w.dtype), floats = half(a.dtype) && half(w.dtype);
    if (!ints && !floats)
      throw fail(fmt::format("{} x {} is not supported (int8/uint8 x int8/uint8 -> i32, f16/bf16 x f16/bf16 -> f32)",
                             tname(a.dtype), tname(w.dtype)));
    if (a.shape.size() != 2 || w.shape.size() != 2 || a.shape[1] != w.shape[0])
      throw fail(fmt::format("shapes {} x {} do not multiply ([M,K] x [K,N])", shape_str(a.shape), shape_str(w.shape)));
    r.dtype = ints ? isa::DType::i32 : isa::DType::f32;
    r.shape = {a.shape[0], w.shape[1]};
  } else {
    const isa::Op isa_op = vxm_opcode(op);
    if (op == GraphOp::Cast) {
      if (!to) throw fail("cast needs a destination type");
      r.dtype = *to;
    } else if (to) {
      throw fail("only cast takes a destination type");
    }
    if (!((isa::op_desc(isa_op).type_mask >> static_cast<unsigned>(r.dtype)) & 1u))
      throw fail(fmt::format("not supported on {} (the VXM's {} takes {})", tname(r.dtype),
                             isa::op_desc(isa_op).mnemonic, [&] {
                               std::string s;
                               for (const auto& d : isa::kDTypes)
                                 if ((isa::op_desc(isa_op).type_mask >> static_cast<unsigned>(d.type)) & 1u)
                                   s += fmt::format("{}{}", s.empty() ? "" : " ", d.name);
                               return s;
                             }()));
    if (op == GraphOp::MulRow || op == GraphOp::SubRow) {
      const Tensor& s = tensor(inputs[1]);
      if (s.dtype != a.dtype || a.shape.size() != 2 || s.shape.size() != 2 || s.shape[0] != a.shape[0])
        throw fail(fmt::format("needs x[M,C] and row values s[M,lanes] of one type, not {} {}{} and {} {}{}", a.name,
                               tname(a.dtype), shape_str(a.shape), s.name, tname(s.dtype), shape_str(s.shape)));
    } else if (op == GraphOp::Sel) {
      const Tensor& c = tensor(inputs[0]);
      const Tensor& b = tensor(inputs[2]);
      if (b.dtype != a.dtype || b.shape != a.shape || c.shape != a.shape ||
          isa::dtype_desc(c.dtype).bytes != isa::dtype_desc(a.dtype).bytes)
        throw fail(
            fmt::format("needs c, a, b of one shape, a and b of one type and c of its width; got {} {}{}, "
                        "{} {}{}, {} {}{}",
                        c.name, tname(c.dtype), shape_str(c.shape), a.name, tname(a.dtype), shape_str(a.shape), b.name,
                        tname(b.dtype), shape_str(b.shape)));
      // Padding lanes take b's where c's padding is zero.
      r.pad_zero = c.pad_zero && b.pad_zero;
    } else if (binary) {
      const Tensor& b = tensor(inputs[1]);
      if (b.dtype != a.dtype || b.shape != a.shape)
        throw fail(fmt::format("operands {} {}{} and {} {}{} differ (no broadcasting yet)", a.name, tname(a.dtype),
                               shape_str(a.shape), b.name, tname(b.dtype), shape_str(b.shape)));
    }
  }
  const TensorId id = new_tensor(std::move(r));
  nodes_.push_back({op, std::move(inputs), id, where, {}, nullptr});
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
  Node node{GraphOp::Gather, {data, idx}, id, where, {}, nullptr};
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
  Node node{GraphOp::Transpose, {x}, id, where, {}, nullptr};
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
  Node node{GraphOp::VecOp, std::move(inputs), id, where, {}, nullptr};
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
  nodes_.push_back({GraphOp::GatherRows, {data, map, base}, id, where, {}, nullptr});
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
