#pragma once
// The distributed half of run_image (docs/distributed.md): the ranks agree on
// the start, then advance in windows of simulated time, exchanging the frames
// of links between ranks after each, until every chip everywhere is done.
#include <functional>
#include <systemc>
#include <vector>

#include "firmware/topology/topology.hpp"
#include "systemc/c2c/hac_alignment.hpp"
#include "systemc/chip/start_barrier.hpp"
#include "systemc/dist/comm.hpp"
#include "systemc/dist/rank_sync.hpp"
#include "systemc/sim/run_image.hpp"

namespace tsp::model {

// The window every rank uses. lookahead: the shortest time from a SEND's
// cycle to its frame's landing over any link between ranks (the sender's
// clock, the cable, less the receive window jitter may use); quantum: how far
// a chip's engine runs ahead of SystemC time; window = lookahead - quantum -
// two of the slowest clock's cycles (rounding on either side).
struct WindowPlan {
  sc_core::sc_time quantum, lookahead, window, margin;
  double lookahead_cycles = 0, window_cycles = 0;  // in nominal cycles
  double nominal_ps = 0;
};
WindowPlan plan_windows(const isa::Config& cfg, const topo::Topology& topology, const std::vector<HacAlignment>& hacs,
                        const std::vector<int>& rank_of, Cycle quantum_cycles, double lookahead_override);

// What run_windows asks of this rank's chips between windows.
struct RankState {
  std::function<bool()> done;      // every chip of this rank finished (its host read the result)
  std::function<uint32_t()> busy;  // chips of this rank still running
  // The earliest system time at which a chip of this rank can still SEND on a
  // link to another rank (sc_max_time: never); empty: windows stay fixed.
  std::function<sc_core::sc_time()> next_send;
};

// Runs this rank's kernel to the end of the system's run. A window ends W
// after the later of its start and the earliest SEND on a link between ranks
// that any rank can still issue: with W = lookahead - quantum - 2 margins, a
// frame of that SEND still lands beyond what its receiver has run.
RankReport run_windows(dist::Comm& comm, StartBarrier& barrier, dist::RankSync& sync, const WindowPlan& plan,
                       uint32_t chips, const RankState& state, uint32_t local_chips,
                       const std::function<void(const WindowInfo&)>& on_window);

}  // namespace tsp::model
