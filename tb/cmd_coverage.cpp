// `tsp coverage`: merges functional coverage files (`tsp run --coverage`,
// `tsp cosim --coverage`; tb/coverage/func_coverage.hpp) and reports, per
// unit, the bins hit and every bin never hit, less the exclusions (each with
// its reason). docs/coverage.md.
#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "common/error.hpp"
#include "tb/commands.hpp"
#include "tb/coverage/func_coverage.hpp"

namespace tsp::cli {
namespace {

struct CoverageArgs {
  std::vector<std::string> inputs;  // files, or folders of *.json
  std::string exclusions, merged;
  std::vector<std::string> units;  // report only these (ICU, VXM, ...); empty: every unit
  bool require_all = false;
  bool list_hit = false;
};

struct Exclusion {
  std::string pattern, reason, where;
  bool used = false;
};

std::vector<Exclusion> read_exclusions(const std::string& path) {
  std::vector<Exclusion> out;
  if (path.empty()) return out;
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("tsp coverage: error: cannot read {}", path));
  static const std::regex re(R"(^\s*(\S+)\s+reason:\s*(\S.*)$)");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
    std::smatch m;
    if (!std::regex_match(line, m, re))
      throw Error(fmt::format("{}:{}: error: expected `BIN-PATTERN reason: WHY` (a pattern may use * and ?)", path, n));
    out.push_back({m[1].str(), m[2].str(), fmt::format("{}:{}", path, n)});
  }
  return out;
}

std::vector<std::string> expand(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const auto& p : inputs) {
    if (std::filesystem::is_directory(p)) {
      std::set<std::string> sorted;
      for (const auto& e : std::filesystem::directory_iterator(p))
        if (e.path().extension() == ".json") sorted.insert(e.path().string());
      files.insert(files.end(), sorted.begin(), sorted.end());
    } else {
      files.push_back(p);
    }
  }
  if (files.empty()) throw Error("tsp coverage: error: no coverage files (give files, or folders of *.json)");
  return files;
}

int report(const CoverageArgs& a) {
  const auto files = expand(a.inputs);
  cov::Bins merged;
  std::set<std::string> configs, universe;
  for (const auto& f : files) {
    const cov::Loaded l = cov::load(f);
    const isa::Config* cfg = isa::find_config(l.config);
    if (!cfg) throw Error(fmt::format("{}: error: unknown configuration '{}'", f, l.config));
    if (configs.insert(l.config).second)
      for (auto& b : cov::all_bins(*cfg)) universe.insert(b);
    cov::add(merged, l.bins);
  }
  for (const auto& [k, v] : merged)
    if (!universe.count(k))
      throw Error(fmt::format("tsp coverage: error: bin '{}' is in no configuration's bin list (a stale file?)", k));
  auto exclusions = read_exclusions(a.exclusions);
  struct Unit {
    uint64_t hit = 0, total = 0, excluded = 0;
    std::vector<std::string> missed;
  };
  std::map<std::string, Unit> units;
  const std::set<std::string> chosen(a.units.begin(), a.units.end());
  for (const auto& u : chosen)
    if (std::none_of(universe.begin(), universe.end(), [&](const std::string& b) { return b.rfind(u + ".", 0) == 0; }))
      throw Error(
          fmt::format("tsp coverage: error: --units {}: no bin of that unit (units are upper case: VXM, ICU, ...)", u));
  for (const auto& b : universe) {
    const std::string unit = b.substr(0, b.find('.'));
    if (!chosen.empty() && !chosen.count(unit)) continue;
    Unit& u = units[unit];
    Exclusion* ex = nullptr;
    for (auto& e : exclusions)
      if (fnmatch(e.pattern.c_str(), b.c_str(), 0) == 0) ex = &e;
    if (ex) {
      ex->used = true;
      ++u.excluded;
      continue;
    }
    ++u.total;
    if (merged.count(b))
      ++u.hit;
    else
      u.missed.push_back(b);
  }
  for (const auto& e : exclusions)
    if (!e.used && chosen.empty())
      throw Error(fmt::format("{}: error: exclusion '{}' matches no bin (stale: remove it)", e.where, e.pattern));
  std::string cfgs;
  for (const auto& c : configs) cfgs += (cfgs.empty() ? "" : ", ") + c;
  fmt::print("tsp coverage: {} files merged (configurations {}), {} bins\n", files.size(), cfgs, universe.size());
  fmt::print("  {:<6} {:>7} {:>7} {:>8} {:>9}\n", "unit", "hit", "bins", "percent", "excluded");
  uint64_t missed = 0;
  for (const auto& [name, u] : units) {
    fmt::print("  {:<6} {:>7} {:>7} {:>7.1f}% {:>9}\n", name, u.hit, u.total, u.total ? 100.0 * u.hit / u.total : 100.0,
               u.excluded);
    missed += u.missed.size();
  }
  for (const auto& [name, u] : units)
    if (!u.missed.empty()) {
      fmt::print("  never hit in {} ({}):\n", name, u.missed.size());
      for (const auto& b : u.missed) fmt::print("    {}\n", b);
    }
  if (a.list_hit)
    for (const auto& [k, v] : merged) fmt::print("  hit {:>10}  {}\n", v, k);
  if (!a.merged.empty()) cov::save(a.merged, cfgs, merged);
  if (a.require_all && missed) {
    fmt::print(stderr, "tsp coverage: error: {} bins never hit and not excluded (--require-all)\n", missed);
    return 1;
  }
  return 0;
}

}  // namespace

void add_coverage(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CoverageArgs>();
  auto* cmd = app.add_subcommand("coverage", "Merge functional coverage files and report bins hit and never hit");
  cmd->add_option("inputs", a->inputs, "Coverage files (tsp run/cosim --coverage), or folders of *.json")->required();
  cmd->add_option("--exclusions", a->exclusions, "Bins not counted, one `PATTERN reason: WHY` per line");
  cmd->add_option("-o,--merged", a->merged, "Also write the merged bins to this file");
  cmd->add_flag("--require-all", a->require_all, "Exit 1 when a bin was never hit and is not excluded");
  cmd->add_option("--units", a->units, "Report (and require) only these units' bins, e.g. VXM,ICU")->delimiter(',');
  cmd->add_flag("--list-hit", a->list_hit, "Also list every bin hit, with its count");
  cmd->callback([a, &exit_code] { exit_code = report(*a); });
}

}  // namespace tsp::cli
