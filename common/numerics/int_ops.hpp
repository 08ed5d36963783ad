#pragma once
// Element-wise integer operations on raw lane bits for i8, u8, i16, i32
// (docs/numerics.md §4). Values are widened to int64 (exact for every op here,
// including i32 x i32), then wrapped to the type's width or saturated to its range.
#include <algorithm>
#include <cstdint>

namespace tsp::num {

struct IntType {
  int bits;  // 8, 16 or 32
  bool is_signed;

  constexpr uint32_t mask() const { return bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1; }
  constexpr int64_t min() const { return is_signed ? -(int64_t{1} << (bits - 1)) : 0; }
  constexpr int64_t max() const { return is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1; }
  // The lane bits (low `bits` of raw) as a number.
  constexpr int64_t value(uint32_t raw) const {
    const uint32_t v = raw & mask();
    if (is_signed && (v >> (bits - 1)) != 0) return int64_t(v) - (int64_t{1} << bits);
    return int64_t(v);
  }
  constexpr uint32_t wrap(int64_t v) const { return uint32_t(uint64_t(v)) & mask(); }
  constexpr uint32_t saturate(int64_t v) const { return wrap(std::clamp(v, min(), max())); }
};

inline constexpr uint32_t kMaskTrue = 0xFFFFFFFFu;  // narrowed to the lane width by the caller

constexpr uint32_t iadd(IntType t, uint32_t a, uint32_t b) { return t.wrap(t.value(a) + t.value(b)); }
constexpr uint32_t isub(IntType t, uint32_t a, uint32_t b) { return t.wrap(t.value(a) - t.value(b)); }
constexpr uint32_t imul(IntType t, uint32_t a, uint32_t b) { return t.wrap(t.value(a) * t.value(b)); }
constexpr uint32_t iadds(IntType t, uint32_t a, uint32_t b) { return t.saturate(t.value(a) + t.value(b)); }
constexpr uint32_t isubs(IntType t, uint32_t a, uint32_t b) { return t.saturate(t.value(a) - t.value(b)); }
constexpr uint32_t imuls(IntType t, uint32_t a, uint32_t b) { return t.saturate(t.value(a) * t.value(b)); }
constexpr uint32_t imin(IntType t, uint32_t a, uint32_t b) { return t.wrap(std::min(t.value(a), t.value(b))); }
constexpr uint32_t imax(IntType t, uint32_t a, uint32_t b) { return t.wrap(std::max(t.value(a), t.value(b))); }
// abs and neg wrap: the most negative value maps to itself.
constexpr uint32_t iabs(IntType t, uint32_t a) {
  const int64_t v = t.value(a);
  return t.wrap(v < 0 ? -v : v);
}
constexpr uint32_t ineg(IntType t, uint32_t a) { return t.wrap(-t.value(a)); }
constexpr uint32_t irelu(IntType t, uint32_t a) { return t.wrap(std::max<int64_t>(t.value(a), 0)); }
constexpr bool icmp_eq(IntType t, uint32_t a, uint32_t b) { return t.value(a) == t.value(b); }
constexpr bool icmp_lt(IntType t, uint32_t a, uint32_t b) { return t.value(a) < t.value(b); }
constexpr bool icmp_le(IntType t, uint32_t a, uint32_t b) { return t.value(a) <= t.value(b); }

// Shifts by an amount 0..63; amounts >= width shift every bit out (SHL, SHR give
// 0, SRA gives the sign fill). The register forms pass b mod width.
constexpr uint32_t ishl(IntType t, uint32_t a, unsigned amount) {
  return t.wrap(int64_t((uint64_t(a & t.mask()) << amount) & 0xFFFFFFFFull));
}
constexpr uint32_t ishr(IntType t, uint32_t a, unsigned amount) {
  return t.wrap(int64_t(uint64_t(a & t.mask()) >> amount));
}
constexpr uint32_t isra(IntType t, uint32_t a, unsigned amount) { return t.wrap(t.value(a) >> amount); }
constexpr unsigned shift_amount_mod_width(IntType t, uint32_t b) { return b & unsigned(t.bits - 1); }

}  // namespace tsp::num
