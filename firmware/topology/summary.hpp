#pragma once
// What `tsp topo` reports about a topology: counts, links per cable class
// with their hop, ports per chip, diameter and HAC tree depth.
#include <cstdint>
#include <vector>

#include "firmware/topology/topology.hpp"

namespace tsp::topo {

struct CableUse {
  const isa::CableDesc* cable;
  size_t links = 0;
  uint32_t hop_cycles = 0;  // isa::c2c_hop_cycles of the configuration
};

struct Summary {
  size_t chips = 0, nodes = 0, links = 0;
  std::vector<CableUse> cables;  // table order, only the cables in use
  uint32_t min_ports = 0, max_ports = 0;
  uint32_t diameter = 0;    // max shortest-path hops
  uint32_t tree_depth = 0;  // HAC spanning tree from t.root
  double min_ppm = 0, max_ppm = 0;
};

Summary summarize(const Topology& t, const isa::Config& cfg);

}  // namespace tsp::topo
