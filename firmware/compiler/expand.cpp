#include "firmware/compiler/expand.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "common/error.hpp"
#include "common/numerics/dtype.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/activation.hpp"
#include "firmware/compiler/gather.hpp"
#include "firmware/compiler/movement.hpp"
#include "firmware/compiler/transpose.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

uint32_t float_bits(isa::DType t, double v) {
  if (t == isa::DType::f16) return num::from_double<num::kF16>(v);
  if (t == isa::DType::bf16) return num::from_double<num::kBF16>(v);
  return num::from_double<num::kF32>(v);
}

enum class Red { Sum, Mean, Max };

uint64_t count(const std::vector<uint32_t>& shape) {
  uint64_t n = 1;
  for (uint32_t d : shape) n *= d;
  return n;
}

class Expander {
 public:
  Expander(const Graph& g, const isa::Config& cfg) : g_(g), cfg_(cfg), map_(g.tensors().size()) {}

  Graph run() {
    for (size_t i = 0; i < g_.tensors().size(); ++i) {
      const Tensor& t = g_.tensors()[i];
      if (t.kind == TensorKind::Input) map_[i] = out_.add_input(t.name, t.dtype, t.shape, t.data, t.where);
      if (t.kind == TensorKind::Const) map_[i] = out_.add_const(t.name, t.dtype, t.shape, t.data, t.where);
    }
    std::vector<std::vector<const Node*>> readers(g_.tensors().size());
    producer_.assign(g_.tensors().size(), nullptr);
    for (const Node& n : g_.nodes()) {
      for (TensorId t : n.inputs) readers[t].push_back(&n);
      producer_[n.output] = &n;
    }
    std::map<const Node*, TensorId> cast_first;  // a Cast already done before the Transpose it follows
    for (const Node& n : g_.nodes()) {
      if (const auto done = cast_first.find(&n); done != cast_first.end()) {
        map_[n.output] = done->second;
        continue;
      }
      std::vector<TensorId> in;
      for (TensorId t : n.inputs) in.push_back(map_[t]);
      const Tensor& o = g_.tensor(n.output);
      node_ = &n;
      w_ = n.where;
      y_ = o.name;
      TensorId r;
      switch (n.op) {
        case GraphOp::RmsNorm:
        case GraphOp::LayerNorm:
          r = norm(n.op == GraphOp::LayerNorm, in);
          break;
        case GraphOp::ReduceSum:
        case GraphOp::ReduceMean:
        case GraphOp::ReduceMax: {
          const Red k = n.op == GraphOp::ReduceSum ? Red::Sum : n.op == GraphOp::ReduceMean ? Red::Mean : Red::Max;
          r = reduce(k, in[0], n.attrs.axes);
          break;
        }
        case GraphOp::MatMulInteger:
          r = matmul_integer(in);
          break;
        case GraphOp::Softmax:
          r = softmax(in[0], n.attrs.axes[0]);
          break;
        case GraphOp::Sigmoid:
          r = float_sigmoid(out_, o.name, in[0], w_);
          break;
        case GraphOp::Silu:
          r = float_silu(out_, o.name, in[0], w_);
          break;
        case GraphOp::Gelu:
          r = float_gelu(out_, o.name, in[0], n.attrs.gelu_tanh, w_);
          break;
        case GraphOp::Transpose:
          // A Transpose read only by a narrowing Cast (attention's K^T, f32 to
          // f16): cast first, then move half the byte planes. Both act per
          // element, so the values are the same.
          if (const std::vector<const Node*>& rd = readers[n.output];
              !o.output && rd.size() == 1 && rd[0]->op == GraphOp::Cast &&
              isa::dtype_desc(g_.tensor(rd[0]->output).dtype).bytes < isa::dtype_desc(o.dtype).bytes) {
            const Tensor& c = g_.tensor(rd[0]->output);
            // Of a Concat (the KV cache and the new keys): each part cast, then
            // concatenated again, so the old part can move before the new one is made.
            const Node* cat = producer_[n.inputs[0]];
            TensorId narrow;
            if (cat && cat->op == GraphOp::Concat) {
              std::vector<TensorId> parts;
              for (TensorId t : cat->inputs)
                parts.push_back(out_.add(GraphOp::Cast, fmt::format("{}.first{}", c.name, parts.size()), {map_[t]},
                                         rd[0]->where, c.dtype));
              narrow = expand_concat(out_, parts, uint32_t(cat->attrs.axes.at(0)), c.name + ".cat", n.where, cfg_);
            } else {
              narrow = out_.add(GraphOp::Cast, c.name + ".first", {in[0]}, rd[0]->where, c.dtype);
            }
            cast_first[rd[0]] = map_[n.output] = expand_transpose(out_, narrow, n.perm, c.name, n.where, cfg_);
            continue;
          }
          r = expand_transpose(out_, in[0], n.perm, o.name, n.where, cfg_);
          break;
        case GraphOp::Gather:
          r = gather_axis(in[0], in[1], n.perm.at(0), o.name, n.where);
          break;
        case GraphOp::GatherRows:
          r = out_.add_gather_rows(o.name, in[0], in[1], in[2], o.shape, n.where);
          break;
        case GraphOp::VecOp:
          r = out_.add_vecop(o.name, in, o.dtype, o.shape, *n.vec, n.where, o.pad_zero);
          break;
        case GraphOp::MatMul:
          // The MXM multiplies whole lane blocks: float activations computed on
          // the chip get their padding lanes zeroed (0 x inf is NaN), ints need not.
          if (isa::dtype_desc(out_.tensor(in[0]).dtype).is_float) in[0] = zero_padded(in[0]);
          r = out_.tensor(in[0]).shape.size() > 2 || out_.tensor(in[1]).shape.size() > 2
                  ? expand_batch_matmul(out_, in[0], in[1], o.name, n.where, cfg_)
                  : out_.add(n.op, o.name, in, n.where);
          break;
        case GraphOp::Concat:
          r = expand_concat(out_, in, uint32_t(n.attrs.axes.at(0)), o.name, n.where, cfg_);
          break;
        case GraphOp::Slice:
          r = expand_slice(out_, in[0], n.attrs, o.name, n.where, cfg_);
          break;
        case GraphOp::Pad:
          r = expand_pad(out_, in[0], n.attrs, o.name, n.where, cfg_);
          break;
        case GraphOp::Reshape:
          r = reshape_moves(out_.tensor(in[0]).shape, o.shape)
                  ? expand_reshape(out_, in[0], o.shape, o.name, n.where, cfg_)
                  : out_.add(n.op, o.name, in, n.where, std::nullopt, n.attrs);
          break;
        default:
          r = out_.add(n.op, o.name, in, n.where,
                       n.op == GraphOp::Cast ? std::optional<isa::DType>(o.dtype) : std::nullopt, n.attrs);
      }
      // The composite's result under its own name and shape (a Reshape costs nothing).
      if (out_.tensor(r).name != o.name) {
        Attrs a;
        a.shape = o.shape;
        r = out_.add(GraphOp::Reshape, o.name, {r}, w_, std::nullopt, a);
      }
      map_[n.output] = r;
    }
    for (size_t i = 0; i < g_.tensors().size(); ++i)
      if (g_.tensors()[i].output) out_.mark_output(map_[i]);
    return std::move(out_);
  }

 private:
  // Gather on axis a: transpose a to the front, gather axis 0, move the index dimensions back to a.
  TensorId gather_axis(TensorId data, TensorId idx, uint32_t a, const std::string& y, const Where& w) {
    if (a == 0) return expand_gather(out_, data, idx, y, w, cfg_);
    const auto n = uint32_t(out_.tensor(data).shape.size()), m = uint32_t(out_.tensor(idx).shape.size());
    std::vector<uint32_t> front{a}, back;
    for (uint32_t d = 0; d < n; ++d)
      if (d != a) front.push_back(d);
    const TensorId dt = expand_transpose(out_, data, front, y + ".in", w, cfg_);
    const TensorId g0 = expand_gather(out_, dt, idx, y + ".g", w, cfg_);  // [idx..., dims before a, after a]
    for (uint32_t t = 0; t < n - 1 + m; ++t) back.push_back(t < a ? m + t : t < a + m ? t - a : t);
    return expand_transpose(out_, g0, back, y, w, cfg_);
  }
  std::string name(const std::string& what) { return fmt::format("{}.{}{}", y_, what, ++serial_); }
  Error fail(const std::string& why) const {
    return Error(fmt::format("{}: error: node '{}' ({}): {}", w_.str(), y_, op_name(node_->op), why));
  }
  TensorId op(GraphOp o, const std::string& what, std::vector<TensorId> in, std::optional<isa::DType> to = {},
              Attrs a = {}) {
    return out_.add(o, name(what), std::move(in), w_, to, std::move(a));
  }
  TensorId cast(TensorId x, isa::DType t) { return out_.tensor(x).dtype == t ? x : op(GraphOp::Cast, "cast", {x}, t); }
  // A const of `shape` filled with `bits`; one per graph (consts are only read),
  // but every MXM sum its own ones: MatMuls sharing weights wait for each other's LW reads.
  TensorId fill(const std::string& what, isa::DType t, std::vector<uint32_t> shape, uint32_t bits) {
    bits &= num::lane_mask(t);  // made values are not masked by the graph (lazy_data.hpp)
    if (what == "ones") return out_.add_const(name(what), t, shape, LazyData::uniform(count(shape), bits), w_);
    for (const auto& [key, id] : fills_)
      if (std::get<0>(key) == t && std::get<1>(key) == shape && std::get<2>(key) == bits) return id;
    const TensorId id = out_.add_const(name(what), t, shape, LazyData::uniform(count(shape), bits), w_);
    fills_.push_back({{t, shape, bits}, id});
    return id;
  }
  // An i16 permute map; one per graph for each content.
  TensorId map(std::vector<uint32_t> v) {
    for (const auto& [data, id] : maps_)
      if (data == v) return id;
    const uint32_t n = uint32_t(v.size());
    const TensorId id = out_.add_const(name("map"), isa::DType::i16, {n}, v, w_);
    maps_.push_back({v, id});
    return id;
  }
  TensorId scalar(isa::DType t, double v) { return fill("k", t, {1}, float_bits(t, v)); }

  // x[..., C] with lanes past C zero (SEL against a row-broadcast mask) unless known so.
  TensorId zero_padded(TensorId x) {
    const Tensor t = out_.tensor(x);
    const uint32_t C = t.shape.back();
    if (t.pad_zero || C % cfg_.lanes == 0) return x;
    // The mask's own padding lanes are zero: it is also the zero operand.
    const TensorId mask = fill("mask", t.dtype, {C}, num::lane_mask(t.dtype));
    return op(GraphOp::Sel, "masked", {mask, x, mask});
  }
  // f32 sums of the last axis in every lane: [..., 1].
  TensorId lane_sum(TensorId x) {
    if (out_.tensor(x).shape.back() == 1) {  // the value itself, in every lane
      const isa::DType wide = isa::dtype_desc(out_.tensor(x).dtype).is_float ? isa::DType::f32 : isa::DType::i32;
      return cast(out_.tensor(x).splat ? x : op(GraphOp::Permute, "splat", {x, map({0})}), wide);
    }
    x = zero_padded(x);
    const Tensor t = out_.tensor(x);
    const uint32_t C = t.shape.back(), L = cfg_.lanes;
    auto part_sum = [&](TensorId p) {
      const isa::DType pt = out_.tensor(p).dtype;
      // One MXM block of ones serves every K block: installed once.
      return op(GraphOp::LaneSum, "sum", {p, fill("ones", pt, {std::min(C, cfg_.mxm_dim), L}, float_bits(pt, 1.0))});
    };
    if (t.dtype != isa::DType::f32) return part_sum(x);
    // f32 = hi + mid + lo, three bf16 parts (8 significant bits each, exact
    // differences): each part times 1.0 is exact on the MXM. All parts first,
    // then the three sums: they run on three MXM planes at once, and no part is
    // read by a sum and by the next split at the same time (one read port).
    std::array<TensorId, 3> parts{};
    TensorId rest = x;
    for (int i = 0; i < 3; ++i) {
      parts[i] = cast(rest, isa::DType::bf16);
      if (i < 2) rest = op(GraphOp::Sub, "rest", {rest, cast(parts[i], isa::DType::f32)});
    }
    TensorId sum = part_sum(parts[0]);
    for (int i = 1; i < 3; ++i) sum = op(GraphOp::Add, "sum", {sum, part_sum(parts[i])});
    return sum;
  }
  // The max of the last axis in every lane: [..., 1].
  TensorId lane_max(TensorId x) {
    const Tensor t = out_.tensor(x);
    uint32_t C = t.shape.back();
    const uint32_t L = cfg_.lanes;
    if (C > L) {  // fold the whole lane blocks, then the last partial one with its gaps filled by its lane 0
      std::vector<uint32_t> ks = t.shape;
      const auto& d = isa::dtype_desc(t.dtype);
      const uint32_t lowest = d.is_float    ? float_bits(t.dtype, -std::numeric_limits<double>::infinity())
                              : d.is_signed ? (1u << (8 * d.bytes - 1))
                                            : 0;
      // Halving: n blocks become the max of their first w = ceil(n / 2) and
      // their last w (overlapping by one when n is odd: max does not mind).
      // A VXM op cannot read one tensor at two places at once (one read port),
      // so each half is a Fold of the lowest value (a copy), then the other
      // half folds into it: 2 ops over w vectors a level. Halve while that
      // takes fewer ops than a fold per block, one after another (a 70B-shaped
      // layer's 8192-wide activation scale: 25 folds, about 1,500 cycles; now 10).
      const std::function<uint32_t(uint32_t)> ops = [&](uint32_t n) {
        return n <= 1 ? n : std::min(n, 2 + ops((n + 1) / 2));
      };
      Attrs a;
      a.axes = {int64_t(t.shape.size() - 1)};
      a.fold_op = GraphOp::Max;
      TensorId src = x;
      uint32_t n = C / L;
      for (; n > 1 && 2 + ops((n + 1) / 2) < n; n = (n + 1) / 2) {
        ks.back() = (n + 1) / 2 * L;
        a.offset = 0;
        const TensorId half = op(GraphOp::Fold, "fold", {fill("init", t.dtype, ks, lowest), src}, std::nullopt, a);
        a.offset = (n - (n + 1) / 2) * L;
        src = op(GraphOp::Fold, "fold", {half, src}, std::nullopt, a);
      }
      ks.back() = L;
      a.offset = 0;
      TensorId acc = fill("init", t.dtype, ks, lowest);
      for (a.step = 0; a.step < n; ++a.step) acc = op(GraphOp::Fold, "fold", {acc, src}, std::nullopt, a);
      if (C % L) {
        std::vector<uint32_t> m(L);
        for (uint32_t l = 0; l < L; ++l) m[l] = l < C % L ? l : 0;
        Attrs p;
        p.offset = C / L * L;
        acc = op(GraphOp::Max, "max", {acc, op(GraphOp::Permute, "tail", {x, map(m)}, std::nullopt, p)});
      }
      x = acc;
      C = L;
    }
    for (uint32_t s = 1; s < C; s *= 2) {
      std::vector<uint32_t> m(C);
      for (uint32_t c = 0; c < C; ++c) m[c] = (c + s) % C;
      x = op(GraphOp::Max, "max", {x, op(GraphOp::Permute, "perm", {x, map(m)})});
    }
    return op(GraphOp::Permute, "splat", {x, map({0})});
  }
  // The reduction with kept dimensions, in x's type.
  TensorId reduce(Red k, TensorId x, const std::vector<int64_t>& axes_in) {
    const Tensor t = out_.tensor(x);
    const isa::DType T = t.dtype;
    const size_t rank = t.shape.size();
    const auto axes = normalize_axes(axes_in, rank, true);
    std::vector<int64_t> lead;
    bool last = false;
    uint64_t count = 1;
    for (int64_t a : axes) {
      count *= t.shape[size_t(a)];
      if (a == int64_t(rank - 1))
        last = true;
      else
        lead.push_back(a);
    }
    if (!lead.empty()) {
      std::vector<uint32_t> ks = t.shape;
      uint32_t steps = 1;
      for (int64_t a : lead) steps *= std::exchange(ks[size_t(a)], 1);
      uint32_t id = 0;
      if (k == Red::Max) {
        const auto& d = isa::dtype_desc(T);
        id = d.is_float    ? float_bits(T, -std::numeric_limits<double>::infinity())
             : d.is_signed ? (1u << (8 * d.bytes - 1))
                           : 0;
      }
      TensorId acc = fill("init", T, ks, id);
      Attrs a;
      a.axes = lead;
      a.fold_op = k == Red::Max ? GraphOp::Max : GraphOp::Add;
      for (uint32_t j = 0; j < steps; ++j) {
        a.step = j;
        acc = op(GraphOp::Fold, "fold", {acc, x}, std::nullopt, a);
      }
      x = acc;
    }
    const bool splat = out_.tensor(x).splat;
    if (last && t.shape.back() > 1) {
      x = k == Red::Max ? lane_max(x) : lane_sum(x);
    } else if (last && !splat) {  // one column: copy it into every lane
      x = op(GraphOp::Permute, "splat", {x, map({0})});
    }
    if (k == Red::Mean) {
      const isa::DType mt = out_.tensor(x).dtype;
      x = op(GraphOp::Mul, "mean", {x, scalar(mt, 1.0 / double(count))});
    }
    return cast(x, T);
  }
  // 1/s: r = rsqrt(s)^2, then one Newton step r*(2 - s*r) (activation.hpp).
  TensorId reciprocal(TensorId s) { return float_recip(out_, name("recip"), s, w_); }
  TensorId softmax(TensorId x, int64_t axis) {
    const isa::DType T = out_.tensor(x).dtype;
    const TensorId m = reduce(Red::Max, x, {axis});
    const TensorId e = op(GraphOp::Exp, "exp", {op(GraphOp::Sub, "xm", {x, m})});
    const bool last = axis == int64_t(out_.tensor(x).shape.size() - 1);
    // Over the last axis the sum stays f32 (lane_sum); over a leading axis it folds in x's type.
    TensorId s = last ? lane_sum(e) : reduce(Red::Sum, e, {axis});
    const TensorId r = cast(reciprocal(s), T);
    return op(GraphOp::Mul, "softmax", {e, r});
  }
  // (a - za)(b - zb) = a.b - za colsum(b) - zb rowsum(a) + K za zb, all in
  // i32 (wrapping, exact): products and sums on the MXM (ones of a's and b's
  // type), the zero points broadcast as [1] scalars.
  TensorId matmul_integer(const std::vector<TensorId>& in) {
    const TensorId a = in[0], b = in[1];
    const Tensor ta = out_.tensor(a), tb = out_.tensor(b);
    const uint32_t K = ta.shape[1], L = cfg_.lanes;
    TensorId y = op(GraphOp::MatMul, "ab", {a, b});
    const isa::DType I = isa::DType::i32;
    const TensorId za = in.size() > 2 ? cast(in[2], I) : 0, zb = in.size() > 3 ? cast(in[3], I) : 0;
    if (in.size() > 2) {  // - za colsum(b): ones[1, K] . b
      const TensorId cs = op(GraphOp::MatMul, "colsum", {fill("ones", ta.dtype, {1, K}, 1), b});
      y = op(GraphOp::Sub, "yza", {y, op(GraphOp::Mul, "zacs", {za, cs})});
    }
    if (in.size() > 3) {  // - zb rowsum(a): a . ones[K, lanes], every lane
      const TensorId rs =
          op(GraphOp::LaneSum, "rowsum", {a, fill("ones", tb.dtype, {std::min(K, cfg_.mxm_dim), L}, 1)});
      y = op(GraphOp::Sub, "yzb", {y, op(GraphOp::Mul, "zbrs", {zb, rs})});
    }
    if (in.size() > 3) {  // + K za zb
      const TensorId kzz = op(GraphOp::Mul, "kzz", {op(GraphOp::Mul, "zz", {za, zb}), fill("k", I, {1}, K)});
      y = op(GraphOp::Add, "y", {y, kzz});
    }
    return y;
  }
  TensorId norm(bool layer, const std::vector<TensorId>& in) {
    const TensorId x = in[0];
    const Tensor t = out_.tensor(x);
    const isa::DType T = t.dtype;
    const uint32_t C = t.shape.back();
    // One expansion serves every part of one (x, scale, bias, epsilon).
    const auto key = std::make_tuple(layer, in, node_->attrs.epsilon);
    const uint8_t part = node_->attrs.part;
    for (const auto& [k, parts] : norms_)
      if (k == key) return parts[part];
    const TensorId invc = scalar(isa::DType::f32, 1.0 / C);
    TensorId xc = x, mean = 0;
    if (layer) {
      mean = op(GraphOp::Mul, "mean", {lane_sum(x), invc});
      xc = op(GraphOp::Sub, "xc", {x, cast(mean, T)});
    }
    const TensorId sq = op(GraphOp::Mul, "sq", {xc, xc});
    const TensorId ms = op(GraphOp::Mul, "ms", {lane_sum(sq), invc});
    const TensorId v = op(GraphOp::Add, "var", {ms, scalar(isa::DType::f32, node_->attrs.epsilon)});
    const TensorId inv = op(GraphOp::Rsqrt, "invstd", {v});
    TensorId y = op(GraphOp::Mul, "norm", {xc, cast(inv, T)});
    if (in.size() > 1) y = op(GraphOp::Mul, "scaled", {y, in[1]});
    if (in.size() > 2) y = op(GraphOp::Add, "biased", {y, in[2]});
    norms_.push_back({key, {y, mean, inv}});
    return norms_.back().second[part];
  }

  const Graph& g_;
  const isa::Config& cfg_;
  Graph out_;
  std::vector<TensorId> map_;
  std::vector<const Node*> producer_;  // per source tensor: the node writing it
  const Node* node_ = nullptr;
  Where w_;
  std::string y_;
  uint32_t serial_ = 0;
  std::vector<std::pair<std::tuple<isa::DType, std::vector<uint32_t>, uint32_t>, TensorId>> fills_;
  std::vector<std::pair<std::vector<uint32_t>, TensorId>> maps_;
  std::vector<std::pair<std::tuple<bool, std::vector<TensorId>, double>, std::array<TensorId, 3>>> norms_;
};

}  // namespace

Graph expand(const Graph& g, const isa::Config& cfg) { return Expander(g, cfg).run(); }

}  // namespace tsp::compiler
