#include "systemc/sim/run_distributed.hpp"

#include <fmt/format.h>

#include <chrono>
#include <limits>

#include "common/error.hpp"
#include "systemc/chip/tsp_chip.hpp"

namespace tsp::model {

WindowPlan plan_windows(const isa::Config& cfg, const topo::Topology& topology, const std::vector<HacAlignment>& hacs,
                        const std::vector<int>& rank_of, Cycle quantum_cycles, double lookahead_override) {
  const double nominal_ps = 1e6 / cfg.clock_mhz;
  double slowest_ps = nominal_ps, lookahead_ps = std::numeric_limits<double>::infinity();
  for (const auto& h : hacs) slowest_ps = std::max(slowest_ps, h.clock.period_ps(cfg.clock_mhz));
  // A frame lands (frame + fixed) sender cycles plus the wire after its SEND
  // (C2cLink::carry), jitter moving it at most the receive window earlier.
  for (const topo::Link& l : topology.links) {
    if (rank_of[l.a.chip] == rank_of[l.b.chip]) continue;
    for (uint32_t sender : {l.a.chip, l.b.chip}) {
      const double ps =
          double(cfg.c2c_frame_cycles + cfg.c2c_fixed_cycles) * hacs[sender].clock.period_ps(cfg.clock_mhz) +
          double(l.cable->wire_ps) - double(cfg.c2c_receive_window_cycles) * nominal_ps;
      lookahead_ps = std::min(lookahead_ps, ps);
    }
  }
  WindowPlan p;
  p.nominal_ps = nominal_ps;
  p.quantum = sc_core::sc_time(double(TspChip::linked_quantum(cfg, quantum_cycles)) * nominal_ps, sc_core::SC_PS);
  p.margin = sc_core::sc_time(std::ceil(slowest_ps), sc_core::SC_PS);
  if (lookahead_override > 0) lookahead_ps = lookahead_override * nominal_ps;
  if (!std::isfinite(lookahead_ps)) lookahead_ps = 1e6 * nominal_ps;  // no link between ranks: any window will do
  p.lookahead = sc_core::sc_time(std::floor(lookahead_ps), sc_core::SC_PS);
  p.lookahead_cycles = lookahead_ps / nominal_ps;
  if (p.lookahead <= p.quantum + p.margin + p.margin)
    throw Error(
        fmt::format("tsp run: error: the lookahead between ranks, {:.1f} cycles, leaves no window after the "
                    "chips' quantum of {} cycles and two cycles of margin",
                    p.lookahead_cycles, TspChip::linked_quantum(cfg, quantum_cycles)));
  p.window = p.lookahead - p.quantum - p.margin - p.margin;
  p.window_cycles = p.window.to_seconds() * 1e12 / nominal_ps;
  return p;
}

RankReport run_windows(dist::Comm& comm, StartBarrier& barrier, dist::RankSync& sync, const WindowPlan& plan,
                       uint32_t chips, const std::function<bool()>& local_done, const std::function<uint32_t()>& busy,
                       uint32_t local_chips, const std::function<void(const WindowInfo&)>& on_window) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  RankReport rr;
  rr.rank = comm.rank();
  rr.chips = local_chips;
  // Loading: until this rank's chips are all armed (the barrier pauses the
  // kernel) or nothing is left to do (a chip that failed to load never arms).
  sc_core::sc_start();
  rr.load_wall_seconds = std::chrono::duration<double>(clock::now() - t0).count();
  const uint32_t armed =
      uint32_t(comm.sum({int64_t(barrier.local_complete() ? local_chips : barrier.armed())}, "the start barrier")[0]);
  const int64_t last = comm.max({int64_t(barrier.last_armed().value())}, "the start barrier")[0];
  if (armed == chips) {
    // Every rank computes the same start: the first root epoch after the
    // system's last arming moment, as one process would.
    barrier.release(sc_core::sc_time::from_value(uint64_t(last)), armed);
    sync.set_start(barrier.start_time());
    sc_core::sc_time end = barrier.start_time() + plan.window;
    for (uint64_t w = 0;; ++w) {
      sync.set_window(end, end + plan.quantum + plan.margin, plan.lookahead_cycles);
      sc_core::sc_start(end - sc_core::sc_time_stamp());
      const int64_t posted = int64_t(sync.posted());
      const auto x = comm.exchange(sync.take_outgoing(), {local_done() ? 1 : 0, posted},
                                   fmt::format("the exchange after window {}", w));
      sync.deliver(x.in);
      ++rr.windows;
      bool done = true;
      for (const auto& s : x.state) done &= s[0] == 1 && s[1] == 0;
      if (on_window)
        on_window(
            WindowInfo{w, (end - barrier.start_time()).to_seconds() * 1e12 / plan.nominal_ps, busy(), local_chips});
      if (done) break;
      end += plan.window;
    }
  } else {
    barrier.release_none(armed);
  }
  rr.wall_seconds = std::chrono::duration<double>(clock::now() - t0).count();
  rr.exchange_seconds = comm.comm_seconds();
  rr.frames_sent = sync.frames_sent();
  rr.frames_received = sync.frames_received();
  rr.bytes_sent = sync.bytes_sent();
  return rr;
}

}  // namespace tsp::model
