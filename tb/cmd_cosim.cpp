// `tsp cosim`: lock-step cosim of a program (or a generated random one) on the
// model and the Verilated RTL of the chosen units; first-divergence report,
// waves of the RTL around it, a summary with speeds (docs/cosim.md).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <regex>

#include "common/error.hpp"
#include "systemc/waves/wave_layout.hpp"
#include "tb/commands.hpp"
#include "tb/cosim/cosim.hpp"
#include "tb/cosim/rtl_gtkw.hpp"
#include "tb/cosim_c2c.hpp"
#include "tb/coverage/func_coverage.hpp"
#include "tb/coverage_goal.hpp"
#include "tb/flip_args.hpp"
#include "tb/gen/random_program.hpp"
#include "tb/option_rules.hpp"
#include "tb/run_tool.hpp"

namespace tsp::cli {
namespace {

struct CosimArgs {
  std::string image;
  std::vector<std::string> rtl;
  std::string random;  // a unit: generate its random program
  uint64_t seed = 1;
  std::string config = "mini";
  uint32_t instructions = 64;
  std::string save_image;
  unsigned history = 8;
  std::vector<std::string> flips;
  std::vector<std::string> rtl_flips;
  uint32_t random_flips = 0;  // single-bit flips in the --random program's words
  unsigned planted = 0;       // --planted[=N]
  std::string window = "64:8";
  std::string wave_dir = "waves";
  std::string wave;  // passing run: FST of this window
  uint64_t from = 0, to = ~uint64_t{0};
  std::string wave_at;  // QUEUE[:SUPERLANE]
  std::string png;
  std::string coverage;        // functional coverage file to write
  uint32_t coverage_goal = 0;  // --random: seeds in a row without a new bin (tb/coverage_goal.hpp)
  uint32_t max_seeds = 500;
  bool quiet = false;
  bool allow_skips = false;
  std::string topology;  // --rtl c2c: the system the image runs on
  double link_ber = 0;
  std::vector<std::string> link_flips;
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

// The command that reproduces this run (without the wave options).
std::string reproduce(const CosimArgs& a, const std::vector<std::string>& units) {
  std::string s = "tsp cosim ";
  if (a.random.empty())
    s += a.image;
  else
    s += fmt::format("--random {} --seed {} --config {} --instructions {}", a.random, a.seed, a.config, a.instructions);
  s += " --rtl " + join(units);
  if (a.planted) s += a.planted == 1 ? " --planted" : fmt::format(" --planted={}", a.planted);
  if (a.random_flips) s += fmt::format(" --random-flips {}", a.random_flips);
  for (const auto& f : a.flips) s += " --flip " + f;
  for (const auto& f : a.rtl_flips) s += " --flip-rtl-only " + f;
  if (a.history != 8) s += fmt::format(" --history {}", a.history);
  if (a.allow_skips) s += " --allow-skips";
  return s;
}

std::pair<model::Cycle, model::Cycle> parse_window(const std::string& w) {
  static const std::regex re(R"((\d+)(?::(\d+))?)");
  std::smatch m;
  if (!std::regex_match(w, m, re))
    throw Error(fmt::format("tsp cosim: error: --window '{}': expected BEFORE[:AFTER] in cycles, e.g. 64:8", w));
  return {std::stoull(m[1].str()), m[2].matched ? std::stoull(m[2].str()) : 8};
}

cosim::WaveFocus parse_focus(const isa::Config& cfg, const std::string& text) {
  static const std::regex re(R"(([A-Za-z]+\.[A-Za-z0-9.]+?)(?::(\d+))?)");
  std::smatch m;
  std::optional<uint16_t> q;
  if (std::regex_match(text, m, re)) q = isa::find_queue(cfg, m[1].str());
  if (!q)
    throw Error(fmt::format("tsp cosim: error: --wave-at '{}': expected QUEUE[:SUPERLANE], e.g. MEM.W.0:1", text));
  return cosim::WaveFocus{*q, m[2].matched ? uint32_t(std::stoul(m[2].str())) : 0};
}

void write_png(const std::string& gtkw, const std::string& png) {
  run_tool({.argv = {std::string(TSP_SOURCE_DIR) + "/scripts/wave-png", gtkw, png},
            .caller = "tsp cosim",
            .purpose = "rendering " + png,
            .hint = "wave-png's message above says why",
            .discard_stdout = true});
}

// Options that would otherwise be ignored silently (tb/option_rules.hpp).
const OptionRule kRules[] = {
    {"--png", {"--wave"}, {}, "it renders the window --wave writes (or the divergence's, if the run diverges)"},
    {"--from", {"--wave"}, {}, "it starts the window --wave writes"},
    {"--to", {"--wave"}, {}, "it ends the window --wave writes"},
    {"--wave-at", {"--wave"}, {}, "it picks the instance --wave traces"},
    {"--seed",
     {"--random", "--link-ber"},
     {},
     "it seeds the program --random generates and --link-ber's errors; an image is a finished program"},
    {"--config", {"--random"}, {}, "it is the configuration of --random's program; an image names its own"},
    {"--instructions", {"--random"}, {}, "it sizes the program --random generates; an image is a finished program"},
    {"--save-image", {"--random"}, {}, "it saves the program --random generates"},
    {"--random-flips", {"--random"}, {}, "it flips words of the program --random generates; for an image use --flip"},
    {"--coverage-goal",
     {"--random"},
     {"--save-image", "--wave", "--planted", "--flip", "--flip-rtl-only"},
     "it draws seeds of --random's generator; the options of one run do not apply to many"},
    {"--max-seeds", {"--coverage-goal"}, {}, "it bounds the seeds --coverage-goal draws"},
};

// Writes the .gtkw next to `fst` and returns "<fst> ... <gtkw>" lines.
std::string finish_wave(const isa::Config& cfg, const cosim::CosimResult& r, const std::string& fst, model::Cycle from,
                        model::Cycle to, model::Cycle mark) {
  namespace fs = std::filesystem;
  const std::string gtkw = fs::path(fst).replace_extension(".gtkw").string();
  cosim::write_rtl_gtkw(
      gtkw, {fst, waves::cycle_ps(cfg, from), waves::cycle_ps(cfg, to + 1), waves::cycle_ps(cfg, mark)}, r.wave_groups);
  return fmt::format("  {:<14}{} ({} bytes, RTL cycles {}..{})\n  {:<14}{}\n  {:<14}gtkwave {}\n", "wave", fst,
                     fs::file_size(fst), from, to, "save file", gtkw, "view", gtkw);
}

void print_summary(const std::string& name, const isa::Config& cfg, const cosim::CosimResult& r) {
  uint64_t values = 0;
  for (const auto& u : r.units) values += u.values;
  fmt::print("tsp cosim: {} (config {}): matched {} instructions{}, {} values, {} cycles\n", name, cfg.name,
             r.instructions, r.skipped ? fmt::format(" ({} skipped, not matched)", r.skipped) : "", values, r.cycles);
  auto counts = [](const std::vector<cosim::RtlUnit::Count>& v) {
    std::string s;
    for (const auto& c : v) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", c.n, c.what);
    return s;
  };
  for (const auto& u : r.units) {
    std::string items;
    if (u.itemized)
      items = fmt::format(" ({}; skipped: {})", counts(u.compared), u.skipped.empty() ? "none" : counts(u.skipped));
    fmt::print("  {:<6}{} instructions, {} values checked{}, {} RTL cycles; {:.3g} RTL cycles/s, {:.3g} values/s\n",
               u.name, u.instructions, u.values, items, u.rtl_cycles,
               u.seconds > 0 ? double(u.rtl_cycles) / u.seconds : 0.0,
               u.seconds > 0 ? double(u.values) / u.seconds : 0.0);
  }
  fmt::print("  {:<6}{:.3f} s wall, {:.3g} chip cycles/s\n", "speed", r.wall_seconds,
             r.wall_seconds > 0 ? double(r.cycles) / r.wall_seconds : 0.0);
  // How each unit's instructions were checked (RtlUnit::CheckCounts); the ICU's are issues.
  for (const auto& u : r.units)
    fmt::print("  checks {:<5} {} data and timing, {} timing only, {} skipped\n", u.name, u.checks.data_timing,
               u.checks.timing_only, u.checks.skipped);
}

// --rtl c2c / --random c2c: the link FEC RTL, frame by frame (tb/cosim_c2c.cpp).
int run_c2c(const CosimArgs& a) {
  if (!a.random.empty() && !a.image.empty()) throw Error("tsp cosim: error: give an image or --random c2c, not both");
  if (a.rtl.size() > 1 || (!a.rtl.empty() && a.rtl.front() != "c2c"))
    throw Error(
        fmt::format("tsp cosim: error: --rtl {}: c2c runs the image on the SystemC model with its links and "
                    "checks no other unit there yet: give --rtl c2c alone",
                    join(a.rtl)));
  if (!a.flips.empty() || !a.rtl_flips.empty() || !a.wave.empty())
    throw Error(
        "tsp cosim: error: --flip, --flip-rtl-only and --wave do not apply to --rtl c2c (its flips are "
        "--link-flip and --link-ber; a divergence writes its frame's wave)");
  if (a.allow_skips)
    throw Error(
        "tsp cosim: error: --allow-skips does not apply to --rtl c2c (its summary counts the frames it "
        "did not compare)");
  if (!a.random.empty() && (!a.topology.empty() || a.link_ber > 0 || !a.link_flips.empty()))
    throw Error(
        "tsp cosim: error: --random c2c draws its own frames and errors: --topology, --link-ber and "
        "--link-flip are for an image");
  cli::CosimC2cArgs c;
  c.image = a.image;
  c.topology = a.topology;
  c.link_ber = a.link_ber;
  c.seed = a.seed;
  c.link_flips = a.link_flips;
  c.planted = a.planted != 0;
  c.config = a.config;
  c.frames = a.instructions;
  c.wave_dir = a.wave_dir;
  c.quiet = a.quiet;
  c.coverage = a.coverage;
  c.reproduce = "tsp cosim ";
  if (a.random.empty()) {
    c.reproduce += a.image + " --topology " + a.topology + " --rtl c2c";
    if (a.link_ber > 0) c.reproduce += fmt::format(" --link-ber {} --seed {}", a.link_ber, a.seed);
    for (const auto& f : a.link_flips) c.reproduce += " --link-flip " + f;
  } else {
    c.reproduce +=
        fmt::format("--random c2c --seed {} --config {} --instructions {}", a.seed, a.config, a.instructions);
  }
  if (a.planted) c.reproduce += " --planted";
  return cli::run_cosim_c2c(c);
}

int run(CosimArgs a) {
  if (a.random == "c2c" || (a.random.empty() && std::find(a.rtl.begin(), a.rtl.end(), "c2c") != a.rtl.end()))
    return run_c2c(a);
  if (!a.topology.empty() || a.link_ber > 0 || !a.link_flips.empty())
    throw Error("tsp cosim: error: --topology, --link-ber and --link-flip go with --rtl c2c");
  if (a.coverage_goal) {
    CoverageGoalArgs g;
    g.unit = a.random;
    g.config = a.config;
    g.rtl = a.rtl.empty() ? std::vector<std::string>{a.random} : a.rtl;
    g.first_seed = a.seed;
    g.instructions = a.instructions;
    g.goal = a.coverage_goal;
    g.max_seeds = a.max_seeds;
    g.random_flips = a.random_flips;
    g.coverage = a.coverage;
    g.quiet = a.quiet;
    return run_coverage_goal(g);
  }
  image::Image img;
  std::string name = a.image;
  if (!a.random.empty()) {
    if (!a.image.empty()) throw Error("tsp cosim: error: give an image or --random UNIT, not both");
    const gen::Generator g = gen::find_generator(a.random);
    if (!g) {
      std::string known;
      for (const auto& e : gen::generators()) known += (known.empty() ? "" : ", ") + std::string(e.unit);
      throw Error(
          fmt::format("tsp cosim: error: --random {}: no generator for that unit (known: {})", a.random, known));
    }
    if (!isa::find_config(a.config)) throw Error(fmt::format("tsp cosim: error: --config {}: unknown", a.config));
    img = g(gen::RandomOptions{a.seed, a.config, a.instructions});
    name = fmt::format("random {} seed {}", a.random, a.seed);
    try {  // the rules every loaded image meets; a generator must meet them too
      image::validate(img);
    } catch (const Error& e) {
      throw Error(fmt::format("tsp cosim: error: {}: the generator wrote an illegal program: {}", name, e.what()));
    }
    if (a.rtl.empty()) a.rtl = {a.random};
    if (!a.save_image.empty()) image::save_file(img, a.save_image);
  } else if (a.image.empty()) {
    throw Error("tsp cosim: error: give an image or --random UNIT");
  } else {
    img = image::load_file(a.image);
  }
  const isa::Config& cfg = *isa::find_config(img.config);
  const auto [before, after] = parse_window(a.window);

  cosim::CosimOptions opt;
  opt.units = a.rtl;
  opt.planted = a.planted;
  opt.history = a.history;
  opt.allow_skips = a.allow_skips;
  opt.flips = parse_flips(cfg, a.flips, "tsp cosim", img.chips.size());
  opt.rtl_flips = parse_flips(cfg, a.rtl_flips, "tsp cosim", img.chips.size());
  if (a.random_flips) {
    if (opt.flips.empty()) opt.flips.resize(1);
    const auto drawn = program_flips(cfg, img, a.random_flips, a.seed);
    opt.flips[0].insert(opt.flips[0].end(), drawn.begin(), drawn.end());
  }
  if (!a.wave.empty()) {
    if (a.from > a.to) throw Error(fmt::format("tsp cosim: error: --from {} is after --to {}", a.from, a.to));
    if (opt.units.empty()) throw Error(fmt::format("tsp cosim: error: --rtl names no unit"));
    const auto dir = std::filesystem::path(a.wave).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
    cosim::WaveRequest w;
    w.fst = a.wave;
    w.unit = opt.units.front();
    w.from = a.from;
    w.to = a.to;
    if (!a.wave_at.empty()) w.focus = parse_focus(cfg, a.wave_at);
    opt.wave = w;
  }
  std::vector<std::unique_ptr<cov::FunctionalCoverage>> coverage;
  if (!a.coverage.empty())
    opt.also_observe = [&](uint32_t, const model::ChipEngine& engine) {
      coverage.push_back(std::make_unique<cov::FunctionalCoverage>(cfg));
      coverage.back()->watch(&engine);
      return coverage.back().get();
    };
  const cosim::CosimResult r = cosim::run_cosim(img, opt);
  if (!a.coverage.empty()) {
    cov::Bins bins;
    for (const auto& c : coverage) cov::add(bins, c->bins());
    cov::save(a.coverage, std::string(cfg.name), bins);
  }
  if (!r.model_error.empty()) {
    fmt::print(stderr, "{}\ntsp cosim: the model rejected the program (no RTL divergence seen before it)\n",
               r.model_error);
    return 1;
  }
  if (r.divergence) {
    const auto& fd = *r.divergence;
    fmt::print(stderr, "{}", cosim::format_divergence(img, fd));
    // Waves around the divergence: the same run again, traced only in the window.
    cosim::WaveRequest w;
    std::filesystem::create_directories(a.wave_dir);
    w.fst = (std::filesystem::path(a.wave_dir) / fmt::format("cosim-{}-{}.fst", fd.unit, fd.d.cycle)).string();
    w.chip = fd.chip;
    w.unit = fd.unit;
    w.from = fd.d.cycle > before ? fd.d.cycle - before : 0;
    w.to = fd.d.cycle + after;
    if (fd.has_op) w.focus = cosim::WaveFocus{fd.op.queue, fd.d.superlane};
    w.stop_after_window = true;
    cosim::CosimOptions again = opt;
    again.wave = w;
    const cosim::CosimResult r2 = cosim::run_cosim(img, again);
    std::string lines = finish_wave(cfg, r2, w.fst, w.from, w.to, fd.d.cycle);
    if (!a.png.empty()) {
      write_png(std::filesystem::path(w.fst).replace_extension(".gtkw").string(), a.png);
      lines += fmt::format("  {:<14}{}\n", "png", a.png);
    }
    fmt::print(stderr, "{}  {:<14}{}\n", lines, "reproduce", reproduce(a, opt.units));
    return 1;
  }
  if (!r.skip_error.empty()) {  // the counts say what was skipped
    print_summary(name, cfg, r);
    fmt::print(stderr, "{}\n  {:<14}{}\n", r.skip_error, "reproduce", reproduce(a, opt.units));
    return 1;
  }
  if (!a.quiet) print_summary(name, cfg, r);
  if (!a.wave.empty()) {
    const model::Cycle to = std::min<model::Cycle>(a.to, r.cycles ? r.cycles - 1 : 0);
    fmt::print("{}", finish_wave(cfg, r, a.wave, a.from, to, a.from));
    if (!a.png.empty()) {
      write_png(std::filesystem::path(a.wave).replace_extension(".gtkw").string(), a.png);
      fmt::print("  {:<14}{}\n", "png", a.png);
    }
  }
  return 0;
}

}  // namespace

void add_cosim(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CosimArgs>();
  auto* cmd = app.add_subcommand("cosim", "Run a program on the model and the RTL of chosen units in lock step");
  cmd->add_option("image", a->image, "Program image (from `tsp as`); or use --random");
  cmd->add_option("--rtl", a->rtl, "RTL units to check, comma separated (e.g. mem,vxm)")->delimiter(',');
  cmd->add_option("--random", a->random,
                  "Generate a random program for this unit (tb/gen) and cosim it; c2c: random link frames");
  cmd->add_option("--seed", a->seed, "Seed of --random")->capture_default_str();
  cmd->add_option("--config", a->config, "Configuration of --random")->capture_default_str();
  cmd->add_option("--instructions", a->instructions, "Unit instructions of --random (c2c: frames)")
      ->capture_default_str();
  cmd->add_option("--save-image", a->save_image, "Write the --random program's image to this file");
  cmd->add_option("--history", a->history, "Instructions of the failing queue in the report")->capture_default_str();
  cmd->add_option(
      "--flip", a->flips,
      "Inject an SRAM bit flip into model and RTL: [CHIP/]SLICE:ADDRESS:SUPERLANE:BIT@CYCLE (chip 0 by default)");
  cmd->add_option("--coverage", a->coverage,
                  "Write the model's functional coverage bins of this run to this file (merge with `tsp coverage`)");
  cmd->add_option("--coverage-goal", a->coverage_goal,
                  "With --random: draw seeds from --seed on until this many in a row add no functional coverage bin, "
                  "printing which seed added which bins (each seed cosimulated; --coverage writes the merged bins)");
  cmd->add_option("--max-seeds", a->max_seeds, "--coverage-goal gives up (exit 1) after this many seeds")
      ->capture_default_str();
  cmd->add_option("--random-flips", a->random_flips,
                  "Inject this many single-bit SRAM flips, drawn from --seed, into distinct words the --random "
                  "program loads, in model and RTL alike (both must correct and count them)");
  cmd->add_option("--flip-rtl-only", a->rtl_flips,
                  "Flip an SRAM bit in the RTL only (checker self-test: cosim must report it); same syntax as --flip");
  cmd->add_flag("--planted{1}", a->planted,
                "Use the RTL built with each unit's planted bug (self-test of the checker); --planted=2: MEM's "
                "second (a written word's bit 0 inverted on its way into the array)");
  cmd->add_option("--window", a->window, "Cycles of RTL wave before[:after] a divergence")->capture_default_str();
  cmd->add_option("--wave-dir", a->wave_dir, "Folder for the divergence's wave and .gtkw")->capture_default_str();
  cmd->add_option("--wave", a->wave, "Write an FST of the first --rtl unit's RTL (and a .gtkw next to it)");
  cmd->add_option("--from", a->from, "First cycle of --wave")->capture_default_str();
  cmd->add_option("--to", a->to, "Last cycle of --wave (default: the end of the run)");
  cmd->add_option("--wave-at", a->wave_at, "Which RTL instance --wave traces: QUEUE[:SUPERLANE], e.g. MEM.W.0:1");
  cmd->add_option("--png", a->png,
                  "Render --wave's window (or, on a divergence, the divergence's) to this PNG (scripts/wave-png: "
                  "GTKWave under Xvfb); needs --wave");
  cmd->add_option("--topology", a->topology,
                  "--rtl c2c: run the image on this system (a built-in such as pair, or a topology file)");
  cmd->add_option("--link-ber", a->link_ber, "--rtl c2c: bit error rate on every link's wire (seeded by --seed)");
  cmd->add_option("--link-flip", a->link_flips,
                  "--rtl c2c: flip a bit of one frame: CHIP.PORT:CYCLE:BIT (the frame CHIP sends on PORT in CYCLE)");
  cmd->add_flag("-q,--quiet", a->quiet, "No summary");
  cmd->add_flag("--allow-skips", a->allow_skips,
                "Pass even if a unit skipped instructions it cannot compare (counted under `checks`); without it a "
                "skip fails the run");
  cmd->callback([a, cmd, &exit_code] {
    check_option_rules(*cmd, "tsp cosim", kRules);
    exit_code = run(*a);
  });
}

}  // namespace tsp::cli
