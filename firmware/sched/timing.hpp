#pragma once
// The timing contract of docs/timing.md as arithmetic, for everything that
// schedules ahead of the model (compiler, random program generators): when a
// result lands, when it passes another queue, how long a program runs.
#include <algorithm>
#include <cstdint>
#include <optional>

#include "firmware/isa/isa.hpp"

namespace tsp::sched {

using Cycle = uint64_t;

// Cycle at which an instruction issued at `t` puts its results on its streams.
inline Cycle result_cycle(const isa::Instr& in, Cycle t) { return t + in.desc().latency; }

// Cycle at which a value put at floorplan position `from` in cycle `put`
// passes position `to` on a stream flowing west (`west`) or east; nothing when
// `to` is upstream of `from`.
inline std::optional<Cycle> arrival(uint16_t from, Cycle put, bool west, uint16_t to) {
  if (west ? to > from : to < from) return std::nullopt;
  return put + static_cast<Cycle>(west ? from - to : to - from);
}

// The issue cycle at queue `consumer` that reads the value `producer` puts at
// `put` on a stream of direction `west`, if the stream flows that way.
inline std::optional<Cycle> read_cycle(const isa::QueueDesc& producer, Cycle put, bool west,
                                       const isa::QueueDesc& consumer) {
  return arrival(producer.position, put, west, consumer.position);
}

// Program length (docs/timing.md, "Program length"): feed every queue's last
// occupied slot and every unit instruction's issue, then read end().
class ProgramLength {
 public:
  explicit ProgramLength(const isa::Config& cfg) : cfg_(cfg) {}
  // A queue is busy until `slot_end` (the cycle after its last occupied slot).
  void queue_busy_until(Cycle slot_end) { note(slot_end); }
  // A unit instruction issued at `t`: its result lands at t + latency.
  void unit_instr(const isa::Instr& in, Cycle t) { note(result_cycle(in, t) + 1); }
  Cycle end() const { return any_ ? last_ + cfg_.superlanes - 1 : 0; }

 private:
  void note(Cycle c) {
    any_ = true;
    last_ = std::max(last_, c);
  }
  const isa::Config& cfg_;
  Cycle last_ = 0;
  bool any_ = false;
};

}  // namespace tsp::sched
