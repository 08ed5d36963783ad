// `tsp cosim` for the link FEC RTL (tb/cosim_c2c.hpp): the run, the report, the summary.
#include "tb/cosim_c2c.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <optional>

#include "common/error.hpp"
#include "systemc/c2c/link_fec.hpp"
#include "systemc/sim/run_image.hpp"
#include "tb/cosim/rtl_c2c.hpp"
#include "tb/coverage/func_coverage.hpp"
#include "tb/flip_args.hpp"
#include "tb/gen/random_c2c.hpp"

namespace tsp::cli {
namespace {

// The first divergence, its frame's wave, the command that reproduces it.
int report_divergence(const cosim::RtlC2c& rtl, const isa::Config& cfg, const CosimC2cArgs& a) {
  const cosim::C2cDivergence& d = *rtl.divergence();
  fmt::print(stderr, "{}", cosim::format_c2c_divergence(d, cfg.c2c_data_symbols));
  std::filesystem::create_directories(a.wave_dir);
  const std::string fst = (std::filesystem::path(a.wave_dir) / fmt::format("cosim-c2c-frame{}.fst", d.frame)).string();
  fmt::print(stderr, "{}  {:<14}{}\n", rtl.write_wave(fst), "reproduce", a.reproduce);
  return 1;
}

void print_summary(const std::string& name, const isa::Config& cfg, const cosim::C2cCounts& n, uint64_t cycles,
                   uint64_t link_frames, double wall) {
  fmt::print("tsp cosim: {} (config {}): matched {} frames, {} symbols{}\n", name, cfg.name, n.frames, n.symbols,
             cycles ? fmt::format(", {} cycles", cycles) : "");
  fmt::print(
      "  {:<6}{} frames ({} with wire flips, {} bits flipped): {} symbols corrected in {} frames, {} uncorrectable, "
      "{} miscorrected; {} RTL cycles; {:.3g} RTL cycles/s, {:.3g} frames/s\n",
      "c2c", n.frames, n.flipped_frames, n.bit_flips, n.corrected_symbols, n.corrected_frames, n.uncorrectable_frames,
      n.miscorrected_frames, n.rtl_cycles, n.seconds > 0 ? double(n.rtl_cycles) / n.seconds : 0.0,
      n.seconds > 0 ? double(n.frames) / n.seconds : 0.0);
  const uint64_t skipped = link_frames - n.frames;
  fmt::print("  {:<6}{}\n", "skip",
             skipped ? fmt::format("{} of {} frames not compared", skipped, link_frames)
                     : fmt::format("nothing: all {} frames compared, flipped or not", link_frames));
  fmt::print("  {:<6}{:.3f} s wall\n", "speed", wall);
}

// Every frame to the RTL adapter, then to functional coverage.
class FrameTee final : public model::LinkObserver {
 public:
  FrameTee(model::LinkObserver* first, model::LinkObserver* second) : a_(first), b_(second) {}
  void on_frame(const model::LinkFrameEvent& e) override {
    a_->on_frame(e);
    b_->on_frame(e);
  }

 private:
  model::LinkObserver* a_;
  model::LinkObserver* b_;
};

int run_random(const CosimC2cArgs& a) {
  const isa::Config* cfg = isa::find_config(a.config);
  if (!cfg) throw Error(fmt::format("tsp cosim: error: --config {}: unknown", a.config));
  if (!a.coverage.empty())
    throw Error("tsp cosim: error: --coverage counts the bins of a program's run: give an image, not --random c2c");
  const auto start = std::chrono::steady_clock::now();
  cosim::RtlC2c rtl(*cfg, a.planted);
  const std::string name = fmt::format("random c2c seed {}", a.seed);
  for (uint32_t i = 0; i < a.frames && !rtl.divergence(); ++i) {
    const gen::C2cRandomFrame f = gen::random_c2c_frame(*cfg, a.seed, i);
    model::Vec sent;
    std::copy(f.payload.begin(), f.payload.end(), sent.bytes.begin());
    model::Vec delivered = sent;
    // What the link model's receiver makes of it, codec forced as for a flipped frame.
    const model::FecOutcome fec = model::pass_through_fec(*cfg, f.flipped, delivered, /*force_codec=*/true);
    const bool correctable = f.kind == gen::C2cErrorKind::within_t || f.kind == gen::C2cErrorKind::exactly_t ||
                             f.kind == gen::C2cErrorKind::burst;
    if (correctable && (fec.uncorrectable || fec.miscorrected || fec.corrected_symbols != f.symbol_errors))
      throw Error(
          fmt::format("tsp cosim: error: {}, frame {}: {} symbol errors ({}) but the link model's codec "
                      "corrected {}{}: a generator or codec bug",
                      name, i, f.symbol_errors, gen::kind_name(f.kind), fec.corrected_symbols,
                      fec.uncorrectable ? " (uncorrectable)" : ""));
    model::LinkFrameEvent e{0, false, 0, 0, i, &sent, &f.flipped, fec, {}, {}, {}};
    rtl.check(e, fmt::format("{} (config {}), frame {} ({}, {} symbol errors)", name, cfg->name, i,
                             gen::kind_name(f.kind), f.symbol_errors));
  }
  if (rtl.divergence()) return report_divergence(rtl, *cfg, a);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!a.quiet) print_summary(name, *cfg, rtl.counts(), 0, a.frames, wall);
  return 0;
}

int run_image(const CosimC2cArgs& a) {
  if (a.topology.empty())
    throw Error("tsp cosim: error: --rtl c2c checks the frames a system's links carry: give --topology (e.g. pair)");
  const image::Image img = image::load_file(a.image);
  const isa::Config& cfg = *isa::find_config(img.config);
  const topo::Topology topology = topo::load_topology(a.topology, cfg);
  cosim::RtlC2c rtl(cfg, a.planted, &topology);
  model::RunOptions opt;
  opt.topology = &topology;
  opt.wire.ber = a.link_ber;
  opt.wire.seed = a.seed;
  for (const auto& f : a.link_flips) opt.wire.flips.push_back(parse_link_flip(cfg, f, "tsp cosim"));
  opt.link_observer = &rtl;
  // Functional coverage: one collector per chip and one for the frames.
  std::vector<std::unique_ptr<cov::FunctionalCoverage>> coverage;
  cov::FunctionalCoverage frames(cfg);
  FrameTee tee(&rtl, &frames);
  if (!a.coverage.empty()) {
    for (size_t c = 0; c < img.chips.size(); ++c) coverage.push_back(std::make_unique<cov::FunctionalCoverage>(cfg));
    opt.observer = [&](uint32_t chip) -> model::Observer* { return coverage[chip].get(); };
    opt.link_observer = &tee;
  }
  const auto start = std::chrono::steady_clock::now();
  const model::RunReport r = model::run_image(img, opt);
  if (!a.coverage.empty()) {
    cov::Bins bins = frames.bins();
    for (const auto& c : coverage) cov::add(bins, c->bins());
    cov::save(a.coverage, std::string(cfg.name), bins);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (rtl.divergence()) return report_divergence(rtl, cfg, a);
  uint64_t link_frames = 0;
  for (const auto& l : r.links) link_frames += l.from_a.frames + l.from_b.frames;
  if (!a.quiet)
    print_summary(fmt::format("{} on {}", a.image, topology.name), cfg, rtl.counts(), r.cycles, link_frames, wall);
  if (!r.ok()) {
    fmt::print(stderr, "{}\ntsp cosim: the model rejected the program (the FEC RTL agreed on every frame before)\n",
               r.first_error());
    return 1;
  }
  if (link_frames != rtl.counts().frames) {
    fmt::print(stderr, "tsp cosim: error: the links carried {} frames but the c2c adapter saw {}\n", link_frames,
               rtl.counts().frames);
    return 1;
  }
  return 0;
}

}  // namespace

int run_cosim_c2c(const CosimC2cArgs& a) { return a.image.empty() ? run_random(a) : run_image(a); }

}  // namespace tsp::cli
