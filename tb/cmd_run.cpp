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
#include "systemc/sim/run_image.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "systemc/waves/gtkw.hpp"
#include "systemc/waves/wave_recorder.hpp"
#include "tb/commands.hpp"
#include "tb/flip_args.hpp"
#include "tb/option_rules.hpp"
#include "tb/run_check.hpp"

namespace tsp::cli {
namespace {

struct RunArgs {
  std::string image;
  std::string stats;
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
  waves::WaveWindow window;
  std::string topology;  // built-in name or file; empty: no links
  double ppm_spread = 0;
  double link_ber = 0;
  std::vector<std::string> link_flips;  // CHIP.PORT:CYCLE:BIT
  bool link_jitter = false;
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
                     {"stream_values", c.stats.stream_values},
                     {"macs", c.stats.macs},
                     {"load_seconds", c.load_seconds},
                     {"run_seconds", c.run_seconds}});
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
          {"cycles_per_second", r.wall_seconds > 0 ? double(r.cycles) / r.wall_seconds : 0.0},
          {"ok", r.ok()}};
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
    if (r.chips.size() > 1) fmt::print("  chip {}\n", c);
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

int run(const RunArgs& a) {
  const image::Image img = image::load_file(a.image);
  const isa::Config& cfg = *isa::find_config(img.config);
  model::RunOptions opt;
  opt.quantum = a.quantum;
  std::optional<topo::Topology> topology;
  if (!a.topology.empty()) {
    topology = topo::load_topology(a.topology, cfg);
    if (a.ppm_spread > 0) topo::apply_clock_spread(*topology, a.ppm_spread, a.seed);
    opt.topology = &*topology;
  } else if (a.ppm_spread > 0 || a.link_ber > 0 || !a.link_flips.empty() || a.link_jitter) {
    throw Error("tsp run: error: --clock-ppm-spread, --link-ber, --link-flip and --link-jitter need --topology");
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
  if (!a.quiet)
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
  opt.inspect = [&](uint32_t chip, model::ChipEngine& engine) {
    for (const auto* sym : dumps)
      if (sym->chip == chip) dumped.push_back(model::format_tensor(*sym, model::read_tensor(engine, *sym)));
    capture(checks, chip, engine);
  };
  std::unique_ptr<waves::WaveRecorder> recorder;
  if (!a.wave.empty()) {
    if (a.window.from > a.window.to)
      throw Error(fmt::format("tsp run: error: --from {} is after --to {}", a.window.from, a.window.to));
    const auto dir = std::filesystem::path(a.wave).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
    recorder = std::make_unique<waves::WaveRecorder>(img, a.wave, a.window, opt.topology);
    opt.observer = [&](uint32_t chip) { return recorder->observer(chip); };
    if (opt.topology) opt.link_observer = recorder->link_observer();
  }
  const model::RunReport r = model::run_image(img, opt);
  // A failed run's wave is the one worth looking at: written whatever the outcome.
  const std::string wave_lines = recorder ? finish_waves(*recorder, a.wave, r) : "";
  if (!a.stats.empty()) {
    std::ofstream out(a.stats);
    out << stats_json(img, cfg, r).dump(2) << "\n";
    if (!out) throw Error(fmt::format("tsp run: error: cannot write {}", a.stats));
  }
  if (!r.ok()) {
    fmt::print(stderr, "{}\n{}", r.first_error(), wave_lines);
    return 1;
  }
  if (!a.quiet) print_summary(a.image, img, cfg, r);
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
};

}  // namespace

void add_run(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run a program image on the cycle-exact chip model");
  cmd->add_option("image", a->image, "Program image (from `tsp as`)")->required();
  cmd->add_option("--stats", a->stats, "Write run statistics as JSON to this file");
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
  cmd->add_flag(
      "--check", a->check,
      "Compare every output the image expects (tsp compile --embed-reference: the host reference) bit for bit");
  cmd->add_option(
      "--expect", a->expects,
      "NAME=FILE.pb: compare tensor NAME with an ONNX TensorProto file within ONNX's tolerance (repeatable)");
  cmd->callback([a, cmd, &exit_code] {
    check_option_rules(*cmd, "tsp run", kRules);
    exit_code = run(*a);
  });
}

}  // namespace tsp::cli
