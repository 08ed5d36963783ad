#include "systemc/engine/stream_fabric.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <new>
#include <utility>

namespace tsp::model {

StreamFabric::StreamFabric(const isa::Config& cfg) : streams_(cfg.streams_per_direction) {
  // Live wavefronts at any cycle span the values still crossing the chip
  // (positions) plus those produced up to kMaxLatency ahead, from both sides.
  ring_ = std::bit_ceil(2 * cfg.positions + isa::kMaxLatency + 2);
  ring_shift_ = static_cast<uint32_t>(std::countr_zero(ring_));
  slot_count_ = size_t{2} * streams_ * ring_;
  // Zero pages from the kernel: a stream no program uses never takes memory,
  // and building 576 chips writes no megabytes of empty slots.
  void* p = mmap(nullptr, slot_count_ * sizeof(Slot), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  slots_ = static_cast<Slot*>(p);  // zero bytes are empty slots (an implicit-lifetime type)
}

StreamFabric::StreamFabric(StreamFabric&& other) noexcept
    : streams_(other.streams_),
      ring_shift_(other.ring_shift_),
      ring_(other.ring_),
      slots_(std::exchange(other.slots_, nullptr)),
      slot_count_(std::exchange(other.slot_count_, 0)),
      overflow_(std::move(other.overflow_)),
      chunks_(std::move(other.chunks_)),
      pool_size_(std::exchange(other.pool_size_, 0)),
      free_(std::move(other.free_)),
      values_put_(std::exchange(other.values_put_, 0)),
      refs_(std::exchange(other.refs_, 0)) {}

StreamFabric& StreamFabric::operator=(StreamFabric&& other) noexcept {
  if (this == &other) return *this;
  release();
  streams_ = other.streams_;
  ring_shift_ = other.ring_shift_;
  ring_ = other.ring_;
  slots_ = std::exchange(other.slots_, nullptr);
  slot_count_ = std::exchange(other.slot_count_, 0);
  overflow_ = std::move(other.overflow_);
  chunks_ = std::move(other.chunks_);
  pool_size_ = std::exchange(other.pool_size_, 0);
  free_ = std::move(other.free_);
  values_put_ = std::exchange(other.values_put_, 0);
  refs_ = std::exchange(other.refs_, 0);
  return *this;
}

StreamFabric::~StreamFabric() { release(); }

void StreamFabric::release() noexcept {
  if (!slots_) return;
  munmap(slots_, slot_count_ * sizeof(Slot));
  slots_ = nullptr;
}

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
  for (size_t k = 0; k < slot_count_; ++k) {
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
