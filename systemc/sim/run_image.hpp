#pragma once
// Runs a program image on the SystemC model: one TspChip and one HostDriver per
// chip, the host loading the image over PCIe and starting the chip. SystemC
// elaborates once per process, so this may be called once per process.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "firmware/image/image.hpp"
#include "firmware/topology/topology.hpp"
#include "systemc/c2c/c2c_link.hpp"
#include "systemc/chip/host_map.hpp"
#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

struct RunOptions {
  Cycle quantum = 1u << 16;                                        // cycles between synchronisations with SystemC time
  std::vector<std::vector<Flip>> flips;                            // per chip; may be shorter than the chip count
  std::function<void(uint32_t chip, Cycle cycles)> progress;       // after each quantum
  std::function<void(uint32_t chip, ChipEngine& engine)> inspect;  // after the run, before teardown
  std::function<Observer*(uint32_t chip)> observer;                // before the run: one per chip (not owned)
  // The system's links and clocks (nullptr: no links; chips of a multi-chip
  // image still start together). Its chip count must be the image's.
  const topo::Topology* topology = nullptr;
  WireErrorSpec wire;  // bit errors, planned flips and jitter on every link
  LinkObserver* link_observer = nullptr;  // sees every frame of every link (not owned)
};

struct ChipReport {
  hostmap::Status status = hostmap::kIdle;
  std::string error;
  Cycle cycles = 0;          // in this chip's own clock
  Cycle program_cycles = 0;  // the schedule's: less the cycles RDESKEW added for drift
  int64_t drift_shift = 0;   // program_cycles = cycles - drift_shift
  double clock_ppm = 0;
  double hac_offset_ps = 0;  // what the HAC bring-up alignment left (c2c/hac_alignment.hpp)
  uint32_t hac_depth = 0;    // hops from the HAC root along the spanning tree
  double error_seconds = 0;  // system time of the error, when status is kError
  RunStats stats;
  double load_seconds = 0, run_seconds = 0;  // simulated time on the host link / running
};

// One link of the topology after the run: both directions' counters.
struct LinkReport {
  std::string name;        // "link3: 0.3 - 1.3"
  std::string defined_at;  // the topology's file:line
  std::string cable;
  uint32_t hop_cycles = 0;
  LinkCounters from_a, from_b;
};

struct RunReport {
  std::vector<ChipReport> chips;
  std::vector<LinkReport> links;
  Cycle cycles = 0;         // the longest chip's program (the schedule's cycles)
  double wall_seconds = 0;  // host time spent simulating
  double run_wall_seconds = 0;  // of that, from the first chip's start on (loading over PCIe excluded)
  bool ok() const;
  std::string first_error() const;
};

RunReport run_image(const image::Image& img, const RunOptions& options);

}  // namespace tsp::model
