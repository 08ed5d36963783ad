#include "systemc/sim/run_image.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <systemc>

#include "systemc/c2c/hac_alignment.hpp"
#include "systemc/chip/tsp_chip.hpp"
#include "systemc/host/host_driver.hpp"

namespace tsp::model {

bool RunReport::ok() const {
  for (const auto& c : chips)
    if (c.status != hostmap::kDone) return false;
  return !chips.empty();
}

std::string RunReport::first_error() const {
  // The earliest error in system time is the cause; later ones (a chip whose
  // partner stopped sending) follow from it. A chip that never started waits
  // for one that failed: report that one.
  const ChipReport* first = nullptr;
  for (const auto& c : chips)
    if (c.status != hostmap::kDone && c.error.find("never started") == std::string::npos &&
        (!first || c.error_seconds < first->error_seconds))
      first = &c;
  if (first) return first->error.empty() ? "chip did not finish" : first->error;
  for (const auto& c : chips)
    if (c.status != hostmap::kDone) return c.error;
  return {};
}

RunReport run_image(const image::Image& img, const RunOptions& options) {
  static bool elaborated = false;
  if (elaborated) throw Error("run_image: SystemC elaborates once per process; run each simulation in its own process");
  elaborated = true;

  const isa::Config* cfg = isa::find_config(img.config);
  if (!cfg) throw Error(fmt::format("run_image: unknown configuration '{}'", img.config));
  // Hosts write each chip's SRAM from the parsed image and share one staged
  // copy of the programs and manifest.
  image::Image programs_only;  // everything but the SRAM, without copying it first
  programs_only.config = img.config;
  programs_only.has_prediction = img.has_prediction;
  programs_only.predicted_cycles = img.predicted_cycles;
  programs_only.files = img.files;
  programs_only.symbols = img.symbols;
  programs_only.expected = img.expected;
  for (const auto& c : img.chips) programs_only.chips.push_back(image::ChipProgram{c.queues, {}});
  const auto programs = std::make_shared<const std::vector<uint8_t>>(image::serialize(programs_only));
  const auto n = static_cast<uint32_t>(img.chips.size());
  const topo::Topology* topology = options.topology;
  if (topology) topo::validate(*topology, *cfg, n);
  // Every chip of a system starts on one epoch of the HAC root's clock.
  const double root_ppm = topology ? topology->chips.at(topology->root).clock_ppm : 0.0;
  const double root_period_ps = 1e6 / (cfg->clock_mhz * (1 + root_ppm * 1e-6));
  StartBarrier barrier(n, sc_core::sc_time(cfg->hac_period_cycles * root_period_ps, sc_core::SC_PS));
  const std::vector<HacAlignment> hacs = topology ? align_hacs(*topology, *cfg) : std::vector<HacAlignment>{};
  std::vector<std::unique_ptr<TspChip>> chips;
  std::vector<std::unique_ptr<HostDriver>> hosts;
  std::vector<std::unique_ptr<C2cLink>> links;
  for (uint32_t c = 0; c < n; ++c) {
    chips.push_back(std::make_unique<TspChip>(fmt::format("chip{}", c).c_str(), *cfg, c));
    if (topology) chips.back()->set_clock(hacs[c].clock);
    if (n > 1) chips.back()->set_start_barrier(&barrier);
    hosts.push_back(
        std::make_unique<HostDriver>(fmt::format("host{}", c).c_str(), programs, img.chips[c].sram, *chips.back()));
    hosts.back()->pcie.bind(chips.back()->host);
    chips.back()->set_quantum(options.quantum);
    if (options.observer) chips.back()->engine().set_observer(options.observer(c));
    if (c < options.flips.size())
      for (const Flip& f : options.flips[c]) chips.back()->add_flip(f);
    if (options.progress) chips.back()->on_quantum([&options, c](Cycle k) { options.progress(c, k); });
  }
  if (topology)
    for (size_t i = 0; i < topology->links.size(); ++i) {
      const topo::Link& l = topology->links[i];
      links.push_back(std::make_unique<C2cLink>(fmt::format("link{}", i).c_str(),
                                                C2cLink::End{chips[l.a.chip].get(), l.a.link},
                                                C2cLink::End{chips[l.b.chip].get(), l.b.link}, *l.cable,
                                                options.wire, l.where, static_cast<uint32_t>(i)));
      links.back()->set_observer(options.link_observer);
    }
  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();  // returns when every host has finished and every chip is idle
  const auto t_end = std::chrono::steady_clock::now();
  RunReport report;
  report.wall_seconds = std::chrono::duration<double>(t_end - t0).count();
  auto first_start = t_end;
  for (const auto& chip : chips)
    if (chip->started_wall() != std::chrono::steady_clock::time_point{})
      first_start = std::min(first_start, chip->started_wall());
  report.run_wall_seconds = std::chrono::duration<double>(t_end - first_start).count();
  for (uint32_t c = 0; c < chips.size(); ++c) {
    const auto& r = hosts[c]->result();
    ChipReport cr;
    cr.status = r.status;
    cr.error = r.error;
    if (chips[c]->status() == hostmap::kError) {  // e.g. a vector arrived after the host read the result
      cr.status = hostmap::kError;
      cr.error = chips[c]->error();
    }
    cr.error_seconds = chips[c]->error_time().to_seconds();
    if (chips[c]->status() == hostmap::kArmed) {
      cr.status = hostmap::kError;
      cr.error = fmt::format("chip {} never started: the system starts once every chip is loaded, and {} of {} were",
                             c, barrier.armed(), n);
    }
    cr.cycles = r.cycles;
    cr.drift_shift = chips[c]->engine().drift_shift();
    cr.program_cycles = static_cast<Cycle>(int64_t(cr.cycles) - cr.drift_shift);
    cr.clock_ppm = topology ? topology->chips[c].clock_ppm : 0.0;
    if (topology) {
      cr.hac_offset_ps = hacs[c].offset_ps;
      cr.hac_depth = hacs[c].depth;
    }
    cr.stats = chips[c]->engine().stats();
    cr.load_seconds = r.load_time.to_seconds();
    cr.run_seconds = r.run_time.to_seconds();
    report.cycles = std::max(report.cycles, cr.program_cycles);
    if (options.inspect) options.inspect(c, chips[c]->engine());
    report.chips.push_back(std::move(cr));
  }
  for (size_t i = 0; i < links.size(); ++i) {
    const C2cLink& l = *links[i];
    const topo::Link& t = topology->links[i];
    report.links.push_back(LinkReport{fmt::format("link{}: {}.{} - {}.{}", i, t.a.chip, t.a.link, t.b.chip, t.b.link),
                                      l.defined_at(), std::string(l.cable().name), l.hop_cycles(), l.counters(false),
                                      l.counters(true)});
  }
  return report;
}

}  // namespace tsp::model
