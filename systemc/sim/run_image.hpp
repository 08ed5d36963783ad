#pragma once
// Runs a program image on the SystemC model: one TspChip and one HostDriver per
// chip, the host loading the image over PCIe and starting the chip. SystemC
// elaborates once per process, so this may be called once per process.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "firmware/image/image.hpp"
#include "systemc/chip/host_map.hpp"
#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

struct RunOptions {
  Cycle quantum = 1u << 16;                                        // cycles between synchronisations with SystemC time
  std::vector<std::vector<Flip>> flips;                            // per chip; may be shorter than the chip count
  std::function<void(uint32_t chip, Cycle cycles)> progress;       // after each quantum
  std::function<void(uint32_t chip, ChipEngine& engine)> inspect;  // after the run, before teardown
  std::function<Observer*(uint32_t chip)> observer;                // before the run: one per chip (not owned)
};

struct ChipReport {
  hostmap::Status status = hostmap::kIdle;
  std::string error;
  Cycle cycles = 0;
  RunStats stats;
  double load_seconds = 0, run_seconds = 0;  // simulated time on the host link / running
};

struct RunReport {
  std::vector<ChipReport> chips;
  Cycle cycles = 0;         // the longest chip
  double wall_seconds = 0;  // host time spent simulating
  bool ok() const;
  std::string first_error() const;
};

RunReport run_image(const image::Image& img, const RunOptions& options);

}  // namespace tsp::model
