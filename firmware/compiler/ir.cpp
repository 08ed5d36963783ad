#include "firmware/compiler/ir.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <random>

#include "common/error.hpp"
#include "common/numerics/dtype.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/op_rules.hpp"
#include "firmware/compiler/ops.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

std::string_view tname(isa::DType t) { return isa::dtype_desc(t).name; }

// Bits past the element type cleared; given values copied only if any has
// them. A rule's values are the compiler's own (random, a block of another
// tensor's, a generator's), already within their type: kept unmade and shared.
LazyData masked(LazyData d, isa::DType dtype) {
  if (!d.made()) return d;
  const uint32_t mask = num::lane_mask(dtype);
  for (const uint32_t x : d.values())
    if (x & ~mask) {
      std::vector<uint32_t> v = d.values();
      for (auto& y : v) y &= mask;
      return v;
    }
  return d;
}

}  // namespace

isa::Op vxm_opcode(GraphOp op) { return op_info(op).vxm; }

bool is_binary(GraphOp op) { return op_info(op).kind == OpKind::Binary; }

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

std::string_view op_name(GraphOp op) { return op_info(op).name; }

std::optional<GraphOp> find_graph_op(std::string_view name) {
  for (size_t i = 0; i <= static_cast<size_t>(kLastGraphOp); ++i) {
    const OpInfo& o = op_info(static_cast<GraphOp>(i));
    if (o.named && isa::equal_nocase(o.name, name)) return o.op;
  }
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
  const auto id = static_cast<TensorId>(tensors_.size() - 1);
  if (2 * tensors_.size() > by_name_.size()) {  // rehash at half full
    by_name_.assign(std::bit_ceil(std::max<size_t>(64, 4 * tensors_.size())), kNoTensor);
    for (TensorId i = 0; i < tensors_.size(); ++i) index(i);
  } else {
    index(id);
  }
  return id;
}

void Graph::index(TensorId t) {
  const size_t mask = by_name_.size() - 1;  // a power of two
  size_t i = std::hash<std::string_view>{}(tensors_[t].name) & mask;
  while (by_name_[i] != kNoTensor) i = (i + 1) & mask;
  by_name_[i] = t;
}

TensorId Graph::add_input(const std::string& name, isa::DType dtype, std::vector<uint32_t> shape,
                          LazyData data, Where where) {
  check_shape(shape, "tensor '" + name + "'", where);
  Tensor t{name, dtype, std::move(shape), TensorKind::Input, false, std::move(data), where};
  if (t.data.size() != t.elements())
    throw Error(fmt::format("{}: error: tensor '{}' {} has {} elements but {} values were given", where.str(), name,
                            shape_str(t.shape), t.elements(), t.data.size()));
  t.data = masked(std::move(t.data), dtype);
  t.pad_zero = true;
  // Last dimension 1: stored in every lane, so that lane broadcasts read it as is.
  if (t.shape.back() == 1) t.splat = true, t.pad_zero = false;
  return new_tensor(std::move(t));
}

TensorId Graph::add_const(const std::string& name, isa::DType dtype, std::vector<uint32_t> shape,
                          LazyData data, Where where) {
  const TensorId id = add_input(name, dtype, std::move(shape), std::move(data), where);
  tensors_[id].kind = TensorKind::Const;
  return id;
}

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
  const OpInfo& info = op_info(op);
  const std::string node = fmt::format("node '{}' ({})", out, info.name);
  auto fail = [&](const std::string& why) { return Error(fmt::format("{}: error: {}: {}", where.str(), node, why)); };
  for (TensorId i : inputs)
    if (i >= tensors_.size()) throw fail(fmt::format("input tensor id {} does not exist", i));
  if (op == GraphOp::Gather) {
    if (inputs.size() != 2) throw fail(fmt::format("takes 2 inputs (data, indices), {} given", inputs.size()));
    if (to) throw fail("only cast takes a destination type");
    return add_gather(out, inputs[0], inputs[1], 0, where);
  }
  if (!info.result) throw fail("internal error: built with add_transpose, add_vecop or add_gather_rows");
  const size_t lo = info.min_inputs, hi = info.max_inputs;
  if (inputs.size() < lo || inputs.size() > hi)
    throw fail(lo == hi ? fmt::format("takes {} inputs, {} given", lo, inputs.size())
                        : fmt::format("takes {} to {} inputs, {} given", lo, hi, inputs.size()));
  if (to && op != GraphOp::Cast) throw fail("only cast takes a destination type");
  const Tensor& a = tensor(inputs[info.main_input]);
  Tensor r{out, a.dtype, a.shape, TensorKind::Value, false, {}, where};
  OpRule rule{*this, op, inputs, to, attrs, where, node, a, r};
  try {
    info.result(rule);
  } catch (const Error& e) {
    if (std::string(e.what()).find(": error: ") != std::string::npos) throw;
    throw fail(e.what());
  }
  if (r.shape.back() != 1) r.splat = false;
  // Ops with f(0, ..., 0) = +0 keep zero padding lanes zero (the ALU computes every lane).
  if (info.keeps_zero) {
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

void Graph::set_const_data(TensorId t, LazyData data) {
  Tensor& c = tensors_.at(t);
  if (c.kind != TensorKind::Const || data.size() != c.elements())
    throw Error("internal error: set_const_data on '" + c.name + "'");
  c.data = std::move(data);
}

std::optional<TensorId> Graph::find(std::string_view name) const {
  if (by_name_.empty()) return std::nullopt;
  const size_t mask = by_name_.size() - 1;
  for (size_t i = std::hash<std::string_view>{}(name) & mask; by_name_[i] != kNoTensor; i = (i + 1) & mask)
    if (tensors_[by_name_[i]].name == name) return by_name_[i];
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

LazyData random_lazy(isa::DType dtype, uint64_t count, uint64_t seed) {
  return LazyData::deferred(count, [=] { return random_data(dtype, count, seed); });
}

}  // namespace tsp::compiler
