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
//
// A value is either fabric storage (a pool of 320-byte vectors) or a reference
// to storage the caller promises not to change while the reference lives: a
// READ of an SRAM vector nobody writes during the run need not be copied.
// materialize() turns every reference into a copy before that promise ends.
#include <algorithm>
#include <cstdint>
#include <memory>
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
  // Storage never moves while the fabric lives: earlier pointers stay valid.
  inline Vec* emplace(isa::StreamRef s, uint16_t pos, Cycle at, Origin origin, Origin* conflict);

  // The same with no copy: `value` must stay unchanged until materialize()
  // or until the value leaves the chip. Returns false with *conflict set.
  inline bool put_ref(isa::StreamRef s, uint16_t pos, Cycle at, const Vec* value, Origin origin, Origin* conflict);
  // Copies every referenced value into fabric storage.
  void materialize();
  bool has_refs() const { return refs_ != 0; }

  // The value on stream `s` at `pos` at cycle `t`, or nullptr when the slot is empty.
  // `*ref`: the value is a reference (put_ref), so its bytes outlive the slot.
  inline const Vec* get(isa::StreamRef s, uint16_t pos, Cycle t, Origin* origin = nullptr, bool* ref = nullptr) const;

  uint64_t values_put() const { return values_put_; }
  // A cache hint for the slot a put or get of stream `s` at `pos` in cycle
  // `at` will use (a REPEAT's later repetition): large systems miss on it.
  void prefetch(isa::StreamRef s, uint16_t pos, Cycle at) const {
    __builtin_prefetch(&slots_[slot_index(s, wavefront(s.west, pos, at))], 1);
  }

 private:
  static constexpr uint32_t kRef = ~0u;  // Segment::vec of a reference
  struct Segment {
    uint16_t start;    // first position (east) / last position (west) the value occupies
    uint32_t vec;      // pool index, kRef for a reference
    const Vec* value;  // the pool entry or the referenced vector
    Origin origin;
  };
  // A slot's segments, contiguous. Nearly every wavefront carries one
  // producer's value, which is kept in the slot itself: a heap buffer per
  // slot cost a cache miss on every put, get and reuse of a large system.
  class Segments {
   public:
    size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }
    Segment* data() { return n_ <= 1 ? &one_ : more_.get(); }
    const Segment* data() const { return n_ <= 1 ? &one_ : more_.get(); }
    Segment* begin() { return data(); }
    Segment* end() { return data() + n_; }
    const Segment* begin() const { return data(); }
    const Segment* end() const { return data() + n_; }
    const Segment& back() const { return data()[n_ - 1]; }
    void clear() { n_ = 0; }  // keeps `more_` for the next crowded wavefront
    void insert(size_t i, const Segment& seg) {
      if (n_ == 0) {
        one_ = seg;
        n_ = 1;
        return;
      }
      if (n_ + 1 > cap_) {
        const uint32_t cap = std::max<uint32_t>(4, 2 * cap_);
        auto grown = std::make_unique<Segment[]>(cap);
        if (n_ > 1) std::copy(more_.get(), more_.get() + n_, grown.get());
        more_ = std::move(grown);
        cap_ = cap;
      }
      if (n_ == 1) more_[0] = one_;
      std::copy_backward(more_.get() + i, more_.get() + n_, more_.get() + n_ + 1);
      more_[i] = seg;
      ++n_;
    }

   private:
    Segment one_{};                    // the only segment when n_ == 1
    std::unique_ptr<Segment[]> more_;  // all of them when n_ > 1
    uint32_t n_ = 0, cap_ = 0;
  };
  // One cache line per slot: a slot straddling two lines cost two misses on
  // most puts and gets of a large system.
  struct alignas(64) Slot {
    int64_t wavefront = INT64_MIN;
    Segments segments;  // sorted by start in the direction of flow
  };
  static_assert(sizeof(Slot) == 64);

  // Values live in fixed-size chunks: growing the pool never copies or moves
  // them (a growing vector of 320-byte values would copy them all, page by page).
  static constexpr uint32_t kChunkShift = 8, kChunk = 1u << kChunkShift;

  static int64_t wavefront(bool west, uint16_t pos, Cycle t) {
    return west ? int64_t(pos) + int64_t(t) : int64_t(pos) - int64_t(t);
  }
  size_t slot_index(isa::StreamRef s, int64_t wf) const {
    return (size_t(s.west) * streams_ + s.index) * ring_ + (uint64_t(wf) & (ring_ - 1));
  }
  Vec& vec(uint32_t i) { return chunks_[i >> kChunkShift][i & (kChunk - 1)]; }
  const Vec& vec(uint32_t i) const { return chunks_[i >> kChunkShift][i & (kChunk - 1)]; }
  uint32_t allocate() {
    if (free_.empty()) return grow();
    const uint32_t i = free_.back();
    free_.pop_back();
    return i;
  }
  uint32_t grow();
  void recycle(Slot& slot);
  // The slot for a new value, or nullptr with *conflict set; `*index` is where its segment goes.
  static void insert(Slot& sl, size_t i, const Segment& seg) { sl.segments.insert(i, seg); }
  inline Slot* claim(isa::StreamRef s, uint16_t pos, Cycle at, Origin* conflict, size_t* index);

  uint32_t streams_;
  uint32_t ring_;  // slots per stream and direction, a power of two
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<Vec[]>> chunks_;
  uint32_t pool_size_ = 0;  // values allocated so far
  std::vector<uint32_t> free_;
  uint64_t values_put_ = 0;
  uint64_t refs_ = 0;  // live references
};

StreamFabric::Slot* StreamFabric::claim(isa::StreamRef s, uint16_t pos, Cycle at, Origin* conflict, size_t* index) {
  const int64_t wf = wavefront(s.west, pos, at);
  Slot& sl = slots_[slot_index(s, wf)];
  if (sl.wavefront != wf) {  // the slot held a wavefront that has left the chip
    if (!sl.segments.empty()) recycle(sl);
    sl.wavefront = wf;
  }
  // Keep segments ordered along the flow: ascending start eastward, descending
  // westward. Producers usually arrive in flow order, so try the end first.
  const auto before = [west = s.west](const Segment& a, uint16_t p) { return west ? a.start > p : a.start < p; };
  auto it = sl.segments.end();
  if (!sl.segments.empty() && !before(sl.segments.back(), pos))
    it = std::lower_bound(sl.segments.begin(), sl.segments.end(), pos, before);
  if (it != sl.segments.end() && it->start == pos) {
    *conflict = it->origin;
    return nullptr;
  }
  *index = size_t(it - sl.segments.begin());
  ++values_put_;
  return &sl;
}

bool StreamFabric::put_ref(isa::StreamRef s, uint16_t pos, Cycle at, const Vec* value, Origin origin,
                           Origin* conflict) {
  size_t i;
  Slot* sl = claim(s, pos, at, conflict, &i);
  if (!sl) return false;
  insert(*sl, i, Segment{pos, kRef, value, origin});
  ++refs_;
  return true;
}

Vec* StreamFabric::emplace(isa::StreamRef s, uint16_t pos, Cycle at, Origin origin, Origin* conflict) {
  size_t i;
  Slot* sl = claim(s, pos, at, conflict, &i);
  if (!sl) return nullptr;
  const uint32_t v = allocate();
  Vec* value = &vec(v);
  insert(*sl, i, Segment{pos, v, value, origin});
  return value;
}

const Vec* StreamFabric::get(isa::StreamRef s, uint16_t pos, Cycle t, Origin* origin, bool* ref) const {
  const int64_t wf = wavefront(s.west, pos, t);
  const Slot& sl = slots_[slot_index(s, wf)];
  if (sl.wavefront != wf || sl.segments.empty()) return nullptr;
  // The segment that covers pos is the last one starting at or upstream of it:
  // usually the newest, which a consumer downstream of every producer sees.
  const auto downstream = [west = s.west](uint16_t p, const Segment& seg) {
    return west ? seg.start < p : seg.start > p;
  };
  // Producers just downstream of the consumer (within a latency of it) may
  // already have put theirs: step back over a few before searching.
  const Segment* const first = sl.segments.data();
  const Segment* hit = first + sl.segments.size() - 1;
  for (int step = 0; downstream(pos, *hit); ++step) {
    if (hit == first) return nullptr;
    if (step == 4) {
      const Segment* it = std::upper_bound(first, hit, pos, downstream);
      if (it == first) return nullptr;
      hit = it - 1;
      break;
    }
    --hit;
  }
  if (origin) *origin = hit->origin;
  if (ref) *ref = hit->vec == kRef;
  return hit->value;
}

}  // namespace tsp::model
