#pragma once
// The system compiler (docs/compiler.md "Systems"): one graph over the chips
// of a topology, in pipeline stages over its nodes and tensor-parallel over
// each node's chips, which must all be directly linked (tensor_parallel.hpp).
// Each chip's kernels are scheduled up to its next collective; the collective
// that comes first is then scheduled on all its chips at once
// (collective.hpp), so every RECV sits at its frame's arrival cycle. The
// result is one image for the system: chip c's program, SRAM and symbols
// (named "c<c>.<tensor>"), and, with embed_reference, every chip's outputs
// from system_reference().
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/tensor_parallel.hpp"

namespace tsp::compiler {

struct SystemCompiled {
  Graph graph;  // the source graph before partitioning, expanded (its host reference is compare_system's yardstick)
  // Each chip's compile (its own graph, placement, schedule); its program,
  // SRAM and symbols are moved into `image`, so its own image keeps only the
  // configuration, files and prediction.
  std::vector<Compiled> chips;
  image::Image image;                  // the system's
  uint64_t predicted_cycles = 0;       // the longest chip's
  std::vector<std::string> decisions;  // per MatMul: how it was split, or why not ("stage s: " with several)
  // Per pipeline stage, its chips (one node's, in order; StagePlan). Chips of
  // nodes no stage needs have no program.
  std::vector<std::vector<uint32_t>> stages;
  std::vector<std::vector<KeptBlocks>> kept;  // per stage: its outputs kept in blocks on its chips
  // The most stages whose chips were being compiled at once (a stage's chips
  // are built when its first collective comes and freed when the next stage
  // has taken its handoffs): memory is bounded by it, not by the stage count.
  uint32_t most_stages_at_once = 0;
  double seconds = 0;
  // Weight tensors generated on the chips (CompileOptions::generated_weights), over all chips.
  uint32_t generated_tensors() const {
    uint32_t n = 0;
    for (const Compiled& c : chips) n += c.generated_tensors;
    return n;
  }
  // The whole output `name` from every chip's `got` (indexed as its graph's
  // tensors): a kept output joined from its stage's chips' blocks, else the
  // first chip's that holds it; nullopt if none does.
  std::optional<std::vector<uint32_t>> output(const std::string& name,
                                              const std::vector<std::vector<std::vector<uint32_t>>>& got) const;
  // Chip c's output tensor `name`: the source graph's tensor, and for a kept block which indices of which axis.
  struct Block {
    size_t axis = 0;
    uint32_t lo = 0, hi = 0;
  };
  std::pair<std::string, std::optional<Block>> source_of(uint32_t c, const std::string& name) const;
};

SystemCompiled compile_system(const Graph& g, const isa::Config& cfg, const topo::Topology& t,
                              const CompileOptions& options = {});

// Every chip's values of its own graph (chips[c].graph, expanded): the host
// reference run on all chips in step, each collective from every chip's
// values. Bit for bit what the chips compute; the graph before partitioning
// (`graph`) gives the same integers, and floats summed in another order.
std::vector<std::vector<std::vector<uint32_t>>> system_reference(const SystemCompiled& s, const isa::Config& cfg);

// Every chip's outputs read back from a run (got[c][i]: tensor i of
// chips[c].graph, outputs only) against system_reference(): bit for bit;
// and against the graph before partitioning, how far they are (not with
// generated weights).
struct SystemComparison {
  std::vector<std::string> errors;  // "chip 3: output y element 17: model 0x.., host reference 0x.."
  uint64_t elements = 0;            // output elements compared, over all chips
  uint64_t differ = 0;              // of them, unlike the graph before partitioning ...
  double max_abs_error = 0;         // ... by at most this much (float sums in another order)
  double max_abs_value = 0;         // the largest magnitude among those outputs (before partitioning)
  // Weight tensors generated on the chips (CompileOptions::generated_weights): each chip's are the
  // generator's, so the graph before partitioning is not compared (differ and max_abs_* stay 0).
  uint32_t generated = 0;
};
// Chip c's outputs, indexed as chips[c].graph's tensors, from its symbols
// read by `read` (raw vectors x lanes, as tensor_dump reads them).
using ReadSymbol = std::function<std::vector<uint32_t>(const image::Symbol&)>;
std::vector<std::vector<uint32_t>> read_outputs(const SystemCompiled& s, uint32_t c, const ReadSymbol& read,
                                                uint32_t lanes);
SystemComparison compare_system(const SystemCompiled& s, const isa::Config& cfg,
                                const std::vector<std::vector<std::vector<uint32_t>>>& got);

// The symbol of tensor `name` on chip `c` of a system image.
std::string chip_symbol(uint32_t c, const std::string& name);

}  // namespace tsp::compiler
