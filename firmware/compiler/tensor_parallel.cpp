#include "firmware/compiler/tensor_parallel.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "firmware/compiler/ops.hpp"

namespace tsp::compiler {

std::vector<std::vector<DirectLink>> direct_links(const topo::Topology& t, const isa::Config& cfg) {
  const auto n = static_cast<uint32_t>(t.chips.size());
  if (n < 2) throw Error(fmt::format("{}: error: topology '{}' has one chip: nothing to partition", t.where, t.name));
  std::vector<std::vector<DirectLink>> links(n, std::vector<DirectLink>(n));
  std::vector<std::vector<bool>> linked(n, std::vector<bool>(n, false));
  for (uint32_t c = 0; c < n; ++c)
    if (t.chips[c].clock_ppm != 0)
      throw Error(
          fmt::format("{}: error: chip {} runs {} ppm off: plesiochronous clocks need RDESKEW in the "
                      "schedule, which the system compiler does not insert yet",
                      t.chips[c].where, c, t.chips[c].clock_ppm));
  for (const topo::Link& l : t.links) {
    const uint32_t hop = isa::c2c_hop_cycles(cfg, *l.cable);
    for (const auto& [from, to] : {std::pair{l.a, l.b}, std::pair{l.b, l.a}}) {
      if (linked[from.chip][to.chip]) continue;  // the first link between two chips carries their transfers
      linked[from.chip][to.chip] = true;
      links[from.chip][to.chip] = DirectLink{from.link, to.link, hop};
    }
  }
  for (uint32_t c = 0; c < n; ++c)
    for (uint32_t d = 0; d < n; ++d)
      if (c != d && !linked[c][d])
        throw Error(
            fmt::format("{}: error: topology '{}': chips {} and {} have no direct link; the system compiler "
                        "gathers over direct links only (not yet: routed transfers)",
                        t.where, t.name, c, d));
  return links;
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
  ChipGraph(const Graph& src, uint32_t parts, uint32_t chip, const isa::Config& cfg, uint32_t link_cycles,
            std::vector<std::string>* decisions)
      : src_(src),
        P_(parts),
        c_(chip),
        lanes_(cfg.lanes),
        link_cycles_(link_cycles),
        decisions_(decisions),
        whole_(src.tensors().size()),
        split_(src.tensors().size()) {}

  Graph run() {
    for (size_t i = 0; i < src_.tensors().size(); ++i) {
      const Tensor& t = src_.tensors()[i];
      if (t.kind == TensorKind::Input) whole_[i] = out_.add_input(t.name, t.dtype, t.shape, t.data, t.where);
      if (t.kind == TensorKind::Const) whole_[i] = out_.add_const(t.name, t.dtype, t.shape, t.data, t.where);
    }
    for (const Node& n : src_.nodes()) {
      if (n.op == GraphOp::MatMul && matmul(n)) continue;
      if (elementwise(n.op) && on_blocks(n)) continue;
      std::vector<TensorId> in;
      for (TensorId t : n.inputs) in.push_back(whole(t));
      whole_[n.output] = copy(n, in, src_.tensor(n.output).name);
    }
    for (size_t i = 0; i < src_.tensors().size(); ++i)
      if (src_.tensors()[i].output) out_.mark_output(whole(TensorId(i)));
    return std::move(out_);
  }

 private:
  bool splits(uint32_t n) const { return (n + lanes_ - 1) / lanes_ >= P_; }
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

  // A tensor whole on this chip: gathered from its blocks the first time a reader needs it so.
  TensorId whole(TensorId t) {
    if (whole_[t]) return *whole_[t];
    Attrs a;
    a.bounds = bounds(src_.tensor(t).shape.back());
    a.step = c_;
    a.link_cycles = link_cycles_;
    whole_[t] = out_.add(GraphOp::AllGather, src_.tensor(t).name, {*split_[t]}, src_.tensor(t).where, std::nullopt, a);
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
      Attrs a;
      a.bounds = bn;
      a.step = c_;
      a.link_cycles = link_cycles_;
      TensorId acc = 0;
      for (uint32_t r = 0; r < P_; ++r) {
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

  const Graph& src_;
  const uint32_t P_, c_, lanes_, link_cycles_;
  std::vector<std::string>* decisions_;
  Graph out_;
  std::vector<std::optional<TensorId>> whole_, split_;  // per source tensor: its forms on this chip
};

}  // namespace

std::vector<uint32_t> column_blocks(uint32_t columns, uint32_t chips, uint32_t lanes) {
  const uint32_t V = (columns + lanes - 1) / lanes;
  std::vector<uint32_t> b(chips + 1);
  for (uint32_t c = 0; c <= chips; ++c) b[c] = std::min(columns, uint32_t(uint64_t(c) * V / chips) * lanes);
  return b;
}

Partition partition_tensor_parallel(const Graph& g, uint32_t chips, const isa::Config& cfg, uint32_t link_cycles) {
  Partition p;
  for (uint32_t c = 0; c < chips; ++c)
    p.chips.push_back(ChipGraph(g, chips, c, cfg, link_cycles, c == 0 ? &p.decisions : nullptr).run());
  return p;
}

}  // namespace tsp::compiler
