#pragma once
// The system compiler (docs/compiler.md "Systems"): one graph over the chips
// of a topology whose chips are all directly linked (a node), tensor-parallel
// (tensor_parallel.hpp). Every chip's graph is compiled in lockstep, kernel by
// kernel; a collective is scheduled on all chips at once (collective.hpp), so
// every RECV sits at its frame's arrival cycle. The result is one image for
// the system: chip c's program, SRAM and symbols (named "c<c>.<tensor>"),
// and, with embed_reference, every chip's outputs from the host reference of
// the graph before partitioning.
#include <string>
#include <vector>

#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/tensor_parallel.hpp"

namespace tsp::compiler {

struct SystemCompiled {
  Graph graph;                                 // the source graph, expanded: the system's host reference runs it
  std::vector<Compiled> chips;                 // each chip's compile (its own graph, placement, schedule)
  image::Image image;                          // the system's
  uint64_t predicted_cycles = 0;               // the longest chip's
  std::vector<std::string> split, replicated;  // Partition's report
  double seconds = 0;
};

SystemCompiled compile_system(const Graph& g, const isa::Config& cfg, const topo::Topology& t,
                              const CompileOptions& options = {});

// The symbol of tensor `name` on chip `c` of a system image.
std::string chip_symbol(uint32_t c, const std::string& name);

}  // namespace tsp::compiler
