#pragma once
// Tensor parallelism for the system compiler (system.hpp): the same graph on
// every chip of a fully connected group, each MatMul of constant weights
// computing one block of its result's columns, and an AllGather (lower.hpp)
// giving every chip the whole result. What is not split runs on every chip,
// so every chip holds every activation and the outputs are on all of them.
#include <string>
#include <vector>

#include "firmware/compiler/ir.hpp"
#include "firmware/topology/topology.hpp"

namespace tsp::compiler {

// The direct link from one chip to another: the sender's port, the
// receiver's, and the cycles from a SEND to its RECV (exact clocks).
struct DirectLink {
  uint16_t port = 0, peer_port = 0;
  uint32_t hop = 0;
};

// links[c][d] for chips c != d of the topology. tsp::Error, naming the
// topology, unless every pair of chips has a direct link and every clock is exact.
std::vector<std::vector<DirectLink>> direct_links(const topo::Topology& t, const isa::Config& cfg);

struct Partition {
  std::vector<Graph> chips;             // chip c's graph
  std::vector<std::string> split;       // "y: w [K, N] by columns, N/P each"
  std::vector<std::string> replicated;  // "y: why not split"
};

// Splits every MatMul whose weights are a constant w[K, N] with N a multiple
// of chips x lanes; the others stay whole on every chip.
Partition partition_columns(const Graph& g, uint32_t chips, const isa::Config& cfg, uint32_t link_cycles);

}  // namespace tsp::compiler
