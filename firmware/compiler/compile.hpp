#pragma once
// The compiler driver: lower -> place -> schedule (kernels to chains) -> code
// generation, plus the per-unit utilisation of the result.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "firmware/compiler/bound.hpp"
#include "firmware/compiler/chain.hpp"
#include "firmware/compiler/ir.hpp"
#include "firmware/compiler/lower.hpp"
#include "firmware/compiler/place.hpp"
#include "firmware/image/image.hpp"

namespace tsp::compiler {

struct CompileOptions {
  std::string source_file = "<api>";
  // Test seam: called on every chain before it is scheduled (Scheduler::chain_hook).
  // Tests plant scheduler bugs through it (tests/support/planted_bugs.hpp); `tsp` sets none.
  // A compile with a hook is not kept for the end-of-suite rerun (TSP_COMPILE_LOG_DIR).
  std::function<void(Chain&)> chain_hook;
  // Test seam: changes the lower bound before compile() holds the schedule to it
  // (tests plant a bound one cycle too high through it: tests/support/planted_bugs.hpp).
  std::function<void(Bound&)> bound_hook;
  // Test seam (system compiler): changes which indices chip `chip` cuts from an
  // operand whole along a split axis (tensor_parallel.hpp), [lo, hi).
  std::function<void(uint32_t chip, uint32_t& lo, uint32_t& hi)> cut_hook;
  // System compiler: pipeline stages (0: the fewest that hold the weights; tensor_parallel.hpp plan_stages).
  uint32_t stages = 0;
  // Run the host reference and embed every output's values in the image, so
  // that `tsp run --check` compares without the graph.
  bool embed_reference = false;
  // Weights as generated SRAM of this seed (generated_weights.hpp), not bytes.
  std::optional<uint64_t> generated_weights;
  bool generated_as_bytes = false;  // the same weight values, carried as bytes (to compare both forms)
  // Whether tensors may take the SRAM of dead ones (place.hpp): Auto only when
  // the program does not fit otherwise, so that every tensor can be read back.
  SramReuse sram_reuse = SramReuse::Auto;
  // Fuse elementwise chains through the VXM (fuse.hpp); off, every
  // intermediate is written to SRAM and can be read back.
  bool fuse = true;
  // Keep Compiled::timed and chains after code generation (the schedule view
  // and tests read them). A system compile with no view drops them: 576
  // chips' instruction lists take gigabytes.
  bool keep_schedule = true;
};

struct UnitUse {
  uint64_t busy = 0;    // issue slots holding unit instructions (each repetition counts)
  uint32_t queues = 0;  // queues of this unit on the chip
};

struct Compiled {
  Graph graph;  // the expanded graph that was compiled (the host reference runs it)
  image::Image image;
  uint64_t predicted_cycles = 0;
  Bound bound;  // the lower bound of the lowered kernels (bound.hpp): predicted_cycles >= bound.cycles
  std::vector<Placement> placement;
  std::vector<Timed> timed;
  std::vector<std::string> chains;  // chain names, indexed by Timed::chain
  std::map<isa::Unit, UnitUse> units;
  bool sram_reused = false;  // placed with SRAM reuse (CompileOptions::sram_reuse)
  uint32_t overwritten_tensors = 0;
  uint32_t fused_ops = 0;  // VXM ops whose result streams into the next op (never written; no symbol)  // tensors whose
                           // addresses a later one takes: no symbol in the image
  uint32_t generated_tensors = 0;  // weights the image generates (CompileOptions::generated_weights)
  // SRAM the placement spans: per MEM slice its highest address used, summed,
  // in bytes (gaps below the highest count; of cfg.mem_slices x mem_addresses x lanes).
  uint64_t sram_bytes = 0;
  double seconds = 0;              // compile wall time
  // Busy slots / (cycles x queues) of a unit, 0..1.
  double utilisation(isa::Unit u) const;
};

Compiled compile(const Graph& g, const isa::Config& cfg, const CompileOptions& options = {});

class Scheduler;
class KernelScheduler;

// One chip's compile in steps, so that the system compiler (system.hpp) can
// schedule the kernels of several chips in lockstep and a collective on all of
// them at once: the constructor expands, lowers, bounds and places; then each
// kernel in order, schedule() or, for a collective, the caller's chains
// between begin() and end(); then finish(). compile() is these steps.
class ChipCompile {
 public:
  ChipCompile(const Graph& source, const isa::Config& cfg, const CompileOptions& options);
  ~ChipCompile();
  ChipCompile(const ChipCompile&) = delete;
  ChipCompile& operator=(const ChipCompile&) = delete;
  size_t kernels() const { return low_.kernels.size(); }
  const Kernel& kernel(size_t ki) const { return low_.kernels[ki]; }
  void schedule(size_t ki);  // a kernel of one chip (with its fused chain)
  void begin(size_t ki);     // the SRAM-reuse floor of kernel ki's result
  void end(size_t ki);       // its accesses, for the tensors it reads and writes
  Scheduler& scheduler() { return *sched_; }
  KernelScheduler& kernel_scheduler() { return *ks_; }
  const Graph& graph() const { return out_.graph; }
  const std::vector<Placement>& placement() const { return out_.placement; }
  // Code generation, the bound check, utilisation and the embedded reference.
  Compiled finish();

 private:
  const isa::Config& cfg_;
  CompileOptions options_;
  std::chrono::steady_clock::time_point start_;
  Compiled out_;
  Lowered low_;
  std::unique_ptr<Scheduler> sched_;
  std::unique_ptr<KernelScheduler> ks_;
  uint32_t next_plane_ = 0;  // each MatMul kernel takes the plane that is free first
  void share_mxm_planes();
  // How many parts (N block ranges, one plane each) MatMul kernel `m` of kernel `ki` runs in.
  uint32_t mxm_parts(size_t ki, const MatMulKernel& m) const;
  // SRAM reuse: each storage root's last SRAM access so far.
  std::vector<Cycle> last_access_;
  std::vector<std::vector<size_t>> fused_;
  std::vector<bool> deferred_;  // inside a fused chain: scheduled with its last kernel
  // Per MXM kernel: the planes its N blocks spread over: its share of them
  // with the kernels that could run beside it (neither depends on the other).
  std::vector<uint32_t> mxm_planes_;
};

}  // namespace tsp::compiler
