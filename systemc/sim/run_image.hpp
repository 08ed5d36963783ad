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
  WireErrorSpec wire;                     // bit errors, planned flips and jitter on every link
  LinkObserver* link_observer = nullptr;  // sees every frame of every link (not owned)
  bool timing_only = false;  // every rule and count, no values (ChipEngine::set_timing_only, docs/timing-only.md)
  // After the run, on the rank that owns the chip: text that travels with the
  // chip's report to rank 0 (ChipReport::collected): tensors, checks.
  std::function<std::string(uint32_t chip, ChipEngine& engine)> collect;
  // After the run, on the rank that owns the chip: what the wave was told of
  // it (waves::WaveLog), for rank 0 (ChipReport::waves).
  std::function<std::string(uint32_t chip)> waves;

  // Distributed runs (docs/distributed.md); ignored in a single process.
  std::vector<int> rank_of;     // the rank of each chip (dist::partition); empty: every chip here
  double lookahead_cycles = 0;  // links between ranks take at least this (0: computed from the topology)
  // Each window ends a window past the earliest SEND any rank can still issue
  // on a link between ranks (ChipEngine::next_send_bound), so stretches
  // without such traffic cost one exchange; false: every window is the
  // fixed one (WindowPlan::window), for comparison.
  bool adaptive_windows = true;
  std::function<void(const struct WindowInfo&)> on_window;  // after each window's exchange
};

// Where a distributed run stands after a window (progress lines, test hooks).
struct WindowInfo {
  uint64_t window = 0;
  double cycles = 0;   // simulated nominal cycles since the system's start
  uint32_t busy = 0;   // this rank's chips still running
  uint32_t chips = 0;  // this rank's chips
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
  uint64_t sram_stored_bytes = 0;            // SRAM the model held at the end (generated SRAM is never stored)
  double load_seconds = 0, run_seconds = 0;  // simulated time on the host link / running
  int rank = 0;                              // the rank that simulated this chip
  std::string collected;                     // RunOptions::collect's text
  std::string waves;                         // RunOptions::waves' text (kept out of the results and their digest)
};

// One link of the topology after the run: both directions' counters.
struct LinkReport {
  std::string name;        // "link3: 0.3 - 1.3"
  std::string defined_at;  // the topology's file:line
  std::string cable;
  uint32_t hop_cycles = 0;
  LinkCounters from_a, from_b;
};

// What one rank of a distributed run spent (--stats "ranks").
struct RankReport {
  int rank = 0;
  uint32_t chips = 0;
  double wall_seconds = 0;       // this rank's whole simulation
  double load_wall_seconds = 0;  // of that, loading its chips up to the start barrier
  double exchange_seconds = 0;   // of that, inside MPI collectives (waiting for others and exchanging)
  uint64_t windows = 0, frames_sent = 0, frames_received = 0, bytes_sent = 0;
  uint64_t grown_windows = 0;  // windows longer than the fixed one (adaptive windows)
};

struct RunReport {
  std::vector<ChipReport> chips;
  std::vector<LinkReport> links;
  Cycle cycles = 0;             // the longest chip's program (the schedule's cycles)
  double wall_seconds = 0;      // host time spent simulating
  double run_wall_seconds = 0;  // of that, from the first chip's start on (loading over PCIe excluded)
  // Distributed: every rank's costs, the lookahead and the window (rank 0's
  // report holds everything; another rank's report holds only its own rank).
  std::vector<RankReport> ranks;
  double lookahead_cycles = 0, window_cycles = 0;
  bool partial = false;  // a rank other than 0: chips and links are not gathered here
  bool ok() const;
  std::string first_error() const;
};

RunReport run_image(const image::Image& img, const RunOptions& options);

}  // namespace tsp::model
