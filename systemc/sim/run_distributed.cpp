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
                       uint32_t chips, const RankState& state, uint32_t local_chips,
                       const std::function<void(const WindowInfo&)>& on_window) {
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
  constexpr int64_t kNoSend = std::numeric_limits<int64_t>::max();
  const auto next_send = [&]() -> int64_t {
    if (!state.next_send) return 0;  // fixed windows: as if a SEND were due now
    const sc_core::sc_time t = state.next_send();
    return t >= sc_core::sc_max_time() || t.value() >= uint64_t(kNoSend) ? kNoSend : int64_t(t.value());
  };
  if (armed == chips) {
    // Every rank computes the same start: the first root epoch after the
    // system's last arming moment, as one process would.
    barrier.release(sc_core::sc_time::from_value(uint64_t(last)), armed);
    sync.set_start(barrier.start_time());
    sc_core::sc_time end = barrier.start_time() + plan.window;
    bool to_the_end = false;  // no SEND is left anywhere: run until every chip is done
    for (uint64_t w = 0;; ++w) {
      if (to_the_end) {
        // A frame posted now would break the promise every rank made: the
        // horizon at the end of time makes it the located error.
        sync.set_window(sc_core::sc_max_time(), sc_core::sc_max_time(), plan.lookahead_cycles);
        // A rank with nothing left to run (its chips done) would make SystemC
        // warn (W571) in its output alone, so ranks' outputs would differ.
        if (sc_core::sc_pending_activity()) sc_core::sc_start();
        end = sc_core::sc_time_stamp();
      } else {
        sync.set_window(end, end + plan.quantum + plan.margin, plan.lookahead_cycles);
        sc_core::sc_start(end - sc_core::sc_time_stamp());
      }
      const int64_t posted = int64_t(sync.posted());
      const bool done_here = state.done();
      const auto x = comm.exchange(sync.take_outgoing(), {done_here ? 1 : 0, posted, done_here ? kNoSend : next_send()},
                                   fmt::format("the exchange after window {}", w));
      sync.deliver(x.in);
      ++rr.windows;
      bool done = true;
      int64_t earliest = kNoSend;
      for (const auto& s : x.state) {
        done &= s[0] == 1 && s[1] == 0;
        earliest = std::min(earliest, s[2]);
      }
      if (on_window)
        on_window(WindowInfo{w, (end - barrier.start_time()).to_seconds() * 1e12 / plan.nominal_ps, state.busy(),
                             local_chips});
      if (done) break;
      // Every rank computes the same end from the same words. With no SEND
      // left anywhere, the window runs until every chip is done (the frames
      // in flight were just delivered).
      if (earliest == kNoSend) {
        to_the_end = true;
        ++rr.grown_windows;
      } else if (const auto from = sc_core::sc_time::from_value(uint64_t(earliest)); from > end) {
#ifdef TSP_PLANT_BUG_WINDOWS  // test-only build (tests/CMakeLists.txt): a window grown a lookahead too far
        end = from + plan.window + plan.lookahead;
#else
        end = from + plan.window;
#endif
        ++rr.grown_windows;
      } else {
        end += plan.window;
      }
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
