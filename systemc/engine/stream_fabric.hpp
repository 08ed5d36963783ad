#pragma once
// The streams of one chip: 2 directions x streams_per_direction stream
// registers per floorplan position, one hop per cycle.
//
// Nothing moves per cycle. A value put on eastward stream s at position p at
// cycle T is at position q >= p at cycle T + (q - p): along its life p - T is
// constant (westward: p + T). That constant, the wavefront, indexes a ring of
// slots, so put and get are O(1) whatever the cycle count. A later producer
// downstream on the same wavefront replaces the value from its position on
// (stream registers are overwritten), which a slot keeps as sorted segments.
#include <cstdint>
#include <optional>
#include <vector>

#include "systemc/engine/types.hpp"

namespace tsp::model {

class StreamFabric {
 public:
  explicit StreamFabric(const isa::Config& cfg);

  // Puts `value` on stream `s` at `pos`, present there from cycle `at`.
  // Returns the origin of a value another producer already put at the same
  // position and cycle (a schedule conflict; nothing is changed then).
  // Callers process cycles in order and never put more than kMaxLatency ahead.
  std::optional<Origin> put(isa::StreamRef s, uint16_t pos, Cycle at, const Vec& value, Origin origin);
  // The same, but returns the new value's storage for the caller to fill (its
  // contents are unspecified), or nullptr with *conflict set. Saves a copy.
  Vec* emplace(isa::StreamRef s, uint16_t pos, Cycle at, Origin origin, Origin* conflict);

  // The value on stream `s` at `pos` at cycle `t`, or nullptr when the slot is empty.
  const Vec* get(isa::StreamRef s, uint16_t pos, Cycle t, Origin* origin = nullptr) const;

  uint64_t values_put() const { return values_put_; }

 private:
  struct Segment {
    uint16_t start;  // first position (east) / last position (west) the value occupies
    uint32_t vec;    // index into pool_
    Origin origin;
  };
  struct Slot {
    int64_t wavefront = INT64_MIN;
    std::vector<Segment> segments;  // sorted by start in the direction of flow
  };

  static int64_t wavefront(bool west, uint16_t pos, Cycle t);
  Slot& slot(isa::StreamRef s, int64_t wf);
  const Slot& slot(isa::StreamRef s, int64_t wf) const;
  uint32_t allocate();
  void recycle(Slot& slot);

  uint32_t streams_;
  uint32_t ring_;  // slots per stream and direction, a power of two
  std::vector<Slot> slots_;
  std::vector<Vec> pool_;
  std::vector<uint32_t> free_;
  uint64_t values_put_ = 0;
};

}  // namespace tsp::model
