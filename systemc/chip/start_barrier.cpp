#include "systemc/chip/start_barrier.hpp"

#include <cmath>

namespace tsp::model {

void StartBarrier::arm(sc_core::sc_event& start) {
  armed_.push_back(&start);
  if (armed_.size() < chips_) return;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const auto epochs = static_cast<uint64_t>(std::ceil(now / epoch_ - 1e-12));
  start_ = epoch_ * double(epochs);
  if (start_ < now) start_ += epoch_;
  for (sc_core::sc_event* e : armed_) e->notify(start_ - now);
}

}  // namespace tsp::model
