#include "tb/compile_system_cmd.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "firmware/compiler/reference.hpp"
#include "firmware/compiler/report_svg.hpp"
#include "firmware/compiler/system.hpp"
#include "tb/run_system.hpp"

namespace tsp::cli {
namespace {

int run_system(const SystemCompileArgs& a, const compiler::SystemCompiled& s, const topo::Topology& t,
               const isa::Config& cfg) {
  const auto P = static_cast<uint32_t>(s.chips.size());
  const SystemRun run = run_system_image(s, t, cfg);
  if (!run.report.ok()) {
    fmt::print(stderr, "{}\n", run.report.first_error());
    return 1;
  }
  for (const std::string& e : run.off_prediction) fmt::print(stderr, "{}: error: {}\n", a.program, e);
  const int rc = run.off_prediction.empty() ? 0 : 1;
  const model::RunReport& r = run.report;
  if (!rc && !a.quiet) fmt::print("model: {} cycles on {} chips, every chip as predicted\n", r.cycles, P);
  if (!a.check) return rc;
  const compiler::SystemComparison cmp = compiler::compare_system(s, cfg, run.got);
  for (const std::string& e : cmp.errors) fmt::print(stderr, "{}: error: {}\n", a.program, e);
  if (!cmp.errors.empty()) return 1;
  if (!a.quiet) {
    fmt::print("check: {} output elements on {} chips equal the host reference bit for bit\n", cmp.elements, P);
    if (cmp.generated)
      fmt::print("against the graph before partitioning: not compared: {} weight tensors are generated on the chips, "
                 "each chip's values its own\n",
                 cmp.generated);
    else
      fmt::print("against the graph before partitioning: {} of {} elements differ{}\n", cmp.differ, cmp.elements,
                 cmp.differ ? fmt::format(", by at most {:.3g} where values reach {:.3g} (float sums in another order)",
                                          cmp.max_abs_error, cmp.max_abs_value)
                            : "");
  }
  return rc;
}

}  // namespace

int compile_system_cmd(const SystemCompileArgs& a, const compiler::Graph& g, const isa::Config& cfg,
                       const compiler::CompileOptions& options) {
  const topo::Topology t = topo::load_topology(a.topology, cfg);
  const compiler::SystemCompiled s = compiler::compile_system(g, cfg, t, options);
  if (!a.output.empty()) image::save_file(s.image, a.output);
  write_schedule_view(a.report, a.png, [&] { return compiler::system_schedule_svg(s, t, cfg); });
  if (!a.quiet) {
    fmt::print("{}: {} nodes on {} chips of {} ({}): predicted {} cycles = {:.3f} us at {} MHz; compiled in {:.3f} s\n",
               a.program, g.nodes().size(), s.chips.size(), t.name, cfg.name, s.predicted_cycles,
               double(s.predicted_cycles) / cfg.clock_mhz, cfg.clock_mhz, s.seconds);
    for (const auto& x : s.decisions) fmt::print("matmul {}\n", x);
    if (options.generated_weights)
      fmt::print("generated weights: {} tensors on {} chips (seed {}), image {} bytes of SRAM segments\n",
                 s.generated_tensors(), s.chips.size(), *options.generated_weights, s.image.sram_segment_bytes());
    // Per stage: its chips' longest program, and its first chip's bound (a later
    // stage's includes waiting for its handoff, which its bound does not know).
    for (size_t st = 0; st < s.stages.size(); ++st) {
      const auto& chips = s.stages[st];
      uint64_t longest = 0, sram = 0;
      for (uint32_t c : chips) {
        longest = std::max(longest, s.chips[c].predicted_cycles);
        sram = std::max(sram, s.chips[c].sram_bytes);
      }
      const compiler::Compiled& first = s.chips[chips.front()];
      fmt::print("stage {} (node {}, chips {}..{}): up to {} cycles, SRAM up to {:.1f} MB a chip; chip {}: {}\n  {}\n",
                 st, t.chips[chips.front()].node, chips.front(), chips.back(), longest, sram / 1e6, chips.front(),
                 first.bound.summary(first.predicted_cycles), first.bound.terms_line());
    }
  }
  if (a.run || a.check) return run_system(a, s, t, cfg);
  return 0;
}

}  // namespace tsp::cli
