#pragma once
// Partitioning for the system compiler (system.hpp): pipeline stages over the
// nodes (plan_stages, handing tensors on whole), and inside a stage tensor
// parallelism: the stage's graph on every chip of its node (P chips, fully
// connected), each tensor either whole on every chip or split by columns
// (chip c holds its block of column_blocks() as `<name>.local`). Walking the
// graph in order:
//  - a MatMul of constant weights w[K, N] whose x is split by columns is split
//    by rows (chip c: x's block times the same block of w's rows); its partial
//    sums go chip to chip (Exchange: block k to chip k) and each chip adds the
//    P blocks it receives (its own, then chip c-1's, c-2's, ...), so the
//    result is split by columns: a reduce-scatter. Else, with x whole, it is
//    split by columns. Either needs a vector of N for every chip, else the
//    MatMul runs whole on every chip;
//  - an elementwise op (unary, binary, select, the activations) whose split
//    operands are split alike and whose others are lane broadcasts ([.., 1])
//    runs on the blocks; its result is split;
//  - anything else, and every output, needs its operands whole: a split
//    tensor is gathered (AllGather) just before its first such reader.
// A column-split MatMul followed by elementwise ops and a row-split MatMul is
// Megatron's pair: the hidden activation never crosses a link.
#include <functional>
#include <optional>
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

// Every chip pair's first direct link, if any (links[c][d]). tsp::Error,
// naming the chip, if a clock drifts: the compiler inserts no RDESKEW yet.
using DirectLinks = std::vector<std::vector<std::optional<DirectLink>>>;
DirectLinks direct_links(const topo::Topology& t, const isa::Config& cfg);
// The links among `chips`, indexed by position in it. tsp::Error, naming the
// topology and the node, unless every pair is directly linked.
std::vector<std::vector<DirectLink>> links_among(const topo::Topology& t, const DirectLinks& all,
                                                 const std::vector<uint32_t>& chips);

// The column blocks of `columns` over `chips`: whole vectors of `lanes`, as
// even as they go (chip c: vectors [c V / P, (c+1) V / P) of V); the last
// block may end in part of a vector. Chip c's columns: [b[c], b[c+1]).
std::vector<uint32_t> column_blocks(uint32_t columns, uint32_t chips, uint32_t lanes);

// Pipeline stages: stage s runs the source graph's nodes [first[s],
// first[s+1]) on the chips of node s (chips[s] of them), tensor-parallel.
// A tensor a later stage reads is kept whole and handed off to it.
struct StagePlan {
  std::vector<size_t> first;    // stages + 1 entries: the last is the node count
  std::vector<uint32_t> chips;  // per stage
  uint32_t link_cycles = 0;     // the fewest hop cycles inside a node (the bound's)
  uint32_t handoff_cycles = 0;  // ... and between nodes
  uint32_t stages() const { return uint32_t(chips.size()); }
};
// Contiguous stages, each about an equal share of the bytes of the MatMuls'
// constant weights, on the nodes in order. `stages` of them, or with 0 the
// fewest whose chips' weight shares each fit 3/4 of a chip's SRAM (the rest
// for activations and lane padding): one token crosses the stages one after
// another, so more stages only add handoffs. At most as many as nodes and as
// MatMuls of constant weights. tsp::Error if `stages` is more than that.
StagePlan plan_stages(const Graph& g, const std::vector<uint32_t>& chips_per_node, const isa::Config& cfg,
                      uint32_t stages = 0);

// The nodes that run `stages` pipeline stages, in stage order: each directly
// linked to the next (a handoff crosses one link), found depth first from node
// 0, the lowest-numbered neighbour first (so nodes 0, 1, 2 ... where they are
// linked so). tsp::Error, naming the topology, when no such order exists.
std::vector<uint32_t> stage_nodes(const topo::Topology& t, const DirectLinks& links, uint32_t stages);

// An output that each chip of its stage keeps its block of, as
// "<name>.local", instead of gathering it (the KV cache of its heads): chip
// k's indices [bounds[k], bounds[k+1]) of `axis` (every axis before it 1).
struct KeptBlocks {
  std::string name;
  size_t axis = 0;
  std::vector<uint32_t> bounds;
};

// Stage `stage`'s chips' graphs; `decisions` gets its MatMuls' (how split, or
// why not), `kept` its outputs kept in blocks.
// `cut_hook`: CompileOptions::cut_hook.
using CutHook = std::function<void(uint32_t chip, uint32_t& lo, uint32_t& hi)>;
std::vector<Graph> partition_stage(const Graph& g, const StagePlan& plan, uint32_t stage, const isa::Config& cfg,
                                   std::vector<std::string>* decisions, std::vector<KeptBlocks>* kept = nullptr,
                                   const CutHook& cut_hook = {});

// Indices [lo, hi) of axis `axis` of row-major data of `shape`.
std::vector<uint32_t> slice_axis(const std::vector<uint32_t>& data, const std::vector<uint32_t>& shape, size_t axis,
                                 uint32_t lo, uint32_t hi);
// The same, made when first read (and then the whole source is made and kept:
// a stage's chips read blocks of one weight).
LazyData slice_axis(const LazyData& data, const std::vector<uint32_t>& shape, size_t axis, uint32_t lo, uint32_t hi);

}  // namespace tsp::compiler
