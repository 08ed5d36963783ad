#pragma once
// One MEM slice: mem_addresses vectors, mem_banks banks, SECDED per 16-byte
// superlane word. Pages are allocated on first write (unwritten SRAM reads as
// zero), so hundreds of tsp1 chips fit in memory when programs use a fraction
// of their 220 MiB.
//
// Check bits are a pure function of the data written, so they are stored only
// for words hit by an injected fault: a clean read needs no decoding, a faulty
// one runs the real SECDED decoder. Same results, no cost on the common path.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "systemc/engine/types.hpp"
#include "systemc/mem/secded.hpp"

namespace tsp::model {

class alignas(64) MemSlice {
 public:
  explicit MemSlice(const isa::Config& cfg);

  struct ReadResult {
    uint32_t corrected = 0;            // single-bit errors corrected in this vector
    int uncorrectable_superlane = -1;  // first superlane with a double error, -1 when none
  };
  // Reads and writes carry no bank or port rules: the engine enforces those.
  ReadResult read(uint32_t address, Vec& out) const {
    flush();
    if (!faults_.empty()) return read_checked(address, out);
    if (const uint8_t* v = find(address))
      copy_vector(out.bytes.data(), v);
    else
      std::memset(out.bytes.data(), 0, lanes_);
    return {};
  }
  void write(uint32_t address, const Vec& value) {  // fresh data: fresh check bits
    flush();
    copy_vector(touch(address), value.bytes.data());
    if (!faults_.empty()) forget_faults(address);
  }
  // The same for a vector whose bytes at `from` stay unchanged until flush()
  // (a READ's by-reference value: SRAM nobody writes while the engine runs):
  // the copy waits, so that a REPEAT's consecutive writes are done as one
  // block, up to four pages at a time, instead of one vector per simulated cycle
  // between every other slice's accesses (which defeated the host's caches
  // and prefetchers). Every accessor of this slice flushes first, so nobody
  // sees the difference; the owner flushes before `from` may change.
  void write_later(uint32_t address, const uint8_t* from) {
    if (pending_n_ && address == pending_at_ + pending_n_ && pending_n_ < kPendingVectors) {
      pending_from_[pending_n_++] = from;
    } else {
      flush();
      pending_at_ = address;
      pending_from_[0] = from;
      pending_n_ = 1;
    }
    if (!faults_.empty()) forget_faults(address);
  }
  // A timing-only WRITE (ChipEngine::set_timing_only): no data, but the
  // faults of the words it overwrites are gone, as after write().
  void discard_write(uint32_t address) {
    if (!faults_.empty()) forget_faults(address);
  }
  void flush() const {
    if (pending_n_) flush_pending();
  }
  // Where the vector at `address` is stored, readable as a whole Vec (pages
  // are padded to make that true for chips narrower than kMaxLanes), for a
  // reader that copies it later; valid until the slice is written. Only for
  // slices without faults (has_faults()): the bytes are not decoded.
  const Vec* stored(uint32_t address) const {
    flush();
    const uint8_t* v = find(address);
    return v ? reinterpret_cast<const Vec*>(v) : &kZero;
  }
  // Asks the host's caches for the vector at `address` ahead of its use (no
  // effect on the model: a hint for REPEATs walking through SRAM). Always
  // inline: GCC splits it out of line, finds the part pure (a prefetch has no
  // side effects to it) and deletes the call, and the hint with it.
  [[gnu::always_inline]] void prefetch(uint32_t address, bool for_write) const {
    if (address >= limit_) return;
    const uint8_t* v = find(address);
    if (!v) return;
    for (uint32_t off = 0; off < lanes_; off += 64)
      if (for_write)
        __builtin_prefetch(v + off, 1);
      else
        __builtin_prefetch(v + off, 0);
  }
  // One 16-byte superlane word (GATHER/SCATTER). read_word returns the SECDED status.
  secded::Status read_word(uint32_t address, uint32_t superlane, uint8_t* out) const;
  void write_word(uint32_t address, uint32_t superlane, const uint8_t* in);

  // Flips codeword bit `bit` (secded bit numbering) of one superlane word.
  void flip(uint32_t address, uint32_t superlane, uint32_t bit);
  bool has_faults() const { return !faults_.empty(); }

  // Direct access for the host interface's DMI: the page holding `address`
  // (allocated if needed), kPageVectors * lanes bytes, vectors back to back.
  static constexpr uint32_t kPageVectors = 64;
  uint8_t* page(uint32_t address);

 private:
  struct Fault {
    secded::Word data;  // the word as stored, flips applied
    uint16_t check;     // its check bits, flips applied
  };
  // A full-width chip's vector has a size known at compile time: copied inline.
  void copy_vector(uint8_t* to, const uint8_t* from) const {
    if (lanes_ == isa::kMaxLanes) {
      // In 64-byte pieces: a single fixed-size memcpy of a whole vector
      // compiles to `rep movsq`, whose start-up cost dominated MEM-bound runs.
      static_assert(isa::kMaxLanes % 64 == 0);
      for (uint32_t off = 0; off < isa::kMaxLanes; off += 64) std::memcpy(to + off, from + off, 64);
    } else
      std::memcpy(to, from, lanes_);
  }
  // nullptr: never written, reads as zero
  const uint8_t* find(uint32_t address) const {
    const auto& p = pages_[address / kPageVectors];
    return p ? &p[size_t(address % kPageVectors) * lanes_] : nullptr;
  }
  uint8_t* touch(uint32_t address) {
    const auto& p = pages_[address / kPageVectors];
    return (p ? p.get() : page(address)) + size_t(address % kPageVectors) * lanes_;
  }
  ReadResult read_checked(uint32_t address, Vec& out) const;  // through the SECDED decoder where faults are
  void forget_faults(uint32_t address);                       // a write replaces faulty words
  void flush_pending() const;

  static const Vec kZero;  // what a never-written vector reads as
  // What every access looks at shares the first cache line (a hundred slices
  // are accessed per simulated cycle): pending_n_, lanes_, pages_, faults_'s size.
  // write_later's copies not yet done: vectors pending_at_ + i from pending_from_[i]. Four pages:
  // longer runs between flushes measured faster on the MEM-bound bench (8 or 16 vectors: far slower).
  // Mutable: a reader (const) does them before it looks.
  mutable uint32_t pending_n_ = 0;
  uint32_t lanes_;
  std::unique_ptr<std::unique_ptr<uint8_t[]>[]> pages_;  // (limit_ + kPageVectors - 1) / kPageVectors
  std::unordered_map<uint64_t, Fault> faults_;           // key: address * superlanes + superlane
  uint32_t limit_;                                       // addresses
  uint32_t superlanes_;
  mutable uint32_t pending_at_ = 0;
  static constexpr uint32_t kPendingVectors = 4 * kPageVectors;
  mutable std::array<const uint8_t*, kPendingVectors> pending_from_{};
};

}  // namespace tsp::model
