#include "firmware/topology/summary.hpp"

#include <algorithm>

namespace tsp::topo {

Summary summarize(const Topology& t, const isa::Config& cfg) {
  Summary s;
  s.chips = t.chips.size();
  s.nodes = node_count(t);
  s.links = t.links.size();
  std::vector<size_t> per_cable(isa::kCables.size());
  for (const Link& l : t.links)
    if (const size_t i = size_t(l.cable - isa::kCables.data()); i < per_cable.size()) ++per_cable[i];
  for (size_t i = 0; i < isa::kCables.size(); ++i)
    if (per_cable[i]) s.cables.push_back({&isa::kCables[i], per_cable[i], isa::c2c_hop_cycles(cfg, isa::kCables[i])});
  const std::vector<uint32_t> used = ports_used(t);
  if (!used.empty()) {
    s.min_ports = *std::min_element(used.begin(), used.end());
    s.max_ports = *std::max_element(used.begin(), used.end());
  }
  s.diameter = diameter(t);
  for (const TreeEdge& e : spanning_tree(t)) s.tree_depth = std::max(s.tree_depth, e.depth);
  for (const Chip& c : t.chips) {
    s.min_ppm = std::min(s.min_ppm, c.clock_ppm);
    s.max_ppm = std::max(s.max_ppm, c.clock_ppm);
  }
  return s;
}

}  // namespace tsp::topo
