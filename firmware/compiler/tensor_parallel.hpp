#pragma once
// Tensor parallelism for the system compiler (system.hpp): the same graph on
// every chip of a fully connected group of P chips, each tensor either whole
// on every chip (replicated) or split by columns (chip c holds its block of
// column_blocks() as `<name>.local`). Walking the graph in order:
//  - a MatMul of constant weights w[K, N] whose x is split by columns is split
//    by rows (chip c: x's block times w's rows [c K/P, (c+1) K/P)); its
//    partial sums go chip to chip (Exchange: block k to chip k) and each chip
//    adds the P blocks it receives (its own, then chip c-1's, c-2's, ...), so
//    the result is split by columns: a reduce-scatter. Else, with x whole, it is split by columns.
//    Either needs a vector of N for every chip, else the MatMul runs whole on
//    every chip;
//  - an elementwise op (unary, binary, select, the activations) whose split
//    operands are split alike and whose others are lane broadcasts ([.., 1])
//    runs on the blocks; its result is split;
//  - anything else, and every output, needs its operands whole: a split
//    tensor is gathered (AllGather) just before its first such reader.
// A column-split MatMul followed by elementwise ops and a row-split MatMul is
// Megatron's pair: the hidden activation never crosses a link.
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

// The column blocks of `columns` over `chips`: whole vectors of `lanes`, as
// even as they go (chip c: vectors [c V / P, (c+1) V / P) of V); the last
// block may end in part of a vector. Chip c's columns: [b[c], b[c+1]).
std::vector<uint32_t> column_blocks(uint32_t columns, uint32_t chips, uint32_t lanes);

struct Partition {
  std::vector<Graph> chips;            // chip c's graph
  std::vector<std::string> decisions;  // per MatMul: how it was split, or why not
};

Partition partition_tensor_parallel(const Graph& g, uint32_t chips, const isa::Config& cfg, uint32_t link_cycles);

}  // namespace tsp::compiler
