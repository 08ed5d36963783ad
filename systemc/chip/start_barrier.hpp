#pragma once
// All chips of a system start together, on one epoch of the HAC root's clock
// (docs/links.md, "Start"): a chip whose host writes START is armed, and once
// every chip is armed each starts at the first root HAC epoch at or after
// that moment. No chip runs ahead of one still being loaded, and every chip's
// cycle 0 is the same instant, so the schedule's cross-chip arithmetic holds
// from the first cycle.
#include <cstdint>
#include <functional>
#include <systemc>
#include <vector>

namespace tsp::model {

class StartBarrier {
 public:
  // `epoch`: one HAC period of the root chip's clock.
  StartBarrier(uint32_t chips, sc_core::sc_time epoch) : chips_(chips), epoch_(epoch) {}
  // A chip is armed; `start` is notified at the system's start time.
  void arm(sc_core::sc_event& start);
  uint32_t armed() const { return global_ ? global_armed_ : static_cast<uint32_t>(armed_.size()); }
  uint32_t chips() const { return chips_; }
  sc_core::sc_time start_time() const { return start_; }

  // Across ranks (docs/distributed.md, "Start"): this rank holds `local` of
  // the system's chips. Once they are all armed the barrier pauses the
  // simulation (sc_pause) instead of starting them; the ranks agree on the
  // last arming moment of all and each calls release() with it.
  void set_local(uint32_t local) { local_ = local; }
  // Called at every arming (a distributed run's heartbeat while it loads).
  void on_arm(std::function<void()> f) { on_arm_ = std::move(f); }
  bool local_complete() const { return local_ && armed_.size() == local_; }
  sc_core::sc_time last_armed() const { return last_armed_; }
  // Starts the armed chips at the first root epoch at or after `last` (the
  // system's last arming moment, not before now); `armed` chips in all.
  void release(const sc_core::sc_time& last, uint32_t armed);
  // The system never starts: only `armed` chips of all were armed.
  void release_none(uint32_t armed) {
    global_ = true;
    global_armed_ = armed;
  }

 private:
  void start_at_epoch_after(const sc_core::sc_time& last);
  uint32_t chips_;
  uint32_t local_ = 0, global_armed_ = 0;
  bool global_ = false;
  sc_core::sc_time epoch_, start_, last_armed_;
  std::vector<sc_core::sc_event*> armed_;
  std::function<void()> on_arm_;
};

}  // namespace tsp::model
