// Graph questions on a topology: the HAC spanning tree, shortest paths, hops,
// the diameter, ports per chip; and the seeded clock spread.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <deque>

#include "common/error.hpp"
#include "firmware/topology/topology.hpp"

namespace tsp::topo {
namespace {

// Per chip its links in link order (compressed rows): the order makes every search deterministic.
struct Adjacency {
  std::vector<uint32_t> first;  // chip -> first arc; chips + 1 entries
  struct Arc {
    uint32_t to;
    uint32_t link;
    uint16_t port;  // the sending port on this chip
  };
  std::vector<Arc> arcs;

  explicit Adjacency(const Topology& t) : first(t.chips.size() + 1, 0), arcs(2 * t.links.size()) {
    for (const Link& l : t.links) {
      ++first[l.a.chip + 1];
      ++first[l.b.chip + 1];
    }
    for (size_t c = 0; c < t.chips.size(); ++c) first[c + 1] += first[c];
    std::vector<uint32_t> fill(first.begin(), first.end() - 1);
    for (uint32_t i = 0; i < t.links.size(); ++i) {
      const Link& l = t.links[i];
      arcs[fill[l.a.chip]++] = {l.b.chip, i, l.a.link};
      arcs[fill[l.b.chip]++] = {l.a.chip, i, l.b.link};
    }
  }
  std::span<const Arc> of(uint32_t chip) const { return {arcs.data() + first[chip], arcs.data() + first[chip + 1]}; }
};

void check_chip(const Topology& t, uint32_t chip, const char* what) {
  if (chip >= t.chips.size())
    throw Error(fmt::format("{}: error: {} chip {} out of range (the system has {} chips)", t.name, what, chip,
                            t.chips.size()));
}

// Breadth-first from `from`; per chip the arc it was reached by (UINT32_MAX: not reached) and its depth.
struct Search {
  std::vector<uint32_t> via, depth;
};
Search bfs(const Topology& t, const Adjacency& adj, uint32_t from, std::optional<uint32_t> stop_at = {}) {
  Search s{std::vector<uint32_t>(t.chips.size(), UINT32_MAX), std::vector<uint32_t>(t.chips.size(), UINT32_MAX)};
  std::deque<uint32_t> queue{from};
  s.depth[from] = 0;
  while (!queue.empty()) {
    const uint32_t c = queue.front();
    queue.pop_front();
    if (stop_at && c == *stop_at) break;
    for (uint32_t i = adj.first[c]; i < adj.first[c + 1]; ++i) {
      const uint32_t to = adj.arcs[i].to;
      if (s.depth[to] != UINT32_MAX) continue;
      s.depth[to] = s.depth[c] + 1;
      s.via[to] = i;
      queue.push_back(to);
    }
  }
  return s;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<TreeEdge> spanning_tree(const Topology& t) {
  std::vector<TreeEdge> tree(t.chips.size());
  if (t.chips.empty()) return tree;
  check_chip(t, t.root, "root");
  const Adjacency adj(t);
  const Search s = bfs(t, adj, t.root);
  for (size_t c = 0; c < t.chips.size(); ++c) {
    tree[c].reached = s.depth[c] != UINT32_MAX;
    tree[c].depth = tree[c].reached ? s.depth[c] : 0;
    if (s.via[c] != UINT32_MAX) tree[c].link = adj.arcs[s.via[c]].link;
  }
  return tree;
}

std::vector<uint32_t> hops_from(const Topology& t, uint32_t from) {
  check_chip(t, from, "source");
  const Adjacency adj(t);
  return bfs(t, adj, from).depth;
}

std::vector<Port> shortest_path(const Topology& t, uint32_t from, uint32_t to) {
  check_chip(t, from, "source");
  check_chip(t, to, "destination");
  const Adjacency adj(t);
  const Search s = bfs(t, adj, from, to);
  if (s.depth[to] == UINT32_MAX)
    throw Error(
        fmt::format("{}: error: no path from chip {} to chip {} (the system is not connected)", t.name, from, to));
  std::vector<Port> path(s.depth[to]);
  for (uint32_t c = to; c != from;) {
    const auto& arc = adj.arcs[s.via[c]];
    const Link& l = t.links[arc.link];
    const Port sender = l.a.chip == c ? l.b : l.a;  // the arc arrives at c; the other end sent
    path[s.depth[c] - 1] = sender;
    c = sender.chip;
  }
  return path;
}

uint32_t diameter(const Topology& t) {
  // Breadth-first from 64 sources at once: bit i of reached[c] says source i has reached chip c.
  const uint32_t n = uint32_t(t.chips.size());
  const Adjacency adj(t);
  uint32_t worst = 0;
  std::vector<uint64_t> reached(n), frontier(n), next(n);
  for (uint32_t base = 0; base < n; base += 64) {
    const uint32_t count = std::min<uint32_t>(64, n - base);
    const uint64_t all = count == 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
    std::fill(reached.begin(), reached.end(), 0);
    std::fill(frontier.begin(), frontier.end(), 0);
    for (uint32_t i = 0; i < count; ++i) reached[base + i] = frontier[base + i] = uint64_t{1} << i;
    for (uint32_t level = 1;; ++level) {
      bool any = false;
      for (uint32_t c = 0; c < n; ++c) {
        uint64_t in = 0;
        for (const auto& arc : adj.of(c)) in |= frontier[arc.to];
        next[c] = in & ~reached[c];
        any |= next[c] != 0;
      }
      if (!any) break;
      worst = std::max(worst, level);
      for (uint32_t c = 0; c < n; ++c) reached[c] |= next[c];
      frontier.swap(next);
    }
    for (uint32_t c = 0; c < n; ++c)
      if (reached[c] != all) return UINT32_MAX;
  }
  return worst;
}

std::vector<uint32_t> ports_used(const Topology& t) {
  std::vector<uint32_t> used(t.chips.size());
  for (const Link& l : t.links) {
    if (l.a.chip < used.size()) ++used[l.a.chip];
    if (l.b.chip < used.size()) ++used[l.b.chip];
  }
  return used;
}

uint32_t node_count(const Topology& t) {
  uint32_t nodes = 0;
  for (const Chip& c : t.chips) nodes = std::max(nodes, c.node + 1);
  return nodes;
}

void apply_clock_spread(Topology& t, double ppm_spread, uint64_t seed) {
  if (!(ppm_spread >= 0 && ppm_spread <= kMaxClockPpm))
    throw Error(fmt::format("clock spread {} ppm out of range (0..{})", ppm_spread, kMaxClockPpm));
  // Our own generator and mapping (not <random>'s distributions): the same clocks on every platform.
  uint64_t state = seed;
  for (Chip& c : t.chips) {
    const double unit = double(splitmix64(state) >> 11) * 0x1p-53;  // [0, 1)
    c.clock_ppm = ppm_spread * (2 * unit - 1);
  }
}

}  // namespace tsp::topo
