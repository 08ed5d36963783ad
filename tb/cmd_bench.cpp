// `tsp bench`: simulation speed on tsp1 against the same math done natively,
// measured in the same process (docs in README, "Speed").
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/error.hpp"
#include "tb/bench_links.hpp"
#include "tb/bench_programs.hpp"
#include "tb/commands.hpp"

namespace tsp::cli {
namespace {

// Both sides are timed by the CPU time of this thread: on a shared machine,
// wall time also counts other processes' time slices, which a 50 ms model run
// meets far more often than a 3 ms native one.
double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}
double seconds_since(double t0) { return thread_seconds() - t0; }
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Rounds alternate a model run and a native run, so that both meet the same
// memory bandwidth and cache state; the median of the rounds' ratios is the
// steadiest figure on a shared machine. The best of each side comes along.
nlohmann::json measure(const bench::Workload& w, uint32_t runs) {
  std::vector<double> model_runs, native_runs, ratios;
  std::vector<uint8_t> got, want;
  model::RunStats stats;
  model::Cycle cycles = 0;
  // One engine for every run, as the native side reuses its output buffer:
  // the first (cold) run also allocates and zeroes the SRAM pages the program
  // writes, which later runs find in place. Reported apart.
  model::ChipEngine chip(w.img, 0);
  const double t_cold = thread_seconds();
  if (!chip.run_until(~model::Cycle{0})) throw Error("tsp bench: the program did not finish");
  const double cold_s = seconds_since(t_cold);
  got = w.result(chip, w.n);
  stats = chip.stats();
  cycles = chip.end_cycle();
  w.native(w.img, w.n, want);  // warm-up: allocates and touches the output
  for (uint32_t r = 0; r < runs; ++r) {
    chip.load(w.img);  // loading SRAM is not part of the measurement
    const double t0 = thread_seconds();
    if (!chip.run_until(~model::Cycle{0})) throw Error("tsp bench: the program did not finish");
    model_runs.push_back(seconds_since(t0));
    if (chip.end_cycle() != cycles || chip.stats().stream_values != stats.stream_values)
      throw Error("tsp bench: " + w.name + ": a run differs from the first");
    const double t1 = thread_seconds();
    w.native(w.img, w.n, want);
    native_runs.push_back(seconds_since(t1));
    ratios.push_back(model_runs.back() / native_runs.back());
  }
  const double model_s = *std::min_element(model_runs.begin(), model_runs.end());
  const double native_s = *std::min_element(native_runs.begin(), native_runs.end());
  if (got != want) throw Error("tsp bench: " + w.name + ": the model's result differs from the native one");
  uint64_t instructions = 0;
  for (uint64_t c : stats.instructions) instructions += c;
  const double work = double(w.work);
  return {{"workload", w.name},
          {"n", w.n},
          {"cycles", cycles},
          {"runs", runs},
          {"instructions", instructions},
          {"work", w.work},
          {"work_unit", w.work_unit},
          {"native", w.native_what},
          {"model_seconds", model_s},
          {"model_seconds_cold", cold_s},
          {"model_seconds_cold", cold_s},
          {"native_seconds", native_s},
          {"cycles_per_second", double(cycles) / model_s},
          {"model_ns_per_unit", model_s * 1e9 / work},
          {"native_ns_per_unit", native_s * 1e9 / work},
          {"ratio_model_to_native", model_s / native_s},
          {"model_seconds_median", median(model_runs)},
          {"native_seconds_median", median(native_runs)},
          {"ratio_of_medians", median(model_runs) / median(native_runs)},
          {"ratio_median_of_rounds", median(ratios)},
          {"result_matches_native", true}};
}

int bench_links(uint32_t n, uint32_t runs, bool json) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& spec : bench::link_bench_specs(n)) all.push_back(bench::measure_links(spec, runs));
  if (json) {
    fmt::print("{}\n", all.dump(2));
    return 0;
  }
  fmt::print("{:<17}{:>6}{:>9}{:>8}{:>12}{:>12}{:>16}{:>11}\n", "", "chips", "cycles", "frames", "links s",
             "no links s", "chip cycles/s", "overhead");
  for (const auto& r : all)
    fmt::print("{:<17}{:>6}{:>9}{:>8}{:>12.4f}{:>12.4f}{:>16.3g}{:>10.1f}%\n", r["workload"].get<std::string>(),
               r["chips"].get<uint64_t>(), r["cycles"].get<uint64_t>(), r["frames"].get<uint64_t>(),
               r["seconds_with_links"].get<double>(), r["seconds_without_links"].get<double>(),
               r["chip_cycles_per_second_with_links"].get<double>(), 100 * r["link_and_sync_overhead"].get<double>());
  fmt::print("wall time of the run, loading excluded (median of {} rounds, each variant in its own process); overhead = what "
             "links and synchronisation add to the same chips' copying without them\n",
             runs);
  return 0;
}

}  // namespace

void add_bench(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("bench", "Measure model speed on tsp1 against native host computation of the same math");
  auto json = std::make_shared<bool>(false);
  auto mxm_n = std::make_shared<uint32_t>(4000);
  auto mem_n = std::make_shared<uint32_t>(4000);
  auto runs = std::make_shared<uint32_t>(1);
  auto links = std::make_shared<bool>(false);
  auto link_n = std::make_shared<uint32_t>(2000);
  cmd->add_flag("--json", *json, "Machine-readable output");
  cmd->add_option("--mxm-n", *mxm_n, "Activation vectors in the MXM-bound program")->capture_default_str();
  cmd->add_option("--mem-n", *mem_n, "Vectors copied per slice pair in the MEM-bound program")->capture_default_str();
  cmd->add_option("--runs", *runs,
                  "Rounds of a model run and a native run; the fastest of each and the median ratio are reported")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000u));
  cmd->add_flag("--links", *links,
                "Instead: the cost of links and synchronisation on node8 and a 3-hop Dragonfly path (each chip "
                "copying between its slice pairs, with and without vectors streaming over links)");
  cmd->add_option("--links-n", *link_n, "Vectors copied per slice pair per chip in the link benchmark")
      ->capture_default_str();
  cmd->callback([=, &exit_code] {
    if (*links) {
      exit_code = bench_links(*link_n, *runs, *json);
      return;
    }
    nlohmann::json all = nlohmann::json::array();
    all.push_back(measure(bench::mxm_workload(*mxm_n), *runs));
    all.push_back(measure(bench::mem_workload(*mem_n), *runs));
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
      for (const auto& r : all)
        fmt::print("native {}: {}\n", r["workload"].get<std::string>(), r["native"].get<std::string>());
      fmt::print("best of {} rounds each, thread CPU time (model: engine run only, SRAM loading excluded)\n", *runs);
      for (const auto& r : all)
        fmt::print(
            "{}: median of the rounds' ratios {:.2f}x; medians: model {:.4f} s, native {:.4f} s; cold first "
            "model run {:.4f} s\n",
            r["workload"].get<std::string>(), r["ratio_median_of_rounds"].get<double>(),
            r["model_seconds_median"].get<double>(), r["native_seconds_median"].get<double>(),
            r["model_seconds_cold"].get<double>());
    }
    exit_code = 0;
  });
}

}  // namespace tsp::cli
