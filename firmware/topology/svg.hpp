#pragma once
// An SVG picture of a topology: chips as small boxes grouped by node, nodes
// around a circle, links coloured by cable class, a legend. Above
// kSvgChipLimit chips a summary: nodes as dots, node-to-node links merged.
#include <string>

#include "firmware/topology/topology.hpp"

namespace tsp::topo {

inline constexpr size_t kSvgChipLimit = 600;
std::string topology_svg(const Topology& t, const isa::Config& cfg);

}  // namespace tsp::topo
