#include "firmware/compiler/tensor_parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

#include "common/error.hpp"
#include "firmware/compiler/ops.hpp"
#include "firmware/topology/topology.hpp"

namespace tsp::compiler {

std::vector<std::vector<std::optional<DirectLink>>> direct_links(const topo::Topology& t, const isa::Config& cfg) {
  const auto n = static_cast<uint32_t>(t.chips.size());
  if (n < 2) throw Error(fmt::format("{}: error: topology '{}' has one chip: nothing to partition", t.where, t.name));
  for (uint32_t c = 0; c < n; ++c)
    if (t.chips[c].clock_ppm != 0)
      throw Error(
          fmt::format("{}: error: chip {} runs {} ppm off: plesiochronous clocks need RDESKEW in the "
                      "schedule, which the system compiler does not insert yet",
                      t.chips[c].where, c, t.chips[c].clock_ppm));
  std::vector<std::vector<std::optional<DirectLink>>> links(n, std::vector<std::optional<DirectLink>>(n));
  for (const topo::Link& l : t.links) {
    const uint32_t hop = isa::c2c_hop_cycles(cfg, *l.cable);
    for (const auto& [from, to] : {std::pair{l.a, l.b}, std::pair{l.b, l.a}})
      if (!links[from.chip][to.chip])  // the first link between two chips carries their transfers
        links[from.chip][to.chip] = DirectLink{from.link, to.link, hop};
  }
  return links;
}

std::vector<std::vector<DirectLink>> links_among(const topo::Topology& t, const DirectLinks& all,
                                                 const std::vector<uint32_t>& chips) {
  std::vector<std::vector<DirectLink>> out(chips.size(), std::vector<DirectLink>(chips.size()));
  for (size_t c = 0; c < chips.size(); ++c)
    for (size_t d = 0; d < chips.size(); ++d) {
      if (c == d) continue;
      if (!all[chips[c]][chips[d]])
        throw Error(
            fmt::format("{}: error: topology '{}': chips {} and {} of node {} have no direct link; the system "
                        "compiler moves a node's collectives over direct links only (not yet: routed "
                        "transfers)",
                        t.where, t.name, chips[c], chips[d], t.chips[chips[c]].node));
      out[c][d] = *all[chips[c]][chips[d]];
    }
  return out;
}

namespace {

bool elementwise(GraphOp op) {
  const OpKind k = op_info(op).kind;
  return k == OpKind::Unary || k == OpKind::Binary || k == OpKind::Select || op == GraphOp::Sigmoid ||
         op == GraphOp::Silu || op == GraphOp::Gelu;
}

// Chip c's block [b[c], b[c+1]) of axis `axis` of a constant.
LazyData block_of(const Tensor& w, const std::vector<uint32_t>& b, uint32_t c, size_t axis) {
  return slice_axis(w.data, w.shape, axis, b[c], b[c + 1]);
}

uint64_t bytes_of(const Tensor& t) { return t.elements() * isa::dtype_desc(t.dtype).bytes; }

uint64_t product(const std::vector<uint32_t>& s, size_t from, size_t to) {
  return std::accumulate(s.begin() + int64_t(from), s.begin() + int64_t(to), uint64_t(1), std::multiplies<>());
}

// The ops that run on blocks of a row axis when every operand that has that
// axis is split alike (the others broadcast along it), given the axis is not
// among the ones they work across.
bool works_across(const Node& n, size_t rank, size_t axis) {
  auto among = [&](std::vector<int64_t> axes, bool empty_is_all) {
    const auto a = normalize_axes(std::move(axes), rank, empty_is_all);
    return std::find(a.begin(), a.end(), int64_t(axis)) != a.end();
  };
  switch (n.op) {
    case GraphOp::Slice:
    case GraphOp::Concat:
    case GraphOp::Softmax:
      return among(n.attrs.axes, false);
    case GraphOp::ReduceSum:
    case GraphOp::ReduceMean:
    case GraphOp::ReduceMax:
      return !n.attrs.keepdims || among(n.attrs.axes, true);
    case GraphOp::MatMul:  // batched: the split axis is a batch axis
      return axis + 2 >= rank;
    case GraphOp::Cast:
      return false;
    default:
      return !elementwise(n.op);
  }
}

// "640 on each chip" or "320 to 640 on each chip".
std::string widths(const std::vector<uint32_t>& b) {
  uint32_t lo = UINT32_MAX, hi = 0;
  for (size_t c = 0; c + 1 < b.size(); ++c) lo = std::min(lo, b[c + 1] - b[c]), hi = std::max(hi, b[c + 1] - b[c]);
  return lo == hi ? fmt::format("{} on each chip", lo) : fmt::format("{} to {} on each chip", lo, hi);
}

// One chip's graph, built node by node from the source graph.
class ChipGraph {
 public:
  ChipGraph(const Graph& src, const StagePlan& plan, uint32_t stage, uint32_t chip, const isa::Config& cfg,
            std::vector<std::string>* decisions, std::vector<KeptBlocks>* kept, const CutHook& cut_hook)
      : src_(src),
        plan_(plan),
        stage_(stage),
        P_(plan.chips[stage]),
        c_(chip),
        lanes_(cfg.lanes),
        link_cycles_(plan.link_cycles),
        decisions_(decisions),
        kept_(kept),
        cut_hook_(cut_hook),
        whole_(src.tensors().size()),
        split_(src.tensors().size()),
        rows_(src.tensors().size()),
        producer_(src.tensors().size(), -1),
        readers_(src.tensors().size(), 0) {
    for (size_t n = 0; n < src.nodes().size(); ++n) {
      producer_[src.nodes()[n].output] = int64_t(n);
      for (TensorId t : src.nodes()[n].inputs) ++readers_[t];
    }
  }

  Graph run() {
    const size_t first = plan_.first[stage_], end = plan_.first[stage_ + 1];
    for (size_t i = first; i < end; ++i) {
      const Node& n = src_.nodes()[i];
      order_ = uint64_t(i) << kOrderBits;
      if (by_rows(n)) continue;
      if (reduce_columns(n)) continue;
      if (n.op == GraphOp::MatMul && matmul(n)) continue;
      if (elementwise(n.op) && on_blocks(n)) continue;
      std::vector<TensorId> in;
      for (TensorId t : n.inputs) in.push_back(whole(t));
      whole_[n.output] = copy(n, in, src_.tensor(n.output).name);
    }
    // Kept whole to the end: the graph's outputs made here, and what later
    // stages read (their handoffs send it); a tensor made before this stage
    // and read after it passes through: received here and sent on, so each
    // handoff crosses one link, from a stage to the next.
    order_ = (uint64_t(end - 1) << kOrderBits) | (uint64_t(1) << (kOrderBits - 1));
    std::vector<bool> keep(src_.tensors().size(), false);
    for (size_t i = end; i < src_.nodes().size(); ++i)
      for (TensorId t : src_.nodes()[i].inputs) keep[t] = true;
    const bool last = stage_ + 1 == plan_.stages();
    for (size_t i = 0; i < src_.tensors().size(); ++i) {
      const int64_t p = producer_[i];
      const bool here = (p >= int64_t(first) && p < int64_t(end)) || (p < 0 && last);  // image data: the last stage
      if (p >= 0 && p < int64_t(first) && keep[i]) {
        out_.mark_output(whole(TensorId(i)));
        continue;
      }
      if (!here || !(keep[i] || src_.tensors()[i].output) || !(p >= 0 || src_.tensors()[i].output)) continue;
      const std::optional<Rows>& r = rows_[i];
      if (!keep[i] && !whole_[i] && r && r->axis + 1 < src_.tensors()[i].shape.size()) {  // in rows: kept so
        out_.mark_output(r->local);
        if (kept_) kept_->push_back({src_.tensors()[i].name, r->axis, r->b});
      } else {
        out_.mark_output(whole(TensorId(i)));
      }
    }
    return std::move(out_);
  }

 private:
  // A source tensor on blocks of a row axis (every axis before it 1), or of
  // heads in the columns (the last axis; blocks of whole heads, not vectors).
  struct Rows {
    TensorId local = 0;
    size_t axis = 0;
    std::vector<uint32_t> b;  // chip k: indices [b[k], b[k+1]) of the axis
  };
  bool splits(uint32_t n) const { return P_ > 1 && (n + lanes_ - 1) / lanes_ >= P_; }
  std::vector<uint32_t> bounds(uint32_t n) const { return column_blocks(n, P_, lanes_); }
  void decide(std::string d) {
    if (decisions_) decisions_->push_back(std::move(d));
  }

  // The node again, on new inputs, under `name`.
  TensorId copy(const Node& n, const std::vector<TensorId>& in, const std::string& name) {
    if (n.op == GraphOp::Transpose) return out_.add_transpose(name, in[0], n.perm, n.where);
    if (n.op == GraphOp::Gather) return out_.add_gather(name, in[0], in[1], int32_t(n.perm.at(0)), n.where);
    const Tensor& o = src_.tensor(n.output);
    return out_.add(n.op, name, in, n.where, n.op == GraphOp::Cast ? std::optional(o.dtype) : std::nullopt, n.attrs);
  }

  // A collective's attributes: this chip's index, the next place in the order, the hop its bound counts.
  Attrs collective(uint32_t link_cycles) {
    Attrs a;
    a.step = c_;
    a.order = order_++;
    a.link_cycles = link_cycles;
    return a;
  }

  // A tensor whole on this chip: gathered from its blocks the first time a
  // reader needs it so, or handed off by the earlier stage that made it.
  TensorId whole(TensorId t) {
    if (whole_[t]) return *whole_[t];
    const Tensor& x = src_.tensor(t);
    if (rows_[t] && rows_[t]->axis + 1 < x.shape.size()) {  // blocks of whole rows
      Attrs a = collective(link_cycles_);
      a.bounds = rows_[t]->b;
      a.axes = {int64_t(rows_[t]->axis)};
      whole_[t] = out_.add(GraphOp::AllGather, x.name, {rows_[t]->local}, x.where, std::nullopt, a);
      return *whole_[t];
    }
    if (rows_[t]) {  // blocks of heads in the columns, not whole vectors: made again, whole
      const Node& n = src_.nodes()[size_t(producer_[t])];
      std::vector<TensorId> in;
      for (TensorId i : n.inputs) in.push_back(whole(i));
      whole_[t] = copy(n, in, x.name);
      return *whole_[t];
    }
    if (x.kind != TensorKind::Value) {  // image data: on the chips of the stages that read it whole
      whole_[t] = x.kind == TensorKind::Input ? out_.add_input(x.name, x.dtype, x.shape, x.data, x.where)
                                              : out_.add_const(x.name, x.dtype, x.shape, x.data, x.where);
      return *whole_[t];
    }
    if (!split_[t]) {  // made by an earlier stage
      Attrs a = collective(plan_.handoff_cycles);
      a.step = stage_ - 1;  // every stage between its maker and its reader passes it on
      a.shape = x.shape;
      const TensorId one = out_.add_const(x.name + ".type", x.dtype, {1}, {0}, x.where);
      whole_[t] = out_.add(GraphOp::Handoff, x.name, {one}, x.where, std::nullopt, a);
      return *whole_[t];
    }
    Attrs a = collective(link_cycles_);
    a.bounds = bounds(x.shape.back());
    whole_[t] = out_.add(GraphOp::AllGather, x.name, {*split_[t]}, x.where, std::nullopt, a);
    return *whole_[t];
  }

  // Heads: `t`'s one reader reshapes its last dimension N into [H, D] with
  // H >= P; the head size D, or 0.
  uint32_t head_size(TensorId t) const {
    const Tensor& y = src_.tensor(t);
    if (y.output || P_ < 2 || readers_[t] != 1) return 0;
    const auto reader = std::find_if(src_.nodes().begin() + int64_t(plan_.first[stage_]), src_.nodes().end(),
                                     [&](const Node& n) { return n.inputs == std::vector<TensorId>{t}; });
    if (reader == src_.nodes().end() || reader->op != GraphOp::Reshape) return 0;
    const auto& s = reader->attrs.shape;
    const size_t r = y.shape.size();
    if (s.size() != r + 1 || !std::equal(y.shape.begin(), y.shape.end() - 1, s.begin()) ||
        uint64_t(s[r - 1]) * s[r] != y.shape.back() || s[r - 1] < P_ || product(y.shape, 0, r - 1) != 1)
      return 0;
    return s[r];
  }

  // Nodes on blocks of a row axis (rows_): the split travels through
  // reshapes, transposes, elementwise and batched ops, slices and concats
  // along other axes; operands whole along that axis are cut to this chip's
  // block. A MatMul of constant weights on heads in the columns is split by
  // rows (reduce-scattered). False: nothing to do with rows_, or the node
  // needs its operands whole.
  bool by_rows(const Node& n) {
    const Tensor& y = src_.tensor(n.output);
    std::optional<TensorId> first;
    for (TensorId t : n.inputs)
      if (rows_[t] && !whole_[t]) {
        first = t;
        break;
      }
    if (!first) return false;
    const Rows r = *rows_[*first];
    const Tensor& x = src_.tensor(*first);
    if (n.op == GraphOp::Reshape) return reshape_rows(n, r);
    if (n.op == GraphOp::Transpose) {
      const auto at = size_t(std::find(n.perm.begin(), n.perm.end(), r.axis) - n.perm.begin());
      if (at + 1 >= y.shape.size() || product(y.shape, 0, at) != 1) return false;
      rows_[n.output] = Rows{out_.add_transpose(y.name + ".local", r.local, n.perm, n.where), at, r.b};
      return true;
    }
    if (r.axis + 1 == x.shape.size()) {  // heads in the columns: only a MatMul of constant weights takes them
      if (n.op == GraphOp::Cast && n.inputs.size() == 1) {
        rows_[n.output] = Rows{copy(n, {r.local}, y.name + ".local"), r.axis, r.b};
        return true;
      }
      const Tensor& w = src_.tensor(n.inputs.size() > 1 ? n.inputs[1] : n.inputs[0]);
      if (n.op != GraphOp::MatMul || n.inputs[0] != *first || w.kind != TensorKind::Const || w.shape.size() != 2 ||
          !splits(w.shape[1]))
        return false;
      row_split(n, r.local, r.b, " (whole heads)");
      return true;
    }
    const size_t R = y.shape.size();
    if (x.shape.size() != R || works_across(n, R, r.axis) || y.shape[r.axis] != r.b.back()) return false;
    std::vector<TensorId> in;
    for (TensorId t : n.inputs) {
      const Tensor& xt = src_.tensor(t);
      const int64_t at = int64_t(r.axis) - int64_t(R - xt.shape.size());
      if (rows_[t] && !whole_[t]) {
        if (rows_[t]->axis != r.axis || rows_[t]->b != r.b || xt.shape.size() != R) return false;
        in.push_back(rows_[t]->local);
      } else if (at < 0 || xt.shape[size_t(at)] == 1) {
        in.push_back(whole(t));  // broadcast along the axis
      } else if (xt.shape[size_t(at)] == r.b.back()) {
        in.push_back(cut(t, size_t(at), r.b));
      } else {
        return false;
      }
    }
    rows_[n.output] = Rows{copy(n, in, y.name + ".local"), r.axis, r.b};
    return true;
  }

  // A reshape keeps row-major order: this chip's block is a contiguous run
  // of elements, which in the new shape is a block of its first axis above 1.
  bool reshape_rows(const Node& n, const Rows& r) {
    const Tensor& x = src_.tensor(n.inputs[0]);
    const auto& s = n.attrs.shape;
    const uint64_t inner = product(x.shape, r.axis + 1, x.shape.size());
    size_t at = 0;
    while (at < s.size() && s[at] == 1) ++at;
    if (at == s.size()) return false;
    const uint64_t inner_out = product(s, at + 1, s.size());
    std::vector<uint32_t> b;
    for (uint32_t v : r.b) {
      if (v * inner % inner_out) return false;
      b.push_back(uint32_t(v * inner / inner_out));
    }
    if (b.back() != s[at]) return false;
    Attrs a = n.attrs;
    a.shape[at] = b[c_ + 1] - b[c_];
    rows_[n.output] =
        Rows{out_.add(GraphOp::Reshape, src_.tensor(n.output).name + ".local", {r.local}, n.where, std::nullopt, a),
             at, b};
    return true;
  }

  // This chip's block of `t` along `axis` (indices b[c] .. b[c+1]): image
  // data cut here, a value by a Slice on the chip.
  TensorId cut(TensorId t, size_t axis, const std::vector<uint32_t>& b) {
    const auto key = std::tuple(t, axis, b);
    if (const auto it = cuts_.find(key); it != cuts_.end()) return it->second;
    const Tensor& x = src_.tensor(t);
    uint32_t lo = b[c_], hi = b[c_ + 1];
    if (cut_hook_) cut_hook_(c_, lo, hi);
    const std::string name = fmt::format("{}.part{}", x.name, cuts_.size());
    TensorId out = 0;
    if (x.kind != TensorKind::Value) {
      std::vector<uint32_t> shape = x.shape;
      shape[axis] = hi - lo;
      LazyData data = slice_axis(x.data, x.shape, axis, lo, hi);
      out = x.kind == TensorKind::Input ? out_.add_input(name, x.dtype, shape, std::move(data), x.where)
                                        : out_.add_const(name, x.dtype, shape, std::move(data), x.where);
    } else {
      Attrs a;
      a.axes = {int64_t(axis)};
      a.starts = {lo};
      a.ends = {hi};
      a.steps = {1};
      out = out_.add(GraphOp::Slice, name, {whole(t)}, x.where, std::nullopt, a);
    }
    return cuts_[key] = out;
  }

  // x (this chip's block of rows [bk[c], bk[c+1]) of w) times those rows of
  // w; the partial sums are reduce-scattered by columns.
  void row_split(const Node& n, TensorId x_local, const std::vector<uint32_t>& bk, const std::string& how) {
    const Tensor& w = src_.tensor(n.inputs[1]);
    const Tensor& y = src_.tensor(n.output);
    const uint32_t K = w.shape[0], N = w.shape[1];
    const std::vector<uint32_t> bn = bounds(N);
    const TensorId wr =
        out_.add_const(w.name + ".rows", w.dtype, {bk[c_ + 1] - bk[c_], N}, block_of(w, bk, c_, 0), w.where);
    const TensorId part = out_.add(GraphOp::MatMul, y.name + ".partial", {x_local, wr}, n.where);
    // Each chip's own block, then chip c - r's for r = 1 .. P-1 (every chip
    // the same order: collectives pair by it), added to the sum as they come:
    // reads of distinct tensors, so the adds may fuse into VXM chains. Chips
    // with more rows finish later: theirs are added last (the 7B-shaped layer
    // on node8, 1,280 or 1,600 rows a chip: 17,426 -> 17,313 cycles).
    std::vector<TensorId> got(P_);
    for (uint32_t r = 0; r < P_; ++r) {
      Attrs a = collective(link_cycles_);
      a.bounds = bn;
      a.shift = r;
      got[r] = out_.add(GraphOp::Exchange, fmt::format("{}.from{}", y.name, (c_ + P_ - r) % P_), {part}, n.where,
                        std::nullopt, a);
    }
    std::vector<uint32_t> order(P_);
    for (uint32_t r = 0; r < P_; ++r) order[r] = r;
    std::stable_sort(order.begin() + 1, order.end(), [&](uint32_t a, uint32_t b) {
      const uint32_t sa = (c_ + P_ - a) % P_, sb = (c_ + P_ - b) % P_;
      return bk[sa + 1] - bk[sa] < bk[sb + 1] - bk[sb];
    });
    TensorId acc = got[0];
    for (uint32_t i = 1; i < P_; ++i)
      acc = out_.add(GraphOp::Add, i + 1 < P_ ? fmt::format("{}.sum{}", y.name, i) : y.name + ".local",
                     {acc, got[order[i]]}, n.where);
    split_[n.output] = acc;
    decide(fmt::format("{}: '{}' [{}, {}] by rows{}, {}; partial sums reduce-scattered", y.name, w.name, K, N, how,
                       widths(bk)));
  }

  bool matmul(const Node& n) {
    const Tensor& w = src_.tensor(n.inputs[1]);
    const Tensor& y = src_.tensor(n.output);
    const TensorId x = n.inputs[0];
    if (w.kind != TensorKind::Const || w.shape.size() != 2) {
      decide(fmt::format("{}: on every chip: weights '{}' are not a constant matrix", y.name, w.name));
      return false;
    }
    const uint32_t K = w.shape[0], N = w.shape[1];
    if (P_ == 1) {
      decide(fmt::format("{}: whole: its stage has one chip", y.name));
      return false;
    }
    // By heads (x whole): the attention after it runs on this chip's heads, whatever their width.
    if (const uint32_t D = head_size(n.output); D && !(split_[x] && !whole_[x])) {
      const uint32_t H = N / D;
      std::vector<uint32_t> bh(P_ + 1), bn(P_ + 1);
      for (uint32_t c = 0; c <= P_; ++c) bh[c] = uint32_t(uint64_t(c) * H / P_), bn[c] = bh[c] * D;
      const TensorId wc =
          out_.add_const(w.name + ".cols", w.dtype, {K, bn[c_ + 1] - bn[c_]}, block_of(w, bn, c_, 1), w.where);
      rows_[n.output] =
          Rows{out_.add(GraphOp::MatMul, y.name + ".local", {whole(x), wc}, n.where), y.shape.size() - 1, bn};
      decide(fmt::format("{}: '{}' [{}, {}] by heads: {} heads of {}, {}", y.name, w.name, K, N, H, D,
                         widths(bh)));
      return true;
    }
    if (!splits(N)) {
      decide(fmt::format("{}: on every chip: {} columns are fewer than a vector of {} lanes for each of {} chips",
                         y.name, N, lanes_, P_));
      return false;
    }
    if (split_[x] && !whole_[x]) {  // x by columns: w by rows, then a reduce-scatter
      row_split(n, *split_[x], bounds(K), "");
      return true;
    }
    const std::vector<uint32_t> bn = bounds(N);
    const TensorId wc =
        out_.add_const(w.name + ".cols", w.dtype, {K, bn[c_ + 1] - bn[c_]}, block_of(w, bn, c_, 1), w.where);
    split_[n.output] = out_.add(GraphOp::MatMul, y.name + ".local", {whole(x), wc}, n.where);
    decide(fmt::format("{}: '{}' [{}, {}] by columns, {}", y.name, w.name, K, N, widths(bn)));
    return true;
  }

  // A max over the columns of one split row (a token's activation scale,
  // before it is quantised for a MatMul split by rows): each chip reduces its
  // block, the partial maxima (each in every lane) are gathered by rows into
  // [P, 1] on every chip and reduced again; the result is whole, in every lane. (Sums and means,
  // a norm's, are left to a gather: the MatMul after a norm needs its input
  // whole anyway, and an all-reduce first only adds its latency.)
  bool reduce_columns(const Node& n) {
    if (n.op != GraphOp::ReduceMax) return false;
    const TensorId x = n.inputs[0];
    const Tensor& xt = src_.tensor(x);
    const Tensor& y = src_.tensor(n.output);
    const size_t last = xt.shape.size() - 1;
    if (!split_[x] || whole_[x] || !n.attrs.keepdims || product(xt.shape, 0, last) != 1 ||
        normalize_axes(n.attrs.axes, xt.shape.size(), true) != std::vector<int64_t>{int64_t(last)})
      return false;
    Attrs r;
    r.axes = {-1};
    const TensorId part = out_.add(GraphOp::ReduceMax, y.name + ".part", {*split_[x]}, n.where, std::nullopt, r);
    Attrs flat;
    flat.shape = {1, 1};
    const TensorId row = out_.add(GraphOp::Reshape, y.name + ".row", {part}, n.where, std::nullopt, flat);
    Attrs a = collective(link_cycles_);
    a.axes = {0};
    a.bounds.resize(P_ + 1);
    std::iota(a.bounds.begin(), a.bounds.end(), 0u);
    const TensorId all = out_.add(GraphOp::AllGather, y.name + ".parts", {row}, n.where, std::nullopt, a);
    Attrs over;
    over.axes = {0};
    const TensorId most = out_.add(GraphOp::ReduceMax, y.name + ".all", {all}, n.where, std::nullopt, over);
    Attrs back;
    back.shape = y.shape;
    // Each chip's maximum is in every lane, and so stays through the gather and the max over rows.
    whole_[n.output] = out_.add(GraphOp::Reshape, y.name, {most}, n.where, std::nullopt, back);
    return true;
  }

  // A constant row as wide as a split tensor that only this op reads (a
  // per-column scale or bias) is cut to this chip's columns. (Not a row that
  // others read too, such as a residual stream's: cut, it would be gathered
  // later all the same, and later in the critical path.)
  bool image_row(TensorId t, uint32_t N) const {
    const Tensor& x = src_.tensor(t);
    return x.kind == TensorKind::Const && readers_[t] == 1 && x.shape.back() == N && N > 1 &&
           product(x.shape, 0, x.shape.size() - 1) == 1;
  }

  // An elementwise op on the blocks when some operand is split and every other
  // is a lane broadcast or a constant row it alone reads.
  bool on_blocks(const Node& n) {
    const uint32_t N = src_.tensor(n.output).shape.back();
    bool any = false;
    for (TensorId t : n.inputs) {
      const bool lane_bcast = src_.tensor(t).shape.back() == 1 && N > 1;
      if (split_[t] && src_.tensor(t).shape.back() == N)
        any = true;
      else if (!lane_bcast && !image_row(t, N))
        return false;
    }
    if (!any) return false;
    std::vector<TensorId> in;
    for (TensorId t : n.inputs)
      in.push_back(split_[t] && src_.tensor(t).shape.back() == N ? *split_[t]
                   : image_row(t, N)                             ? cut(t, src_.tensor(t).shape.size() - 1, bounds(N))
                                                                 : whole(t));
    split_[n.output] = copy(n, in, src_.tensor(n.output).name + ".local");
    return true;
  }

  // A collective's Attrs::order: its source node's index, then a count within it.
  static constexpr unsigned kOrderBits = 16;
  const Graph& src_;
  const StagePlan& plan_;
  const uint32_t stage_, P_, c_, lanes_, link_cycles_;
  std::vector<std::string>* decisions_;
  std::vector<KeptBlocks>* kept_;
  const CutHook& cut_hook_;
  Graph out_;
  std::vector<std::optional<TensorId>> whole_, split_;  // per source tensor: its forms on this chip
  std::vector<std::optional<Rows>> rows_;
  std::map<std::tuple<TensorId, size_t, std::vector<uint32_t>>, TensorId> cuts_;  // image data and values cut
  std::vector<int64_t> producer_;                       // per source tensor: its node (-1: image data)
  std::vector<uint32_t> readers_;                       // per source tensor: the nodes that read it
  uint64_t order_ = 0;
};

}  // namespace

std::vector<uint32_t> slice_axis(const std::vector<uint32_t>& data, const std::vector<uint32_t>& shape, size_t axis,
                                 uint32_t lo, uint32_t hi) {
  const uint64_t outer = product(shape, 0, axis), inner = product(shape, axis + 1, shape.size());
  std::vector<uint32_t> out;
  out.reserve(outer * (hi - lo) * inner);
  for (uint64_t o = 0; o < outer; ++o) {
    const auto from = data.begin() + int64_t((o * shape[axis] + lo) * inner);
    out.insert(out.end(), from, from + int64_t(uint64_t(hi - lo) * inner));
  }
  return out;
}

LazyData slice_axis(const LazyData& data, const std::vector<uint32_t>& shape, size_t axis, uint32_t lo, uint32_t hi) {
  const uint64_t count = product(shape, 0, shape.size()) / shape[axis] * (hi - lo);
  return LazyData::deferred(count, [=] { return slice_axis(data.values(), shape, axis, lo, hi); });
}

std::vector<uint32_t> column_blocks(uint32_t columns, uint32_t chips, uint32_t lanes) {
  const uint32_t V = (columns + lanes - 1) / lanes;
  std::vector<uint32_t> b(chips + 1);
  for (uint32_t c = 0; c <= chips; ++c) b[c] = std::min(columns, uint32_t(uint64_t(c) * V / chips) * lanes);
  return b;
}

namespace {

// Weight bytes of each node (MatMuls' constant inputs).
std::vector<uint64_t> weight_bytes(const Graph& g) {
  std::vector<uint64_t> bytes(g.nodes().size(), 0);
  for (size_t i = 0; i < g.nodes().size(); ++i)
    for (TensorId t : g.nodes()[i].inputs)
      if (g.tensor(t).kind == TensorKind::Const && g.nodes()[i].op == GraphOp::MatMul)
        bytes[i] += bytes_of(g.tensor(t));
  return bytes;
}

// S stages (S <= the nodes and the weighted nodes).
StagePlan stages_of(const Graph& g, const std::vector<uint32_t>& chips_per_node, const std::vector<uint64_t>& bytes,
                    uint32_t S) {
  uint64_t total = 0;
  for (uint64_t b : bytes) total += b;
  StagePlan p;
  p.first.push_back(0);
  uint64_t sum = 0;
  for (size_t i = 0; i < g.nodes().size() && p.first.size() < S; ++i) {
    sum += bytes[i];
    const size_t left = g.nodes().size() - (i + 1);  // every later stage needs a node
    if ((total && sum * S >= total * p.first.size() && bytes[i]) || left == S - p.first.size())
      p.first.push_back(i + 1);
  }
  p.first.push_back(g.nodes().size());
  // Each cut moves on past the unweighted nodes after it to where the fewest
  // bytes cross it (after a cast to a narrower type, say): a handoff moves
  // every byte over one link.
  std::vector<int64_t> last_read(g.tensors().size(), -1);
  for (size_t i = 0; i < g.nodes().size(); ++i)
    for (TensorId t : g.nodes()[i].inputs) last_read[t] = int64_t(i);
  for (const Tensor& t : g.tensors())
    if (t.output) last_read[&t - g.tensors().data()] = int64_t(g.nodes().size());
  auto crossing = [&](size_t cut) {  // bytes made before node `cut` and read from it on
    uint64_t n = 0;
    for (size_t i = 0; i < cut; ++i) {
      const TensorId t = g.nodes()[i].output;
      if (last_read[t] >= int64_t(cut)) n += bytes_of(g.tensor(t));
    }
    return n;
  };
  for (size_t k = 1; k + 1 < p.first.size(); ++k) {
    size_t best = p.first[k];
    for (size_t cut = p.first[k] + 1; cut < p.first[k + 1] && !bytes[cut - 1]; ++cut)
      if (crossing(cut) < crossing(best)) best = cut;
    p.first[k] = best;
  }
  p.chips.assign(chips_per_node.begin(), chips_per_node.begin() + (p.first.size() - 1));
  return p;
}

}  // namespace

StagePlan plan_stages(const Graph& g, const std::vector<uint32_t>& chips_per_node, const isa::Config& cfg,
                      uint32_t stages) {
  const std::vector<uint64_t> bytes = weight_bytes(g);
  // A stage without weights would only pass activations on: no more stages than weighted nodes.
  const auto weighted = size_t(std::count_if(bytes.begin(), bytes.end(), [](uint64_t b) { return b > 0; }));
  const auto most = static_cast<uint32_t>(std::min(chips_per_node.size(), std::max<size_t>(1, weighted)));
  if (stages > most)
    throw Error(fmt::format("error: --stages {}: at most {} ({} nodes, {} MatMuls of constant weights)", stages, most,
                            chips_per_node.size(), weighted));
  if (stages) return stages_of(g, chips_per_node, bytes, stages);
  const uint64_t budget = cfg.sram_bytes * 3 / 4;
  for (uint32_t S = 1;; ++S) {
    StagePlan p = stages_of(g, chips_per_node, bytes, S);
    bool fits = true;
    for (uint32_t st = 0; st < p.stages() && fits; ++st) {
      uint64_t b = 0;
      for (size_t n = p.first[st]; n < p.first[st + 1]; ++n) b += bytes[n];
      fits = b / p.chips[st] <= budget;
    }
    if (fits || S == most) return p;
  }
}

std::vector<uint32_t> stage_nodes(const topo::Topology& t, const DirectLinks& links, uint32_t stages) {
  const uint32_t nodes = topo::node_count(t);
  std::vector<std::vector<bool>> linked(nodes, std::vector<bool>(nodes, false));
  for (uint32_t a = 0; a < links.size(); ++a)
    for (uint32_t b = 0; b < links[a].size(); ++b)
      if (links[a][b]) linked[t.chips[a].node][t.chips[b].node] = true;
  std::vector<uint32_t> path{0};
  std::vector<bool> used(nodes, false);
  used[0] = true;
  std::vector<uint32_t> tried{0};  // per depth: the next neighbour to try
  uint64_t steps = 0;               // a dead end on a large sparse map would search forever: give up
  while (path.size() < stages) {
    if (++steps > 10'000'000) break;
    const uint32_t at = path.back();
    uint32_t& next = tried.back();
    while (next < nodes && (used[next] || !linked[at][next])) ++next;
    if (next < nodes) {
      used[next] = true;
      path.push_back(next);
      ++next;
      tried.push_back(0);
    } else if (path.size() > 1) {  // a dead end: back one node
      used[path.back()] = false;
      path.pop_back();
      tried.pop_back();
    } else {
      break;
    }
  }
  if (path.size() < stages)
    throw Error(fmt::format("{}: error: topology '{}': no order of {} of its {} nodes links each to the next; "
                            "pipeline stages hand off over direct links only (not yet: routed transfers)",
                            t.where, t.name, stages, nodes));
  return path;
}

std::vector<Graph> partition_stage(const Graph& g, const StagePlan& plan, uint32_t stage, const isa::Config& cfg,
                                   std::vector<std::string>* decisions, std::vector<KeptBlocks>* kept,
                                   const CutHook& cut_hook) {
  std::vector<Graph> out;
  for (uint32_t c = 0; c < plan.chips[stage]; ++c)
    out.push_back(
        ChipGraph(g, plan, stage, c, cfg, c == 0 ? decisions : nullptr, c == 0 ? kept : nullptr, cut_hook).run());
  return out;
}

}  // namespace tsp::compiler
