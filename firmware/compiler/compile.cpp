#include "firmware/compiler/compile.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string_view>

#include "common/error.hpp"
#include "firmware/compiler/codegen.hpp"
#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/fuse.hpp"
#include "firmware/compiler/generated_weights.hpp"
#include "firmware/compiler/kernels.hpp"
#include "firmware/compiler/lower.hpp"
#include "firmware/compiler/reference.hpp"

namespace tsp::compiler {
namespace {

// Test hook (tests/CMakeLists.txt): with TSP_COMPILE_LOG_DIR set, every program
// compiled without a test hook (a planted bug) is kept there, named by its contents, so that
// one test can run every program the suite compiled against its prediction.
void log_compiled(const image::Image& img) {
  const char* dir = std::getenv("TSP_COMPILE_LOG_DIR");
  if (!dir || !*dir) return;
  const std::vector<uint8_t> bytes = image::serialize(img);
  const size_t h =
      std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  const std::filesystem::path d(dir), f = d / fmt::format("{:016x}.img", h);
  std::filesystem::create_directories(d);
  // Written under a temporary name and renamed: tests run in parallel.
  const std::filesystem::path tmp = d / fmt::format("{:016x}.{}.tmp", h, ::getpid());
  image::save_file(img, tmp.string());
  std::filesystem::rename(tmp, f);
}

}  // namespace

double Compiled::utilisation(isa::Unit u) const {
  const auto it = units.find(u);
  if (it == units.end() || !predicted_cycles || !it->second.queues) return 0;
  return double(it->second.busy) / (double(predicted_cycles) * it->second.queues);
}

Compiled compile(const Graph& source, const isa::Config& cfg, const CompileOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Compiled out;
  out.graph = expand(source, cfg);
  const Graph& g = out.graph;
  const Lowered low = lower(g, cfg);
  out.bound = lower_bound(g, low, cfg);
  if (options.bound_hook) options.bound_hook(out.bound);
  // Auto: without reuse if the program fits, so that every tensor can be read back.
  const SramReuse first = options.sram_reuse == SramReuse::Auto ? SramReuse::Never : options.sram_reuse;
  out.sram_reused = first != SramReuse::Never;
  try {
    out.placement = place(g, low, cfg, first);
  } catch (const SramFull&) {
    if (options.sram_reuse != SramReuse::Auto) throw;
    out.sram_reused = true;
    out.placement = place(g, low, cfg, SramReuse::Auto);
  }
  for (const Placement& p : out.placement) out.overwritten_tensors += p.overwritten;
  for (const Node& n : g.nodes())  // a gather's base constant is its data's address (gather.hpp)
    if (n.op == GraphOp::GatherRows)
      out.graph.set_const_data(
          n.inputs[2], std::vector<uint32_t>(g.tensor(n.inputs[2]).elements(), out.placement[n.inputs[0]].address));
  Scheduler sched(cfg);
  sched.chain_hook = options.chain_hook;
  KernelScheduler ks(g, out.placement, cfg, sched);
  uint32_t next_plane = 0;  // each MatMul kernel takes the plane that is free first
  // SRAM reuse: each storage root's last SRAM access so far, and the floor a writer inherits from what it reuses.
  std::vector<Cycle> last_access(g.tensors().size(), kNoFloor);
  const std::vector<std::vector<size_t>> fused =
      options.fuse ? plan_fusion(g, low, out.placement, cfg) : std::vector<std::vector<size_t>>(low.kernels.size());
  std::vector<bool> deferred(low.kernels.size(), false);  // inside a fused chain: scheduled with its last kernel
  for (const auto& chain : fused)
    for (size_t i = 0; i + 1 < chain.size(); ++i) {
      deferred[chain[i]] = true;
      out.placement[low.kernels[chain[i]].vxm->out].streamed = true;
      ++out.fused_ops;
    }
  for (size_t ki = 0; ki < low.kernels.size(); ++ki) {
    const Kernel& k = low.kernels[ki];
    if (deferred[ki]) continue;
    Cycle floor = kNoFloor;
    for (TensorId dead : out.placement[k.node->output].reuses) floor = std::max(floor, last_access[dead] + 1);
    sched.set_write_floor(floor);
    const std::string what = fmt::format("{} {}", op_name(k.node->op), g.tensor(k.node->output).name);
    std::vector<const Kernel*> ran{&k};
    if (!fused[ki].empty()) {
      std::vector<const VxmKernel*> steps;
      std::string names;
      ran.clear();
      for (size_t i : fused[ki]) {
        const Kernel& f = low.kernels[i];
        steps.push_back(&*f.vxm);
        names += fmt::format("{}{} {}", names.empty() ? "" : " > ", op_name(f.node->op), g.tensor(f.node->output).name);
        ran.push_back(&f);
      }
      ks.vxm_fused(steps, names);
    } else if (k.vxm) {
      ks.vxm(*k.vxm, what);
    }
    for (const MatMulKernel& m : k.mxm) {
      const uint32_t plane = ks.free_plane(next_plane);
      ks.matmul(m, what, plane);
      next_plane = plane + 1;
    }
    if (k.sxm) ks.permute(*k.sxm, what);
    if (k.alias) ks.alias(k.node->output, *k.alias);
    for (const VecKernel& v : k.vec) ks.vec(v, what);
    if (k.gather) ks.gather(*k.gather, what);
    const Cycle last = sched.take_last_access();
    for (const Kernel* r : ran) {
      for (TensorId t : r->node->inputs) last_access[low.root[t]] = std::max(last_access[low.root[t]], last);
      last_access[low.root[r->node->output]] = std::max(last_access[low.root[r->node->output]], last);
    }
  }
  out.timed = sched.timed();
  out.chains = sched.chain_names();
  out.image = generate(g, out.placement, out.timed, cfg, options.source_file);
  out.predicted_cycles = out.image.predicted_cycles;
  // The bound holds for every legal schedule of these kernels, so a schedule
  // below it means the bound or the scheduler's model of the chip is wrong.
  if (out.predicted_cycles < out.bound.cycles)
    throw Error(
        fmt::format("{}: internal error: the schedule's {} cycles are below the lower bound's {} (term {}): "
                    "the bound or the scheduler is wrong",
                    options.source_file, out.predicted_cycles, out.bound.cycles, out.bound.binding));
  if (options.generated_weights) {
    out.generated_tensors = generate_weights(out.graph, out.placement, out.image, cfg, *options.generated_weights,
                                             options.generated_as_bytes);
    image::validate(out.image);
  }
  for (const auto& q : cfg.queue_table) ++out.units[q.unit].queues;
  for (const Timed& r : out.timed) {  // a float ABC holds the array for its whole interval
    const bool holds = r.instr.op == isa::Op::ABC;
    out.units[cfg.queue_table[r.queue].unit].busy += holds ? r.span() + r.interval - 1 : r.count;
  }
  if (options.embed_reference) {
    const auto ref = run_reference(g, cfg.mxm_dim);
    for (size_t t = 0; t < g.tensors().size(); ++t)
      if (g.tensors()[t].output) {
        image::Expected e{symbol_of(out.image, g.tensors()[t]).name, 0, ref[t]};
        out.image.expected.push_back(std::move(e));
      }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!options.chain_hook) log_compiled(out.image);
  return out;
}

}  // namespace tsp::compiler
