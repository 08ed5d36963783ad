#include "systemc/sim/run_image.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <systemc>

#include "systemc/chip/tsp_chip.hpp"
#include "systemc/host/host_driver.hpp"

namespace tsp::model {

bool RunReport::ok() const {
  for (const auto& c : chips)
    if (c.status != hostmap::kDone) return false;
  return !chips.empty();
}

std::string RunReport::first_error() const {
  for (const auto& c : chips)
    if (c.status != hostmap::kDone) return c.error.empty() ? "chip did not finish" : c.error;
  return {};
}

RunReport run_image(const image::Image& img, const RunOptions& options) {
  static bool elaborated = false;
  if (elaborated) throw Error("run_image: SystemC elaborates once per process; run each simulation in its own process");
  elaborated = true;

  const isa::Config* cfg = isa::find_config(img.config);
  if (!cfg) throw Error(fmt::format("run_image: unknown configuration '{}'", img.config));
  const std::vector<uint8_t> bytes = image::serialize(img);
  std::vector<std::unique_ptr<TspChip>> chips;
  std::vector<std::unique_ptr<HostDriver>> hosts;
  for (uint32_t c = 0; c < img.chips.size(); ++c) {
    chips.push_back(std::make_unique<TspChip>(fmt::format("chip{}", c).c_str(), *cfg, c));
    hosts.push_back(std::make_unique<HostDriver>(fmt::format("host{}", c).c_str(), bytes, *chips.back()));
    hosts.back()->pcie.bind(chips.back()->host);
    chips.back()->set_quantum(options.quantum);
    if (options.observer) chips.back()->engine().set_observer(options.observer(c));
    if (c < options.flips.size())
      for (const Flip& f : options.flips[c]) chips.back()->add_flip(f);
    if (options.progress) chips.back()->on_quantum([&options, c](Cycle n) { options.progress(c, n); });
  }
  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();  // returns when every host has finished and every chip is idle
  RunReport report;
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (uint32_t c = 0; c < chips.size(); ++c) {
    const auto& r = hosts[c]->result();
    ChipReport cr;
    cr.status = r.status;
    cr.error = r.error;
    if (chips[c]->status() == hostmap::kError) {  // e.g. a vector arrived after the host read the result
      cr.status = hostmap::kError;
      cr.error = chips[c]->error();
    }
    cr.cycles = r.cycles;
    cr.stats = chips[c]->engine().stats();
    cr.load_seconds = r.load_time.to_seconds();
    cr.run_seconds = r.run_time.to_seconds();
    report.cycles = std::max(report.cycles, cr.cycles);
    if (options.inspect) options.inspect(c, chips[c]->engine());
    report.chips.push_back(std::move(cr));
  }
  return report;
}

}  // namespace tsp::model
