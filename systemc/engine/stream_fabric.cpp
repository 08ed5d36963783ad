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

int64_t StreamFabric::wavefront(bool west, uint16_t pos, Cycle t) {
  return west ? int64_t(pos) + int64_t(t) : int64_t(pos) - int64_t(t);
}

StreamFabric::Slot& StreamFabric::slot(isa::StreamRef s, int64_t wf) {
  return slots_[(size_t(s.west) * streams_ + s.index) * ring_ + (uint64_t(wf) & (ring_ - 1))];
}

const StreamFabric::Slot& StreamFabric::slot(isa::StreamRef s, int64_t wf) const {
  return slots_[(size_t(s.west) * streams_ + s.index) * ring_ + (uint64_t(wf) & (ring_ - 1))];
}

uint32_t StreamFabric::allocate() {
  if (free_.empty()) {
    pool_.emplace_back();
    return uint32_t(pool_.size() - 1);
  }
  const uint32_t i = free_.back();
  free_.pop_back();
  return i;
}

void StreamFabric::recycle(Slot& s) {
  for (const Segment& seg : s.segments) free_.push_back(seg.vec);
  s.segments.clear();
}

Vec* StreamFabric::emplace(isa::StreamRef s, uint16_t pos, Cycle at, Origin origin, Origin* conflict) {
  const int64_t wf = wavefront(s.west, pos, at);
  Slot& sl = slot(s, wf);
  if (sl.wavefront != wf) {  // the slot held a wavefront that has left the chip
    recycle(sl);
    sl.wavefront = wf;
  }
  // Keep segments ordered along the flow: ascending start eastward, descending westward.
  const auto before = [west = s.west](const Segment& a, uint16_t p) { return west ? a.start > p : a.start < p; };
  auto it = std::lower_bound(sl.segments.begin(), sl.segments.end(), pos, before);
  if (it != sl.segments.end() && it->start == pos) {
    *conflict = it->origin;
    return nullptr;
  }
  const uint32_t v = allocate();
  sl.segments.insert(it, Segment{pos, v, origin});
  ++values_put_;
  return &pool_[v];
}

std::optional<Origin> StreamFabric::put(isa::StreamRef s, uint16_t pos, Cycle at, const Vec& value, Origin origin) {
  Origin conflict;
  Vec* v = emplace(s, pos, at, origin, &conflict);
  if (!v) return conflict;
  *v = value;
  return std::nullopt;
}

const Vec* StreamFabric::get(isa::StreamRef s, uint16_t pos, Cycle t, Origin* origin) const {
  const int64_t wf = wavefront(s.west, pos, t);
  const Slot& sl = slot(s, wf);
  if (sl.wavefront != wf) return nullptr;
  // The segment that covers pos is the last one starting at or upstream of it.
  const auto downstream = [west = s.west](uint16_t p, const Segment& seg) {
    return west ? seg.start < p : seg.start > p;
  };
  const auto it = std::upper_bound(sl.segments.begin(), sl.segments.end(), pos, downstream);
  if (it == sl.segments.begin()) return nullptr;
  const Segment* hit = &*(it - 1);
  if (origin) *origin = hit->origin;
  return &pool_[hit->vec];
}

}  // namespace tsp::model
