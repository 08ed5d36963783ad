// `tsp cosim --coverage-goal` (tb/coverage_goal.hpp): seeds drawn until N in a
// row add no functional coverage bin.
#include "tb/coverage_goal.hpp"

#include <fmt/format.h>

#include <memory>
#include <set>

#include "common/error.hpp"
#include "tb/cosim/cosim.hpp"
#include "tb/coverage/func_coverage.hpp"
#include "tb/flip_args.hpp"
#include "tb/gen/random_program.hpp"

namespace tsp::cli {
namespace {

// The bins one seed's program hits, its RTL checked on the way.
struct SeedRun {
  cov::Bins bins;
  std::string error;  // a divergence, a model error or a skip: the seed failed
};

SeedRun run_seed(const CoverageGoalArgs& a, gen::Generator g, const isa::Config& cfg, uint64_t seed) {
  const image::Image img = g(gen::RandomOptions{seed, a.config, a.instructions});
  image::validate(img);
  cosim::CosimOptions opt;
  opt.units = a.rtl;
  if (a.random_flips) opt.flips = {program_flips(cfg, img, a.random_flips, seed)};
  std::vector<std::unique_ptr<cov::FunctionalCoverage>> coverage;
  opt.also_observe = [&](uint32_t, const model::ChipEngine& engine) {
    coverage.push_back(std::make_unique<cov::FunctionalCoverage>(cfg));
    coverage.back()->watch(&engine);
    return coverage.back().get();
  };
  const cosim::CosimResult r = cosim::run_cosim(img, opt);
  SeedRun out;
  for (const auto& c : coverage) cov::add(out.bins, c->bins());
  if (r.divergence)
    out.error = cosim::format_divergence(img, *r.divergence);
  else if (!r.model_error.empty())
    out.error = r.model_error;
  else if (!r.skip_error.empty())
    out.error = r.skip_error;
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

int run_coverage_goal(const CoverageGoalArgs& a) {
  const gen::Generator g = gen::find_generator(a.unit);
  if (!g || a.unit == "c2c")
    throw Error(
        fmt::format("tsp cosim: error: --coverage-goal needs --random with a program generator, not '{}'", a.unit));
  const isa::Config* cfg = isa::find_config(a.config);
  if (!cfg) throw Error(fmt::format("tsp cosim: error: --config {}: unknown", a.config));
  if (a.goal == 0)
    throw Error("tsp cosim: error: --coverage-goal 0: give the seeds in a row that must add nothing (>= 1)");
  fmt::print(
      "tsp cosim: coverage goal of random {} (config {}, {} instructions, RTL {}): seeds from {} until {} in "
      "a row add no bin\n",
      a.unit, a.config, a.instructions, a.rtl.empty() ? "none" : join(a.rtl), a.first_seed, a.goal);
  cov::Bins merged;
  uint64_t last_new = a.first_seed;
  uint32_t dry = 0, runs = 0;
  for (uint64_t seed = a.first_seed; dry < a.goal; ++seed) {
    if (runs == a.max_seeds) {
      fmt::print(stderr,
                 "tsp cosim: error: --coverage-goal {}: seed {} still added bins after {} seeds (--max-seeds)\n",
                 a.goal, last_new, runs);
      return 1;
    }
    ++runs;
    const SeedRun r = run_seed(a, g, *cfg, seed);
    if (!r.error.empty()) {
      fmt::print(stderr,
                 "{}\ntsp cosim: error: --coverage-goal: seed {} failed; reproduce: tsp cosim --random {} --seed {} "
                 "--config {} --instructions {}{}\n",
                 r.error, seed, a.unit, seed, a.config, a.instructions,
                 a.random_flips ? fmt::format(" --random-flips {}", a.random_flips) : "");
      return 1;
    }
    std::vector<std::string> fresh;
    for (const auto& [bin, n] : r.bins)
      if (!merged.count(bin)) fresh.push_back(bin);
    cov::add(merged, r.bins);
    if (fresh.empty()) {
      ++dry;
      fmt::print("  seed {}: nothing new ({} in a row)\n", seed, dry);
      continue;
    }
    dry = 0;
    last_new = seed;
    fmt::print("  seed {}: +{} bins ({} in all){}\n", seed, fresh.size(), merged.size(), a.quiet ? "" : ":");
    if (!a.quiet)
      for (const auto& b : fresh) fmt::print("    {}\n", b);
  }
  // The unit's own bins (its name's prefix) hit and never hit.
  const std::string prefix = upper(a.unit) + ".";
  std::vector<std::string> missed;
  size_t total = 0;
  for (const auto& b : cov::all_bins(*cfg))
    if (b.rfind(prefix, 0) == 0) {
      ++total;
      if (!merged.count(b)) missed.push_back(b);
    }
  fmt::print(
      "tsp cosim: coverage goal reached: {} seeds to closure (seeds {}..{}), then {} adding nothing; {} "
      "bins hit, {} of the {} {} bins\n",
      last_new - a.first_seed + 1, a.first_seed, last_new, a.goal, merged.size(), total - missed.size(), total,
      upper(a.unit));
  if (!missed.empty()) {
    fmt::print("  never hit in {} ({}):\n", upper(a.unit), missed.size());
    for (const auto& b : missed) fmt::print("    {}\n", b);
  }
  if (!a.coverage.empty()) cov::save(a.coverage, a.config, merged);
  return 0;
}

}  // namespace tsp::cli
