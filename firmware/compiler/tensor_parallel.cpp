#include "firmware/compiler/tensor_parallel.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "firmware/compiler/ops.hpp"

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

// Columns [b[c], b[c+1]) or rows of a row-major matrix [K, N].
std::vector<uint32_t> block_of(const Tensor& w, const std::vector<uint32_t>& b, uint32_t c, bool rows) {
  const uint32_t K = w.shape[0], N = w.shape[1];
  if (rows) return {w.data.begin() + int64_t(uint64_t(b[c]) * N), w.data.begin() + int64_t(uint64_t(b[c + 1]) * N)};
  const uint32_t n = b[c + 1] - b[c];
  std::vector<uint32_t> out(uint64_t(K) * n);
  for (uint32_t r = 0; r < K; ++r)
    std::copy_n(w.data.begin() + int64_t(uint64_t(r) * N + b[c]), n, out.begin() + int64_t(r) * n);
  return out;
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
            std::vector<std::string>* decisions)
      : src_(src),
        plan_(plan),
        stage_(stage),
        P_(plan.chips[stage]),
        c_(chip),
        lanes_(cfg.lanes),
        link_cycles_(plan.link_cycles),
        decisions_(decisions),
        whole_(src.tensors().size()),
        split_(src.tensors().size()),
        producer_(src.tensors().size(), -1) {
    for (size_t n = 0; n < src.nodes().size(); ++n) producer_[src.nodes()[n].output] = int64_t(n);
  }

  Graph run() {
    const size_t first = plan_.first[stage_], end = plan_.first[stage_ + 1];
    for (size_t i = first; i < end; ++i) {
      const Node& n = src_.nodes()[i];
      order_ = uint64_t(i) << kOrderBits;
      if (n.op == GraphOp::MatMul && matmul(n)) continue;
      if (elementwise(n.op) && on_blocks(n)) continue;
      std::vector<TensorId> in;
      for (TensorId t : n.inputs) in.push_back(whole(t));
      whole_[n.output] = copy(n, in, src_.tensor(n.output).name);
    }
    // Kept whole to the end: the graph's outputs made here, and what later stages read (their handoffs send it).
    order_ = (uint64_t(end - 1) << kOrderBits) | (uint64_t(1) << (kOrderBits - 1));
    std::vector<bool> keep(src_.tensors().size(), false);
    for (size_t i = end; i < src_.nodes().size(); ++i)
      for (TensorId t : src_.nodes()[i].inputs) keep[t] = true;
    const bool last = stage_ + 1 == plan_.stages();
    for (size_t i = 0; i < src_.tensors().size(); ++i) {
      const int64_t p = producer_[i];
      const bool here = (p >= int64_t(first) && p < int64_t(end)) || (p < 0 && last);  // image data: the last stage
      if (here && (keep[i] || src_.tensors()[i].output) && (p >= 0 || src_.tensors()[i].output))
        out_.mark_output(whole(TensorId(i)));
    }
    return std::move(out_);
  }

 private:
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
    if (x.kind != TensorKind::Value) {  // image data: on the chips of the stages that read it whole
      whole_[t] = x.kind == TensorKind::Input ? out_.add_input(x.name, x.dtype, x.shape, x.data, x.where)
                                              : out_.add_const(x.name, x.dtype, x.shape, x.data, x.where);
      return *whole_[t];
    }
    if (!split_[t]) {  // made by an earlier stage
      Attrs a = collective(plan_.handoff_cycles);
      a.step = plan_.stage_of(size_t(producer_[t]));
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
    if (!splits(N)) {
      decide(fmt::format("{}: on every chip: {} columns are fewer than a vector of {} lanes for each of {} chips",
                         y.name, N, lanes_, P_));
      return false;
    }
    const std::vector<uint32_t> bn = bounds(N);
    if (split_[x] && !whole_[x]) {  // x by columns: w by rows, then a reduce-scatter
      const std::vector<uint32_t> bk = bounds(K);
      const TensorId wr =
          out_.add_const(w.name + ".rows", w.dtype, {bk[c_ + 1] - bk[c_], N}, block_of(w, bk, c_, true), w.where);
      const TensorId part = out_.add(GraphOp::MatMul, y.name + ".partial", {*split_[x], wr}, n.where);
      // Each chip's own block, then chip c - r's for r = 1 .. P-1, each
      // added to the sum as it comes: reads of distinct tensors, so the adds
      // fuse into VXM chains.
      TensorId acc = 0;
      for (uint32_t r = 0; r < P_; ++r) {
        Attrs a = collective(link_cycles_);
        a.bounds = bn;
        a.shift = r;
        const TensorId got = out_.add(GraphOp::Exchange, fmt::format("{}.from{}", y.name, (c_ + P_ - r) % P_), {part},
                                      n.where, std::nullopt, a);
        acc = r == 0 ? got
                     : out_.add(GraphOp::Add, r + 1 < P_ ? fmt::format("{}.sum{}", y.name, r) : y.name + ".local",
                                {acc, got}, n.where);
      }
      split_[n.output] = acc;
      decide(fmt::format("{}: '{}' [{}, {}] by rows, {}; partial sums reduce-scattered", y.name, w.name, K, N,
                         widths(bk)));
      return true;
    }
    const TensorId wc =
        out_.add_const(w.name + ".cols", w.dtype, {K, bn[c_ + 1] - bn[c_]}, block_of(w, bn, c_, false), w.where);
    split_[n.output] = out_.add(GraphOp::MatMul, y.name + ".local", {whole(x), wc}, n.where);
    decide(fmt::format("{}: '{}' [{}, {}] by columns, {}", y.name, w.name, K, N, widths(bn)));
    return true;
  }

  // An elementwise op on the blocks when some operand is split and every other is a lane broadcast.
  bool on_blocks(const Node& n) {
    const uint32_t N = src_.tensor(n.output).shape.back();
    bool any = false;
    for (TensorId t : n.inputs) {
      const bool lane_bcast = src_.tensor(t).shape.back() == 1 && N > 1;
      if (split_[t] && src_.tensor(t).shape.back() == N)
        any = true;
      else if (!lane_bcast)
        return false;
    }
    if (!any) return false;
    std::vector<TensorId> in;
    for (TensorId t : n.inputs) in.push_back(split_[t] && src_.tensor(t).shape.back() == N ? *split_[t] : whole(t));
    split_[n.output] = copy(n, in, src_.tensor(n.output).name + ".local");
    return true;
  }

  // A collective's Attrs::order: its source node's index, then a count within it.
  static constexpr unsigned kOrderBits = 16;
  const Graph& src_;
  const StagePlan& plan_;
  const uint32_t stage_, P_, c_, lanes_, link_cycles_;
  std::vector<std::string>* decisions_;
  Graph out_;
  std::vector<std::optional<TensorId>> whole_, split_;  // per source tensor: its forms on this chip
  std::vector<int64_t> producer_;                       // per source tensor: its node (-1: image data)
  uint64_t order_ = 0;
};

}  // namespace

std::vector<uint32_t> column_blocks(uint32_t columns, uint32_t chips, uint32_t lanes) {
  const uint32_t V = (columns + lanes - 1) / lanes;
  std::vector<uint32_t> b(chips + 1);
  for (uint32_t c = 0; c <= chips; ++c) b[c] = std::min(columns, uint32_t(uint64_t(c) * V / chips) * lanes);
  return b;
}

uint32_t StagePlan::stage_of(size_t node) const {
  return uint32_t(std::upper_bound(first.begin(), first.end(), node) - first.begin() - 1);
}

StagePlan plan_stages(const Graph& g, const std::vector<uint32_t>& chips_per_node) {
  // Weight bytes per node: a stage takes contiguous nodes until its share of the total.
  std::vector<uint64_t> bytes(g.nodes().size(), 0);
  uint64_t total = 0;
  for (size_t i = 0; i < g.nodes().size(); ++i)
    for (TensorId t : g.nodes()[i].inputs)
      if (g.tensor(t).kind == TensorKind::Const && g.nodes()[i].op == GraphOp::MatMul)
        total += bytes[i] = g.tensor(t).elements() * isa::dtype_desc(g.tensor(t).dtype).bytes;
  // A stage without weights would only pass activations on: no more stages than weighted nodes.
  const auto weighted = size_t(std::count_if(bytes.begin(), bytes.end(), [](uint64_t b) { return b > 0; }));
  const auto S = static_cast<uint32_t>(std::min<size_t>(chips_per_node.size(), std::max<size_t>(1, weighted)));
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
      if (last_read[t] >= int64_t(cut)) n += g.tensor(t).elements() * isa::dtype_desc(g.tensor(t).dtype).bytes;
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

std::vector<Graph> partition_stage(const Graph& g, const StagePlan& plan, uint32_t stage, const isa::Config& cfg,
                                   std::vector<std::string>* decisions) {
  std::vector<Graph> out;
  for (uint32_t c = 0; c < plan.chips[stage]; ++c)
    out.push_back(ChipGraph(g, plan, stage, c, cfg, c == 0 ? decisions : nullptr).run());
  return out;
}

}  // namespace tsp::compiler
