#pragma once
// Bring-up of the hardware-aligned counters (docs/links.md, "Clocks"): the
// HAC root's counter is the reference; down the topology's breadth-first
// spanning tree each chip takes its parent's epoch marker off their link and
// sets its own epoch the link's calibrated latency before the edge that
// captured the marker. What remains is the capture edge's quantisation on
// clocks that differ: none at equal clocks, at most a cycle per hop otherwise.
#include <vector>

#include "firmware/topology/topology.hpp"
#include "systemc/engine/chip_clock.hpp"

namespace tsp::model {

struct HacAlignment {
  ChipClock clock;       // ppm, root ppm and the HAC offset left by the alignment
  double offset_ps = 0;  // the same offset in time
  uint32_t depth = 0;    // hops from the root along the tree
};

std::vector<HacAlignment> align_hacs(const topo::Topology& t, const isa::Config& cfg);

}  // namespace tsp::model
