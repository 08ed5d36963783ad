#pragma once
// All chips of a system start together, on one epoch of the HAC root's clock
// (docs/links.md, "Start"): a chip whose host writes START is armed, and once
// every chip is armed each starts at the first root HAC epoch at or after
// that moment. No chip runs ahead of one still being loaded, and every chip's
// cycle 0 is the same instant, so the schedule's cross-chip arithmetic holds
// from the first cycle.
#include <cstdint>
#include <systemc>
#include <vector>

namespace tsp::model {

class StartBarrier {
 public:
  // `epoch`: one HAC period of the root chip's clock.
  StartBarrier(uint32_t chips, sc_core::sc_time epoch) : chips_(chips), epoch_(epoch) {}
  // A chip is armed; `start` is notified at the system's start time.
  void arm(sc_core::sc_event& start);
  uint32_t armed() const { return static_cast<uint32_t>(armed_.size()); }
  uint32_t chips() const { return chips_; }
  sc_core::sc_time start_time() const { return start_; }

 private:
  uint32_t chips_;
  sc_core::sc_time epoch_, start_;
  std::vector<sc_core::sc_event*> armed_;
};

}  // namespace tsp::model
