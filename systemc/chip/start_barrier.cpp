#include "systemc/chip/start_barrier.hpp"

#include <cmath>

namespace tsp::model {

void StartBarrier::arm(sc_core::sc_event& start) {
  armed_.push_back(&start);
  last_armed_ = sc_core::sc_time_stamp();
  if (on_arm_) on_arm_();
  if (local_) {
    if (local_complete()) sc_core::sc_pause();
    return;
  }
  if (armed_.size() < chips_) return;
  start_at_epoch_after(last_armed_);
}

void StartBarrier::release(const sc_core::sc_time& last, uint32_t armed) {
  global_ = true;
  global_armed_ = armed;
  start_at_epoch_after(last);
}

void StartBarrier::start_at_epoch_after(const sc_core::sc_time& last) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const auto epochs = static_cast<uint64_t>(std::ceil(last / epoch_ - 1e-12));
  start_ = epoch_ * double(epochs);
  if (start_ < last) start_ += epoch_;
  for (sc_core::sc_event* e : armed_) e->notify(start_ - now);
}

}  // namespace tsp::model
