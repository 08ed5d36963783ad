#include "tb/run_system.hpp"

#include <fmt/format.h>

#include "systemc/sim/tensor_dump.hpp"

namespace tsp::cli {

SystemRun run_system_image(const compiler::SystemCompiled& s, const topo::Topology& t, const isa::Config& cfg) {
  const auto P = static_cast<uint32_t>(s.chips.size());
  SystemRun out;
  out.got.resize(P);
  model::RunOptions opt;
  opt.topology = &t;
  opt.inspect = [&](uint32_t c, model::ChipEngine& engine) {
    out.got[c] = compiler::read_outputs(
        s, c, [&](const image::Symbol& sym) { return model::read_tensor(engine, sym); }, cfg.lanes);
  };
  out.report = model::run_image(s.image, opt);
  if (!out.report.ok()) return out;
  for (uint32_t c = 0; c < P; ++c)
    if (uint64_t(out.report.chips[c].program_cycles) != s.chips[c].predicted_cycles)
      out.off_prediction.push_back(fmt::format("chip {}: simulated {} cycles but the compiler predicted {}", c,
                                               out.report.chips[c].program_cycles, s.chips[c].predicted_cycles));
  return out;
}

}  // namespace tsp::cli
