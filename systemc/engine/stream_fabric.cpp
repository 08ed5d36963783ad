#include "systemc/engine/stream_fabric.hpp"

#include <algorithm>
#include <bit>

namespace tsp::model {

StreamFabric::StreamFabric(const isa::Config& cfg) : streams_(cfg.streams_per_direction) {
  // Live wavefronts at any cycle span the values still crossing the chip
  // (positions) plus those produced up to kMaxLatency ahead, from both sides.
  ring_ = std::bit_ceil(2 * cfg.positions + isa::kMaxLatency + 2);
  slots_.resize(size_t{2} * streams_ * ring_);
}

uint32_t StreamFabric::grow() {
  if (pool_size_ % kChunk == 0) chunks_.push_back(std::make_unique<Vec[]>(kChunk));
  return pool_size_++;
}

void StreamFabric::recycle(Slot& s) {
  for (const Segment& seg : s.segments)
    if (seg.vec == kRef)
      --refs_;
    else
      free_.push_back(seg.vec);
  s.segments.clear();
}

void StreamFabric::materialize() {
  if (!refs_) return;
  for (Slot& sl : slots_)
    for (Segment& seg : sl.segments)
      if (seg.vec == kRef) {
        seg.vec = allocate();
        Vec& copy = vec(seg.vec);
        copy = *seg.value;
        seg.value = &copy;
        --refs_;
      }
}

std::optional<Origin> StreamFabric::put(isa::StreamRef s, uint16_t pos, Cycle at, const Vec& value, Origin origin) {
  Origin conflict;
  Vec* v = emplace(s, pos, at, origin, &conflict);
  if (!v) return conflict;
  *v = value;
  return std::nullopt;
}

}  // namespace tsp::model
