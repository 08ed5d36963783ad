// `tsp run`: a program image on the cycle-exact SystemC model, with a summary
// for people and --stats JSON for machines; --check / --expect compare its
// output tensors (tb/run_check.hpp).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "common/error.hpp"
#include "systemc/dist/comm.hpp"
#include "systemc/dist/partition.hpp"
#include "systemc/engine/observer_tee.hpp"
#include "systemc/sim/run_image.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "systemc/waves/gtkw.hpp"
#include "systemc/waves/wave_log.hpp"
#include "systemc/waves/wave_recorder.hpp"
#include "tb/commands.hpp"
#include "tb/coverage/func_coverage.hpp"
#include "tb/flip_args.hpp"
#include "tb/option_rules.hpp"
#include "tb/run_check.hpp"
#include "tb/run_digest.hpp"
#include "tb/run_ranks.hpp"
#include "tb/wave_chips.hpp"

namespace tsp::cli {
namespace {

struct RunArgs {
  std::string image;
  std::string stats;
  std::string coverage;  // functional coverage file to write (tb/coverage/func_coverage.hpp)
  std::vector<std::string> flips;
  std::vector<std::string> dumps;
  double flip_rate = 0;
  uint64_t flip_horizon = 0;
  uint64_t seed = 1;
  uint64_t quantum = 1u << 16;
  bool quiet = false;
  bool check = false;                // against the image's expected outputs
  std::vector<std::string> expects;  // NAME=FILE.pb
  std::string wave;                  // FST path; empty: no waves
  std::string wave_chips;            // the chips in the wave, "0,3,5-7"; empty: every chip
  waves::WaveWindow window;
  std::string topology;  // built-in name or file; empty: no links
  double ppm_spread = 0;
  double link_ber = 0;
  std::vector<std::string> link_flips;  // CHIP.PORT:CYCLE:BIT
  bool link_jitter = false;
  bool digest = false;         // print the results' digest (success or not)
  std::string partition;       // rank of each chip, or a file of them (mpirun)
  double mpi_timeout = 60;     // seconds a rank waits for the others
  double lookahead = 0;        // cycles links between ranks take at least (0: from the topology)
  bool progress = false;       // a progress line per rank
  bool fixed_windows = false;  // every window the fixed one (no growing to the next SEND between ranks)
  std::string rank_fault;      // hidden, tests only: RANK:WINDOW:exit|hang|throw
  bool timing_only = false;    // docs/timing-only.md
};

nlohmann::json counters_json(const model::LinkCounters& n) {
  return {{"frames", n.frames},
          {"bits", n.bits},
          {"busy_cycles", n.busy_cycles},
          {"bit_errors", n.bit_errors},
          {"corrected_symbols", n.corrected_symbols},
          {"corrected_frames", n.corrected_frames},
          {"uncorrectable_frames", n.uncorrectable_frames},
          {"max_jitter_cycles", n.max_jitter_cycles}};
}

nlohmann::json stats_json(const image::Image& img, const isa::Config& cfg, const model::RunReport& r) {
  nlohmann::json chips = nlohmann::json::array();
  for (const auto& c : r.chips) {
    nlohmann::json per_unit;
    for (size_t u = 0; u < isa::kUnitCount; ++u) per_unit[std::string(isa::kUnitNames[u])] = c.stats.instructions[u];
    chips.push_back({{"status", c.status == model::hostmap::kDone ? "done" : "error"},
                     {"error", c.error},
                     {"cycles", c.cycles},
                     {"program_cycles", c.program_cycles},
                     {"drift_shift", c.drift_shift},
                     {"clock_ppm", c.clock_ppm},
                     {"hac_offset_ps", c.hac_offset_ps},
                     {"hac_depth", c.hac_depth},
                     {"instructions", per_unit},
                     {"ecc_corrected", c.stats.ecc_corrected},
                     {"sram_bytes", c.stats.sram_bytes},
                     {"sram_stored_bytes", c.sram_stored_bytes},
                     {"stream_values", c.stats.stream_values},
                     {"macs", c.stats.macs},
                     {"load_seconds", c.load_seconds},
                     {"run_seconds", c.run_seconds},
                     {"rank", c.rank},
                     {"results", c.collected.empty() ? nlohmann::json() : nlohmann::json::parse(c.collected)}});
  }
  nlohmann::json links = nlohmann::json::array();
  for (const auto& l : r.links)
    links.push_back({{"name", l.name},
                     {"defined_at", l.defined_at},
                     {"cable", l.cable},
                     {"hop_cycles", l.hop_cycles},
                     {"from_a", counters_json(l.from_a)},
                     {"from_b", counters_json(l.from_b)}});
  return {{"config", cfg.name},
          {"chips", chips},
          {"links", links},
          {"cycles", r.cycles},
          {"predicted_cycles", img.has_prediction ? nlohmann::json(img.predicted_cycles) : nlohmann::json()},
          {"microseconds", double(r.cycles) / cfg.clock_mhz},
          {"wall_seconds", r.wall_seconds},
          {"run_wall_seconds", r.run_wall_seconds},
          {"cycles_per_second", r.wall_seconds > 0 ? double(r.cycles) / r.wall_seconds : 0.0},
          {"ok", r.ok()},
          {"ranks", ranks_json(r)},
          {"lookahead_cycles", r.lookahead_cycles},
          {"window_cycles", r.window_cycles}};
}

// Queues of each unit: the denominator of utilization.
std::array<uint64_t, isa::kUnitCount> queues_per_unit(const isa::Config& cfg) {
  std::array<uint64_t, isa::kUnitCount> n{};
  for (const auto& q : cfg.queue_table) ++n[static_cast<size_t>(q.unit)];
  return n;
}

void print_summary(const std::string& name, const image::Image& img, const isa::Config& cfg,
                   const model::RunReport& r) {
  fmt::print("tsp run: {} (config {}, {} chip{})\n", name, cfg.name, r.chips.size(), r.chips.size() == 1 ? "" : "s");
  std::string pred = "no prediction in the image";
  if (img.has_prediction)
    pred = img.predicted_cycles == r.cycles ? fmt::format("compiler predicted {}: exact", img.predicted_cycles)
                                            : fmt::format("compiler predicted {}: MISMATCH", img.predicted_cycles);
  fmt::print("  {:<14}{} ({:.3f} us at {} MHz); {}\n", "cycles", r.cycles, double(r.cycles) / cfg.clock_mhz,
             cfg.clock_mhz, pred);
  const auto queues = queues_per_unit(cfg);
  for (size_t c = 0; c < r.chips.size(); ++c) {
    const auto& ch = r.chips[c];
    std::string ins, util;
    for (size_t u = 0; u < isa::kUnitCount; ++u) {
      ins += fmt::format("{} {}  ", isa::kUnitNames[u], ch.stats.instructions[u]);
      if (u != static_cast<size_t>(isa::Unit::ICU) && ch.cycles)
        util += fmt::format("{} {:.1f}%  ", isa::kUnitNames[u],
                            100.0 * double(ch.stats.instructions[u]) / (double(ch.cycles) * double(queues[u])));
    }
    // Several chips: a heading per chip, its rows indented under it.
    if (r.chips.size() > 1 && r.ranks.empty()) fmt::print("  chip {}\n", c);
    if (!r.ranks.empty()) fmt::print("  chip {} (rank {})\n", c, ch.rank);
    const std::string tag = r.chips.size() > 1 ? "  " : "";
    const size_t w = 14 + tag.size();
    fmt::print("  {:<{}}{}\n", tag + "instructions", w, ins);
    fmt::print("  {:<{}}{}(issue slots used / cycles x queues)\n", tag + "utilization", w, util);
    fmt::print("  {:<{}}{} SRAM bytes, {} stream values, {} MACs\n", tag + "traffic", w, ch.stats.sram_bytes,
               ch.stats.stream_values, ch.stats.macs);
    fmt::print("  {:<{}}{} single-bit errors corrected\n", tag + "ECC", w, ch.stats.ecc_corrected);
    fmt::print("  {:<{}}image loaded over {} in {:.1f} us, ran {:.3f} us (simulated)\n", tag + "host", w, cfg.host_link,
               ch.load_seconds * 1e6, ch.run_seconds * 1e6);
    if (ch.clock_ppm != 0 || ch.drift_shift != 0)
      fmt::print("  {:<{}}{:+.2f} ppm: {} own cycles, {} schedule cycles (RDESKEW absorbed {:+})\n", tag + "clock", w,
                 ch.clock_ppm, ch.cycles, ch.program_cycles, ch.drift_shift);
  }
  for (const auto& l : r.links) {
    const auto dir = [&](const model::LinkCounters& n) {
      return fmt::format("{} frames, {:.1f}% busy, {} bit errors, {} symbols corrected, {} uncorrectable", n.frames,
                         r.cycles ? 100.0 * double(n.busy_cycles) / double(r.cycles) : 0.0, n.bit_errors,
                         n.corrected_symbols, n.uncorrectable_frames);
    };
    if (!l.from_a.frames && !l.from_b.frames) continue;
    fmt::print("  {:<14}{} ({}, hop {} cycles): a->b {}; b->a {}\n", "link", l.name, l.cable, l.hop_cycles,
               dir(l.from_a), dir(l.from_b));
  }
  fmt::print("  {:<14}{:.3f} s wall, {:.3g} simulated cycles/s\n", "speed", r.wall_seconds,
             r.wall_seconds > 0 ? double(r.cycles) / r.wall_seconds : 0.0);
  print_ranks(r);
}

// A tensor's byte planes as a digest reads them: a run of generated vectors
// never written is its (address, length), not its bytes, which it still
// holds as the image says (generating every weight of 576 chips again took
// 470 s beside a 25 s timing-only run).
std::string tensor_bytes(model::ChipEngine& engine, const image::Symbol& sym) {
  std::string out;
  const uint32_t lanes = engine.config().lanes;
  for (unsigned b = 0; b < isa::dtype_desc(sym.dtype).bytes; ++b) {
    model::MemSlice& slice = engine.slice(static_cast<uint16_t>(sym.slice + b));
    for (uint32_t v = 0; v < sym.vectors;) {
      const uint32_t a = sym.address + v;
      if (const uint32_t n = slice.unwritten_generated(a, sym.vectors - v)) {
        out += fmt::format("G{}+{};", a, n);
        v += n;
        continue;
      }
      model::Vec vec;
      slice.read(a, vec);
      out.append(reinterpret_cast<const char*>(vec.bytes.data()), lanes);
      ++v;
    }
  }
  return out;
}

// What each chip's rank sends to rank 0 with its report: the --dump text, the
// checked tensors' bits, and, when the digest is printed or the statistics
// written, a hash of every manifest tensor (tensor_bytes).
std::string collect_chip(uint32_t chip, model::ChipEngine& engine, const image::ChipIndex& index,
                         const std::vector<const image::Symbol*>& dumps, const std::vector<TensorCheck>& checks,
                         const std::vector<std::vector<size_t>>& checks_of, bool hash_tensors) {
  nlohmann::json j;
  j["dumps"] = nlohmann::json::array();
  for (const auto* sym : dumps)
    if (sym->chip == chip) j["dumps"].push_back(model::format_tensor(*sym, model::read_tensor(engine, *sym)));
  j["checks"] = nlohmann::json::object();
  for (size_t i : checks_of.at(chip)) j["checks"][std::to_string(i)] = captured(checks[i], engine);
  j["tensors"] = nlohmann::json::object();
  if (hash_tensors)
    for (const image::Symbol* sym : index.symbols.at(chip))
      j["tensors"][sym->name] = fmt::format("{:016x}", fnv1a64(tensor_bytes(engine, *sym)));
  return j.dump();
}

// Closes the FST after the run and writes its GTKWave save file next to it.
// Returns the lines that say where both landed.
std::string finish_waves(waves::WaveRecorder& rec, const std::string& fst, const model::RunReport& r) {
  namespace fs = std::filesystem;
  std::vector<model::Cycle> own;  // each chip's own cycles: on a topology, clocks differ
  for (const auto& c : r.chips) own.push_back(c.cycles);
  const waves::WaveWindow w = rec.finish(r.cycles, own);
  const bool empty = w.from > w.to;
  const std::string gtkw = fs::path(fst).replace_extension(".gtkw").string();
  waves::GtkwView view{fst, 0, 0, rec.chips(), rec.closed_groups()};
  if (!empty) std::tie(view.from_ps, view.to_ps) = rec.span_ps();
  waves::write_gtkw(gtkw, view, rec.layout());
  if (empty) {
    fmt::print(stderr, "tsp run: warning: {} is empty: --from {} lies past the run's {} cycles\n", fst,
               rec.window().from, r.cycles);
    return {};
  }
  return fmt::format("  {:<14}{} ({} bytes, cycles {}..{}, {} signals)\n  {:<14}{} ({} bytes); view: gtkwave {}\n",
                     "wave", fst, fs::file_size(fst), w.from, w.to, rec.layout().size(), "", gtkw, fs::file_size(gtkw),
                     gtkw);
}

int report_run(const RunArgs& a, const image::Image& img, const isa::Config& cfg, const model::RunReport& r,
               std::vector<std::string>& dumped, std::vector<TensorCheck>& checks, waves::WaveRecorder* recorder);

int run(const RunArgs& a) {
  dist::Comm& comm = dist::Comm::world();
  comm.set_timeout(a.mpi_timeout);
  const RankFault fault = parse_rank_fault(a.rank_fault);
  const image::Image img = image::load_file(a.image);
  const isa::Config& cfg = *isa::find_config(img.config);
  model::RunOptions opt;
  opt.quantum = a.quantum;
  opt.lookahead_cycles = a.lookahead;
  opt.adaptive_windows = !a.fixed_windows;
  opt.timing_only = a.timing_only;
  std::optional<topo::Topology> topology;
  if (!a.topology.empty()) {
    topology = topo::load_topology(a.topology, cfg);
    if (a.ppm_spread > 0) topo::apply_clock_spread(*topology, a.ppm_spread, a.seed);
    opt.topology = &*topology;
  } else if (a.ppm_spread > 0 || a.link_ber > 0 || !a.link_flips.empty() || a.link_jitter) {
    throw Error("tsp run: error: --clock-ppm-spread, --link-ber, --link-flip and --link-jitter need --topology");
  }
  if (comm.distributed()) {
    if (!opt.topology)
      throw Error(
          fmt::format("tsp run: error: {} ranks need --topology: ranks own chips and talk over links", comm.size()));
    opt.rank_of = dist::partition(static_cast<uint32_t>(img.chips.size()), comm.size(), a.partition);
  } else if (!a.partition.empty()) {
    dist::partition(static_cast<uint32_t>(img.chips.size()), 1, a.partition);  // one rank: it must name rank 0 only
  }
  opt.wire.ber = a.link_ber;
  opt.wire.seed = a.seed;
  opt.wire.jitter = a.link_jitter;
  for (const auto& f : a.link_flips) opt.wire.flips.push_back(parse_link_flip(cfg, f, "tsp run"));
  opt.flips = parse_flips(cfg, a.flips, "tsp run", img.chips.size());
  if (a.flip_rate > 0) {
    const uint64_t horizon = a.flip_horizon ? a.flip_horizon : (img.has_prediction ? img.predicted_cycles : 1'000'000);
    for (uint32_t c = 0; c < img.chips.size(); ++c) {
      auto more = random_flips(cfg, a.flip_rate, horizon, a.seed + c);
      opt.flips[c].insert(opt.flips[c].end(), more.begin(), more.end());
    }
  }
  auto last = std::chrono::steady_clock::now();
  const bool tty = isatty(STDERR_FILENO);
  if (comm.distributed()) {
    const uint64_t predicted = img.has_prediction ? img.predicted_cycles : 0;
    const auto line = a.progress ? rank_progress(comm.rank(), comm.size(), predicted, std::chrono::seconds(2))
                                 : std::function<void(const model::WindowInfo&)>{};
    opt.on_window = [line, fault, &comm](const model::WindowInfo& w) {
      if (line) line(w);
      apply_rank_fault(fault, comm.rank(), w.window, comm);
    };
  } else if (!a.quiet)
    opt.progress = [&](uint32_t chip, model::Cycle n) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::seconds(2)) return;
      last = now;
      fmt::print(stderr, "{}tsp run: chip {} at cycle {}{}", tty ? "\r" : "", chip, n, tty ? "" : "\n");
    };
  std::vector<const image::Symbol*> dumps;
  for (const auto& name : a.dumps) {
    const auto it = std::find_if(img.symbols.begin(), img.symbols.end(), [&](const auto& s) { return s.name == name; });
    if (it == img.symbols.end())
      throw Error(fmt::format("tsp run: error: --dump {}: no such tensor in the image", name));
    dumps.push_back(&*it);
  }
  std::vector<std::string> dumped;
  std::vector<TensorCheck> checks = plan_checks(img, a.check, a.expects);
  const image::ChipIndex index(img);
  std::vector<std::vector<size_t>> checks_of(img.chips.size());  // each chip's checks: N chips cost N
  for (size_t i = 0; i < checks.size(); ++i) checks_of.at(checks[i].symbol->chip).push_back(i);
  opt.collect = [&](uint32_t chip, model::ChipEngine& engine) {
    // Timing-only computes no value: its tensors are not part of its digest.
    return collect_chip(chip, engine, index, dumps, checks, checks_of,
                        (a.digest || !a.stats.empty()) && !a.timing_only);
  };
  // Waves: one process records them itself; under mpirun each rank logs its
  // chips' part and rank 0 replays every part after the run (waves::WaveLog).
  std::unique_ptr<waves::WaveRecorder> recorder;
  std::unique_ptr<waves::WaveLog> wave_log;
  const std::vector<bool> shown = parse_wave_chips(a.wave_chips, static_cast<uint32_t>(img.chips.size()));
  if (!a.wave.empty()) {
    if (a.window.from > a.window.to)
      throw Error(fmt::format("tsp run: error: --from {} is after --to {}", a.window.from, a.window.to));
    const auto dir = std::filesystem::path(a.wave).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
    if (comm.distributed()) {
      wave_log = std::make_unique<waves::WaveLog>(static_cast<uint32_t>(img.chips.size()), shown, opt.topology);
      opt.observer = [&](uint32_t chip) { return wave_log->observer(chip); };
      opt.link_observer = wave_log->link_observer();
      opt.waves = [&](uint32_t chip) { return wave_log->take(chip); };
    } else {
      recorder = std::make_unique<waves::WaveRecorder>(img, a.wave, a.window, opt.topology, shown);
      opt.observer = [&](uint32_t chip) { return recorder->observer(chip); };
      if (opt.topology) opt.link_observer = recorder->link_observer();
    }
  }
  // Functional coverage: one collector per chip, beside the wave recorder if there is one.
  std::vector<std::unique_ptr<cov::FunctionalCoverage>> coverage;
  std::vector<std::unique_ptr<model::ObserverTee>> tees;
  std::unique_ptr<cov::FunctionalCoverage> link_coverage;
  if (!a.coverage.empty()) {
    auto waves_of = opt.observer;
    for (size_t c = 0; c < img.chips.size(); ++c) coverage.push_back(std::make_unique<cov::FunctionalCoverage>(cfg));
    opt.observer = [&, waves_of](uint32_t chip) -> model::Observer* {
      model::Observer* w = waves_of ? waves_of(chip) : nullptr;
      if (!w) return coverage[chip].get();
      tees.push_back(std::make_unique<model::ObserverTee>(w, coverage[chip].get()));
      return tees.back().get();
    };
    if (opt.topology && !opt.link_observer) {  // frames: the wave recorder's tap takes the one link observer slot
      link_coverage = std::make_unique<cov::FunctionalCoverage>(cfg);
      opt.link_observer = link_coverage.get();
    }
  }
  const model::RunReport r = model::run_image(img, opt);
  if (!a.coverage.empty()) {
    cov::Bins bins;
    for (const auto& c : coverage) cov::add(bins, c->bins());
    if (link_coverage) cov::add(bins, link_coverage->bins());
    cov::save(comm.distributed() ? fmt::format("{}.rank{}.json", a.coverage, comm.rank()) : a.coverage,
              std::string(cfg.name), bins);
  }
  if (r.partial) {  // another rank: rank 0 reports, and says how the run ended
    const int code = int(comm.broadcast(0, "the exit code"));
    comm.finalize();
    return code;
  }
  if (wave_log) {  // rank 0: every rank's part of the wave, as one process would have written it
    recorder = std::make_unique<waves::WaveRecorder>(img, a.wave, a.window, opt.topology, shown);
    std::vector<std::string> parts;
    for (const auto& c : r.chips) parts.push_back(c.waves);
    waves::replay(*recorder, parts);
  }
  const int code = report_run(a, img, cfg, r, dumped, checks, recorder.get());
  comm.broadcast(code, "the exit code");
  comm.finalize();
  return code;
}

int report_run(const RunArgs& a, const image::Image& img, const isa::Config& cfg, const model::RunReport& r,
               std::vector<std::string>& dumped, std::vector<TensorCheck>& checks, waves::WaveRecorder* recorder) {
  // Every chip's results came with its report (from its rank, under mpirun).
  for (const auto& c : r.chips) {
    if (c.collected.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(c.collected);
    for (const auto& d : j["dumps"]) dumped.push_back(d);
    for (const auto& [i, got] : j["checks"].items()) checks.at(std::stoul(i)).got = got.get<std::vector<uint32_t>>();
  }
  const nlohmann::json stats = stats_json(img, cfg, r);
  const uint64_t digest = results_digest(stats);
  if (a.digest) fmt::print("tsp run: digest {:016x}\n", digest);
  // A failed run's wave is the one worth looking at: written whatever the outcome.
  const std::string wave_lines = recorder ? finish_waves(*recorder, a.wave, r) : "";
  if (!a.stats.empty()) {
    std::ofstream out(a.stats);
    nlohmann::json with_digest = stats;
    with_digest["digest"] = fmt::format("{:016x}", digest);
    with_digest["timing_only"] = a.timing_only;
    out << with_digest.dump(2) << "\n";
    if (!out) throw Error(fmt::format("tsp run: error: cannot write {}", a.stats));
  }
  if (!r.ok()) {
    fmt::print(stderr, "{}\n{}", r.first_error(), wave_lines);
    if (!r.ranks.empty())
      for (size_t c = 0; c < r.chips.size(); ++c)
        if (r.chips[c].error == r.first_error()) {
          fmt::print(stderr, "tsp run: (chip {} ran on rank {} of {})\n", c, r.chips[c].rank, r.ranks.size());
          break;
        }
    return 1;
  }
  if (!a.quiet) print_summary(a.image, img, cfg, r);
  if (!a.quiet && a.timing_only) fmt::print("  {:<14}timing only: every rule and count, no values computed\n", "mode");
  if (!a.quiet) fmt::print("{}", wave_lines);
  for (const auto& d : dumped) fmt::print("{}\n", d);
  if (img.has_prediction && img.predicted_cycles != r.cycles) {
    fmt::print(stderr, "{}: error: simulated {} cycles but the image predicts {}: a compiler or model bug\n", a.image,
               r.cycles, img.predicted_cycles);
    return 1;
  }
  return report_checks(a.image, checks, a.quiet) ? 0 : 1;
}

// Options that would otherwise be ignored silently (tb/option_rules.hpp).
const OptionRule kRules[] = {
    {"--flip-until", {"--flip-rate"}, {}, "it ends the random flips that --flip-rate draws"},
    {"--seed",
     {"--flip-rate", "--link-ber", "--link-jitter", "--clock-ppm-spread"},
     {},
     "it seeds only the random flips, link bit errors, jitter and clock spread those draw"},
    {"--from", {"--wave"}, {}, "it starts the window --wave writes"},
    {"--to", {"--wave"}, {}, "it ends the window --wave writes"},
    {"--wave-chips", {"--wave"}, {}, "it chooses the chips --wave writes"},
    {"--check", {}, {"--timing-only"}, "it compares output values, which a timing-only run does not compute"},
    {"--expect", {}, {"--timing-only"}, "it compares output values, which a timing-only run does not compute"},
    {"--dump", {}, {"--timing-only"}, "it prints tensor values, which a timing-only run does not compute"},
    {"--coverage", {}, {"--timing-only"}, "its operand bins classify values, which a timing-only run does not compute"},
};

}  // namespace

void add_run(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run a program image on the cycle-exact chip model");
  cmd->add_option("image", a->image, "Program image (from `tsp as`)")->required();
  cmd->add_option("--stats", a->stats, "Write run statistics as JSON to this file");
  cmd->add_option("--coverage", a->coverage,
                  "Write the model's functional coverage bins of this run to this file (merge with `tsp coverage`)");
  cmd->add_option(
      "--flip", a->flips,
      "Inject an SRAM bit flip: [CHIP/]SLICE:ADDRESS:SUPERLANE:BIT@CYCLE (chip 0 by default; bit 0-127 data, "
      "128-136 check)");
  cmd->add_option("--flip-rate", a->flip_rate, "Random SRAM bit flips per million cycles, over the whole SRAM");
  cmd->add_option("--flip-until", a->flip_horizon, "Last cycle for random flips (default: the predicted length)");
  cmd->add_option("--seed", a->seed, "Seed of the random SRAM flips, link bit errors, jitter and clock spread")
      ->capture_default_str();
  cmd->add_option("--quantum", a->quantum, "Cycles between synchronisations with SystemC time")->capture_default_str();
  cmd->add_option("--dump", a->dumps, "Print a tensor of the manifest after the run (repeatable)");
  cmd->add_option("--wave", a->wave,
                  "Write a transaction-level FST wave of the run (e.g. waves/<name>.fst; waves/ dumps are git-ignored) "
                  "and a GTKWave save file next to it (<name>.gtkw)");
  cmd->add_option("--from", a->window.from, "First cycle in the wave")->capture_default_str();
  cmd->add_option("--to", a->window.to, "Last cycle in the wave (default: the end of the run)");
  cmd->add_option("--wave-chips", a->wave_chips,
                  "Only these chips (and their links) in the wave: '0,3,5-7' (default: every chip); under mpirun "
                  "as in one process");
  cmd->add_flag("-q,--quiet", a->quiet, "No summary, no progress");
  cmd->add_option("--topology", a->topology,
                  "Wire the chips' links: a built-in (pair, node8, dragonflyN, ...) or a topology file "
                  "(docs/topology.md); its chip count must be the image's");
  cmd->add_option("--clock-ppm-spread", a->ppm_spread,
                  "Give every chip a clock offset drawn from [-P, +P] ppm (seeded by --seed), over the topology's");
  cmd->add_option("--link-ber", a->link_ber, "Bit error rate on every link's wire (seeded by --seed)");
  cmd->add_option("--link-flip", a->link_flips,
                  "Flip bit BIT of the frame chip CHIP sends on port PORT in its cycle CYCLE: CHIP.PORT:CYCLE:BIT "
                  "(repeatable)");
  cmd->add_flag("--link-jitter", a->link_jitter,
                "Draw each hop's jitter (sigma from isa.toml [c2c]); frames must stay inside the receive window");
  cmd->add_flag("--digest", a->digest,
                "Print a 64-bit digest of every result (tensors, cycles, counters, errors): equal for any number of "
                "ranks (docs/distributed.md)");
  cmd->add_option("--partition", a->partition,
                  "Under mpirun: the rank of each chip, '0,0,1,1,...', a file of them, or 'interleave' (chip c on "
                  "rank c % ranks: a pipeline's stage spread over every rank) (default: contiguous blocks)");
  cmd->add_option("--mpi-timeout", a->mpi_timeout,
                  "Under mpirun: seconds a rank waits for the others, with no heartbeat from a rank still simulating, "
                  "before it ends the job")
      ->capture_default_str();
  cmd->add_option("--lookahead-cycles", a->lookahead,
                  "Under mpirun: assume links between ranks take at least this many cycles (default: the shortest "
                  "such link's; a frame that lands sooner is an error)");
  cmd->add_flag("--progress", a->progress, "Under mpirun: a progress line per rank every 2 s");
  cmd->add_flag("--fixed-windows", a->fixed_windows,
                "Under mpirun: every window the fixed one (lookahead less quantum and margins) instead of growing to "
                "a window past the next SEND between ranks; the results are the same (docs/distributed.md)");
  cmd->add_option("--test-rank-fault", a->rank_fault)->group("");  // tests only (tb/run_ranks.hpp)
  cmd->add_flag(
      "--check", a->check,
      "Compare every output the image expects (tsp compile --embed-reference: the host reference) bit for bit");
  cmd->add_option(
      "--expect", a->expects,
      "NAME=FILE.pb: compare tensor NAME with an ONNX TensorProto file within ONNX's tolerance (repeatable)");
  cmd->add_flag("--timing-only", a->timing_only,
                "Check every schedule rule and produce every cycle count and counter, but compute no values "
                "(docs/timing-only.md): much faster, little memory");
  cmd->callback([a, cmd, &exit_code] {
    check_option_rules(*cmd, "tsp run", kRules);
    exit_code = run(*a);
  });
}

}  // namespace tsp::cli
