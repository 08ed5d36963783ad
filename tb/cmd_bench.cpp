// `tsp bench`: simulation speed on tsp1 against the same math done natively,
// measured in the same process (docs in README, "Speed").
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "tb/bench_programs.hpp"
#include "tb/commands.hpp"

namespace tsp::cli {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

nlohmann::json measure(const bench::Workload& w) {
  model::ChipEngine chip(w.img, 0);  // loading SRAM is not part of the measurement
  auto t0 = std::chrono::steady_clock::now();
  if (!chip.run_until(~model::Cycle{0})) throw Error("tsp bench: the program did not finish");
  const double model_s = seconds_since(t0);
  std::vector<uint8_t> want;
  w.native(w.img, w.n, want);  // warm-up: allocates and touches the output
  t0 = std::chrono::steady_clock::now();
  w.native(w.img, w.n, want);
  const double native_s = seconds_since(t0);
  if (w.result(chip, w.n) != want)
    throw Error("tsp bench: " + w.name + ": the model's result differs from the native one");
  uint64_t instructions = 0;
  for (uint64_t c : chip.stats().instructions) instructions += c;
  const double work = double(w.work);
  return {{"workload", w.name},
          {"n", w.n},
          {"cycles", chip.end_cycle()},
          {"instructions", instructions},
          {"work", w.work},
          {"work_unit", w.work_unit},
          {"model_seconds", model_s},
          {"native_seconds", native_s},
          {"cycles_per_second", double(chip.end_cycle()) / model_s},
          {"model_ns_per_unit", model_s * 1e9 / work},
          {"native_ns_per_unit", native_s * 1e9 / work},
          {"ratio_model_to_native", model_s / native_s},
          {"result_matches_native", true}};
}

}  // namespace

void add_bench(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("bench", "Measure model speed on tsp1 against native host computation of the same math");
  auto json = std::make_shared<bool>(false);
  auto mxm_n = std::make_shared<uint32_t>(4000);
  auto mem_n = std::make_shared<uint32_t>(4000);
  cmd->add_flag("--json", *json, "Machine-readable output");
  cmd->add_option("--mxm-n", *mxm_n, "Activation vectors in the MXM-bound program")->capture_default_str();
  cmd->add_option("--mem-n", *mem_n, "Vectors copied per slice pair in the MEM-bound program")->capture_default_str();
  cmd->callback([=, &exit_code] {
    nlohmann::json all = nlohmann::json::array();
    all.push_back(measure(bench::mxm_workload(*mxm_n)));
    all.push_back(measure(bench::mem_workload(*mem_n)));
    if (*json) {
      fmt::print("{}\n", all.dump(2));
    } else {
      fmt::print("{:<5}{:>10}{:>12}{:>14}{:>16}{:>16}{:>10}\n", "", "cycles", "model s", "cycles/s", "model ns/unit",
                 "native ns/unit", "ratio");
      for (const auto& r : all)
        fmt::print("{:<5}{:>10}{:>12.4f}{:>14.3g}{:>16.4f}{:>16.4f}{:>9.2f}x   ({} per {}; result equals native)\n",
                   r["workload"].get<std::string>(), r["cycles"].get<uint64_t>(), r["model_seconds"].get<double>(),
                   r["cycles_per_second"].get<double>(), r["model_ns_per_unit"].get<double>(),
                   r["native_ns_per_unit"].get<double>(), r["ratio_model_to_native"].get<double>(), "ns",
                   r["work_unit"].get<std::string>());
    }
    exit_code = 0;
  });
}

}  // namespace tsp::cli
