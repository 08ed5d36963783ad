#include "systemc/engine/stream_fabric.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <new>
#include <stdexcept>
#include <utility>

namespace tsp::model {

StreamFabric::StreamFabric(const isa::Config& cfg) {
  if (cfg.streams_per_direction > isa::kMaxStreams || cfg.positions > isa::kMaxPositions)
    throw std::logic_error("StreamFabric: a configuration beyond isa::kMaxStreams or kMaxPositions");
  // Zero pages from the kernel: a stream no program uses never takes memory,
  // and building 576 chips writes no megabytes of empty slots.
  void* p = mmap(nullptr, kSlots * sizeof(Slot), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  slots_.reset(static_cast<Slot*>(p));  // zero bytes are empty slots (an implicit-lifetime type)
}

void StreamFabric::Unmap::operator()(Slot* p) const noexcept { munmap(p, kSlots * sizeof(Slot)); }

uint32_t StreamFabric::grow() {
  if (pool_size_ % kChunk == 0) chunks_.push_back(std::make_unique<Vec[]>(kChunk));
  return pool_size_++;
}

void StreamFabric::grow_segments(Slot& sl) {
  const uint16_t cap = static_cast<uint16_t>(std::max(4, 2 * sl.cap));
  auto grown = std::make_unique<Segment[]>(cap);
  std::copy_n(data(sl), sl.n, grown.get());  // before `more` overwrites `one`
  if (sl.cap) {
    overflow_[sl.more] = std::move(grown);
  } else {
    sl.more = static_cast<uint32_t>(overflow_.size());
    overflow_.push_back(std::move(grown));
  }
  sl.cap = cap;
}

void StreamFabric::insert_crowded(Slot& sl, size_t i, const Segment& seg) {
  if (sl.n + 1 > sl.cap) grow_segments(sl);
  Segment* const more = overflow_[sl.more].get();
  std::copy_backward(more + i, more + sl.n, more + sl.n + 1);
  more[i] = seg;
  ++sl.n;
}

StreamFabric::Slot* StreamFabric::claim_crowded(Slot& sl, bool west, uint16_t pos, Cycle at, Origin* conflict,
                                                size_t* index) {
  // Keep segments ordered along the flow: ascending start eastward, descending
  // westward. Producers usually arrive in flow order, so try the end first.
  const auto before = [west](const Segment& a, uint16_t p) { return west ? a.start > p : a.start < p; };
  Segment* const first = data(sl);
  Segment* const last = first + sl.n;
  Segment* it = last;
  if (!before(last[-1], pos)) it = std::lower_bound(first, last, pos, before);
  if (it != last && it->start == pos) {
    *conflict = origin_of(*it, at);
    return nullptr;
  }
  *index = size_t(it - first);
  ++values_put_;
  return &sl;
}

const Vec* StreamFabric::get_crowded(const Slot& sl, bool west, int64_t wf, uint16_t pos, Origin* origin,
                                     bool* ref) const {
  // The segment that covers pos is the last one starting at or upstream of it:
  // usually the newest, which a consumer downstream of every producer sees.
  const auto downstream = [west](uint16_t p, const Segment& seg) { return west ? seg.start < p : seg.start > p; };
  // Producers just downstream of the consumer (within a latency of it) may
  // already have put theirs: step back over a few before searching.
  const Segment* const first = data(sl);
  const Segment* hit = first + sl.n - 1;
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
  if (origin) *origin = origin_of(*hit, at_of(west, wf, hit->start));
  if (ref) *ref = hit->vec == kRef;
  return hit->value;
}

void StreamFabric::recycle(Slot& s) {
  const Segment* const seg = data(s);
  for (uint32_t i = 0; i < s.n; ++i)
    if (seg[i].vec == kRef)
      --refs_;
    else
      free_.push_back(seg[i].vec);
  s.n = 0;  // a heap array stays for the next crowded wavefront
}

void StreamFabric::materialize() {
  if (!refs_) return;
  for (size_t k = 0; k < kSlots; ++k) {
    Slot& sl = slots_[k];
    Segment* const seg = data(sl);
    for (uint32_t i = 0; i < sl.n; ++i)
      if (seg[i].vec == kRef) {
        seg[i].vec = allocate();
        Vec& copy = vec(seg[i].vec);
        copy = *seg[i].value;
        seg[i].value = &copy;
        --refs_;
      }
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
