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
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "systemc/engine/types.hpp"

namespace tsp::model {

class StreamFabric {
 public:
  explicit StreamFabric(const isa::Config& cfg);
  StreamFabric(StreamFabric&&) noexcept = default;
  StreamFabric& operator=(StreamFabric&&) noexcept = default;

  // Puts `value` on stream `s` at `pos`, present there from cycle `at`.
  // Returns the origin of a value another producer already put at the same
  // position and cycle (a schedule conflict; nothing is changed then).
  // Callers process cycles in order and never put more than kMaxLatency
  // ahead, below kMaxCycle, with origin.issued <= at.
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
  // The ring's geometry is the same for every configuration, so that a slot's
  // index is a few instructions of constants (it is computed three times an
  // instruction). Live wavefronts at any cycle span the values still
  // crossing the chip (positions) plus those produced up to kMaxLatency
  // ahead, from both sides; streams a configuration lacks cost no memory.
  static constexpr uint32_t kRing = std::bit_ceil(2 * isa::kMaxPositions + isa::kMaxLatency + 2);
  static constexpr uint32_t kRingShift = std::countr_zero(kRing);
  static_assert(kRingShift >= 8, "kMaxCycle assumes a tag of wavefront >> 8 or more");
  // Cycles at or beyond this are outside what a slot's 32-bit tag tells
  // apart (ChipEngine stops a run there with an error).
  static constexpr Cycle kMaxCycle = (Cycle{1} << 39) - (Cycle{1} << 20);

 private:
  static constexpr uint32_t kRef = ~0u;  // Segment::vec of a reference
  // One producer's value from `start` on. The producer's issue cycle is kept
  // as its age at `start` (at - issued), the cycle `at` being the slot's.
  struct Segment {
    const Vec* value;  // the pool entry or the referenced vector
    uint32_t vec;      // pool index, kRef for a reference
    uint16_t start;    // first position (east) / last position (west) the value occupies
    uint16_t queue;    // origin
    uint32_t instr;    // origin
    uint32_t age;      // origin: at - issued
  };
  // Two slots per cache line: a REPEAT's consecutive wavefronts share lines,
  // and a large system misses on half as many. Nearly every wavefront carries
  // one producer's value, held in the slot; a crowded one moves all of its
  // segments to a heap array (in overflow_, which owns it where leak checkers
  // look) that the slot keeps from then on. All zero bytes is an empty slot,
  // so the slots need no construction (zero pages).
  struct alignas(32) Slot {
    uint32_t tag;  // tag_of(wavefront), 0 while never used
    uint16_t n;    // segments, sorted by start in the direction of flow
    uint16_t cap;  // 0: the segment is `one`; else overflow_[more] holds cap of them
    union {
      Segment one;
      uint32_t more;
    };
  };
  static_assert(sizeof(Slot) == 32 && std::is_trivially_copyable_v<Slot>);

  // Values live in fixed-size chunks: growing the pool never copies or moves
  // them (a growing vector of 320-byte values would copy them all, page by page).
  static constexpr uint32_t kChunkShift = 8, kChunk = 1u << kChunkShift;

  static int64_t wavefront(bool west, uint16_t pos, Cycle t) {
    return west ? int64_t(pos) + int64_t(t) : int64_t(pos) - int64_t(t);
  }
  // A slot holds one wavefront of its ring index at a time; the tag tells
  // which. Below kMaxCycle no two live wavefronts share a tag and none has 0.
  static uint32_t tag_of(int64_t wf) { return uint32_t(uint64_t(wf >> kRingShift)) ^ 0x80000000u; }
  static size_t slot_index(isa::StreamRef s, int64_t wf) {
    return ((size_t(s.west) * isa::kMaxStreams + s.index) << kRingShift) + (uint64_t(wf) & (kRing - 1));
  }
  // The cycle a value in slot wavefront `wf` is at position `start`.
  static Cycle at_of(bool west, int64_t wf, uint16_t start) {
    return Cycle(west ? wf - int64_t(start) : int64_t(start) - wf);
  }
  Segment* data(Slot& sl) { return sl.cap ? overflow_[sl.more].get() : &sl.one; }
  const Segment* data(const Slot& sl) const { return sl.cap ? overflow_[sl.more].get() : &sl.one; }
  static Origin origin_of(const Segment& seg, Cycle at) { return Origin{seg.queue, seg.instr, at - seg.age}; }
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
  // Inline: the common case, a wavefront's first and only value. The rest
  // (a crowded wavefront, a conflict) is out of line, keeping put and get
  // small enough to inline where the engine calls them.
  void insert(Slot& sl, size_t i, const Segment& seg) {
    if (sl.n == 0 && sl.cap == 0) {
      sl.one = seg;
      sl.n = 1;
      return;
    }
    insert_crowded(sl, i, seg);
  }
  void insert_crowded(Slot& sl, size_t i, const Segment& seg);
  void grow_segments(Slot& sl);
  // The slot for a new value, or nullptr with *conflict set; `*index` is where its segment goes.
  inline Slot* claim(isa::StreamRef s, uint16_t pos, Cycle at, Origin* conflict, size_t* index);
  // claim() on a slot that already holds values of this wavefront.
  Slot* claim_crowded(Slot& sl, bool west, uint16_t pos, Cycle at, Origin* conflict, size_t* index);
  // get() on a slot whose segments are in a heap array.
  const Vec* get_crowded(const Slot& sl, bool west, int64_t wf, uint16_t pos, Origin* origin, bool* ref) const;

  static constexpr size_t kSlots = size_t{2} * isa::kMaxStreams * kRing;
  struct Unmap {
    void operator()(Slot* p) const noexcept;
  };
  std::unique_ptr<Slot[], Unmap> slots_;              // mapped zero pages: untouched streams cost no memory
  std::vector<std::unique_ptr<Segment[]>> overflow_;  // the heap arrays of crowded slots
  std::vector<std::unique_ptr<Vec[]>> chunks_;
  uint32_t pool_size_ = 0;  // values allocated so far
  std::vector<uint32_t> free_;
  uint64_t values_put_ = 0;
  uint64_t refs_ = 0;  // live references
};

StreamFabric::Slot* StreamFabric::claim(isa::StreamRef s, uint16_t pos, Cycle at, Origin* conflict, size_t* index) {
  const int64_t wf = wavefront(s.west, pos, at);
  Slot& sl = slots_[slot_index(s, wf)];
  const uint32_t tag = tag_of(wf);
  if (sl.tag != tag) {  // the slot held a wavefront that has left the chip
    if (sl.n == 1 && sl.cap == 0 && sl.one.vec == kRef) {
      --refs_;  // the common case inline: one referenced value (every timing-only READ's)
      sl.n = 0;
    } else if (sl.n) {
      recycle(sl);
    }
    sl.tag = tag;
  }
  if (sl.n) return claim_crowded(sl, s.west, pos, at, conflict, index);
  *index = 0;
  ++values_put_;
  return &sl;
}

bool StreamFabric::put_ref(isa::StreamRef s, uint16_t pos, Cycle at, const Vec* value, Origin origin,
                           Origin* conflict) {
  size_t i;
  Slot* sl = claim(s, pos, at, conflict, &i);
  if (!sl) return false;
  insert(*sl, i, Segment{value, kRef, pos, origin.queue, origin.instr, uint32_t(at - origin.issued)});
  ++refs_;
  return true;
}

Vec* StreamFabric::emplace(isa::StreamRef s, uint16_t pos, Cycle at, Origin origin, Origin* conflict) {
  size_t i;
  Slot* sl = claim(s, pos, at, conflict, &i);
  if (!sl) return nullptr;
  const uint32_t v = allocate();
  Vec* value = &vec(v);
  insert(*sl, i, Segment{value, v, pos, origin.queue, origin.instr, uint32_t(at - origin.issued)});
  return value;
}

const Vec* StreamFabric::get(isa::StreamRef s, uint16_t pos, Cycle t, Origin* origin, bool* ref) const {
  const int64_t wf = wavefront(s.west, pos, t);
  const Slot& sl = slots_[slot_index(s, wf)];
  if (sl.tag != tag_of(wf) || sl.n == 0) return nullptr;
  if (sl.cap) return get_crowded(sl, s.west, wf, pos, origin, ref);
  // One producer: its value covers `pos` unless it was put downstream of it.
  const Segment& seg = sl.one;
  if (s.west ? seg.start < pos : seg.start > pos) return nullptr;
  if (origin) *origin = origin_of(seg, at_of(s.west, wf, seg.start));
  if (ref) *ref = seg.vec == kRef;
  return seg.value;
}

}  // namespace tsp::model
