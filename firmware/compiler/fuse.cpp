#include "firmware/compiler/fuse.hpp"

#include <algorithm>

namespace tsp::compiler {
namespace {

// At most this many ops in one chain (and never more than the VXM has ALUs).
constexpr size_t kMaxChain = 4;

// Whether the kernels of `chain` can run as one chain with this placement.
bool placement_allows(const Graph& g, const Lowered& low, const std::vector<Placement>& place, const isa::Config& cfg,
                      const std::vector<size_t>& chain) {
  struct Read {
    TensorId root;
    size_t step;
  };
  std::vector<Read> reads;
  uint32_t planes = 0;  // streams the chain's flows take
  for (size_t s = 0; s < chain.size(); ++s) {
    const VxmKernel& k = *low.kernels[chain[s]].vxm;
    const std::optional<TensorId> slots[] = {k.a, k.b, k.c};
    for (const auto& x : slots) {
      if (!x || (s && *x == low.kernels[chain[s - 1]].vxm->out)) continue;
      const TensorId r = low.root[*x];
      const auto same = std::find_if(reads.begin(), reads.end(), [&](const Read& o) { return o.root == r; });
      if (same != reads.end()) {
        if (same->step != s) return false;  // read twice at different offsets: one read port
        continue;
      }
      reads.push_back({r, s});
      planes += isa::dtype_desc(g.tensor(r).dtype).bytes;
    }
    planes += isa::dtype_desc(g.tensor(k.out).dtype).bytes;  // the result's flow, streamed or written
  }
  if (planes > cfg.streams_per_direction) return false;
  reads.push_back({low.root[low.kernels[chain.back()].vxm->out], chain.size()});
  for (size_t i = 0; i < reads.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      const Placement &a = place[reads[i].root], &b = place[reads[j].root];
      const unsigned ab = isa::dtype_desc(g.tensor(reads[i].root).dtype).bytes;
      const unsigned bb = isa::dtype_desc(g.tensor(reads[j].root).dtype).bytes;
      if (a.slice < b.slice + bb && b.slice < a.slice + ab) return false;
    }
  return true;
}

}  // namespace

std::vector<std::vector<size_t>> plan_fusion(const Graph& g, const Lowered& low, const std::vector<Placement>& place,
                                             const isa::Config& cfg) {
  std::vector<std::vector<size_t>> ends(low.kernels.size());
  std::vector<bool> taken(low.kernels.size(), false);
  const size_t cap = std::min<size_t>(kMaxChain, cfg.vxm_queues);
  for (size_t head = 0; head < low.kernels.size(); ++head) {
    if (taken[head] || low.stream_to[head] < 0) continue;
    std::vector<size_t> chain{head};
    while (chain.size() < cap && low.stream_to[chain.back()] >= 0) {
      const auto next = size_t(low.stream_to[chain.back()]);
      if (taken[next]) break;
      chain.push_back(next);
      if (!placement_allows(g, low, place, cfg, chain)) {
        chain.pop_back();
        break;
      }
    }
    if (chain.size() < 2) continue;
    for (size_t k : chain) taken[k] = true;
    ends[chain.back()] = chain;
  }
  return ends;
}

}  // namespace tsp::compiler
