#pragma once
// The three float formats as raw bits, and the two conversions every float op
// is built from: bits -> double (flushing subnormal inputs) and double -> bits
// (round to nearest even, flush tiny results, overflow to infinity, canonical
// NaN). docs/numerics.md §2 is the normative text; this is its reference.
#include <bit>
#include <cstdint>
#include <limits>

namespace tsp::num {

// 1 sign bit, `exp_bits` exponent bits, `frac_bits` fraction bits, IEEE layout.
struct FloatFormat {
  int exp_bits;
  int frac_bits;
  uint32_t canonical_nan;  // the only NaN any operation produces

  constexpr int bias() const { return (1 << (exp_bits - 1)) - 1; }
  constexpr uint32_t exp_all_ones() const { return (1u << exp_bits) - 1; }
  constexpr uint32_t sign_bit() const { return 1u << (exp_bits + frac_bits); }
  constexpr uint32_t magnitude_mask() const { return sign_bit() - 1; }
  constexpr uint32_t frac_mask() const { return (1u << frac_bits) - 1; }
  constexpr uint32_t inf() const { return exp_all_ones() << frac_bits; }
  constexpr uint32_t one() const { return uint32_t(bias()) << frac_bits; }
  constexpr bool operator==(const FloatFormat&) const = default;
};

inline constexpr FloatFormat kF16{5, 10, 0x7E00};
inline constexpr FloatFormat kBF16{8, 7, 0x7FC0};
inline constexpr FloatFormat kF32{8, 23, 0x7FC00000};

template <FloatFormat F>
constexpr bool is_nan(uint32_t x) {
  return (x & F.magnitude_mask()) > F.inf();
}

// Input flush: a subnormal becomes the zero of its sign; everything else stays.
template <FloatFormat F>
constexpr uint32_t flush_subnormal(uint32_t x) {
  return (x & F.inf()) == 0 ? (x & F.sign_bit()) : x;
}

// Exact value of x as a double (every value of the three formats is exact in
// double). Subnormals read as signed zero; any NaN reads as a double NaN.
template <FloatFormat F>
constexpr double to_double(uint32_t x) {
  const uint64_t sign = uint64_t((x >> (F.exp_bits + F.frac_bits)) & 1u) << 63;
  const uint32_t e = (x >> F.frac_bits) & F.exp_all_ones();
  const uint64_t frac = x & F.frac_mask();
  if (e == 0) return std::bit_cast<double>(sign);
  if (e == F.exp_all_ones()) {
    if (frac != 0) return std::numeric_limits<double>::quiet_NaN();
    return std::bit_cast<double>(sign | (uint64_t{0x7FF} << 52));
  }
  const uint64_t dexp = uint64_t(int(e) - F.bias() + 1023);
  return std::bit_cast<double>(sign | dexp << 52 | frac << (52 - F.frac_bits));
}

// Rounds a double to the format. Tininess is decided on the value before
// rounding: |d| < smallest normal gives the zero of d's sign. Otherwise the
// significand is rounded to nearest, ties to even; a result beyond the largest
// finite value is infinity of d's sign. Any NaN gives the canonical NaN.
template <FloatFormat F>
constexpr uint32_t from_double(double d) {
  const uint64_t b = std::bit_cast<uint64_t>(d);
  const uint32_t sign = (b >> 63) ? F.sign_bit() : 0u;
  const int dexp = int((b >> 52) & 0x7FF);
  const uint64_t dfrac = b & ((uint64_t{1} << 52) - 1);
  if (dexp == 0x7FF) return dfrac != 0 ? F.canonical_nan : (sign | F.inf());
  int e = dexp - 1023;  // unbiased; double zero/subnormal land far below
  if (e < 1 - F.bias()) return sign;
  constexpr int drop = 52 - F.frac_bits;
  uint64_t kept = dfrac >> drop;
  const uint64_t rest = dfrac & ((uint64_t{1} << drop) - 1);
  const uint64_t half = uint64_t{1} << (drop - 1);
  if (rest > half || (rest == half && (kept & 1u))) ++kept;
  if (kept >> F.frac_bits) {  // the significand rounded up to 2.0
    kept = 0;
    ++e;
  }
  if (e > F.bias()) return sign | F.inf();
  return sign | uint32_t(e + F.bias()) << F.frac_bits | uint32_t(kept);
}

}  // namespace tsp::num
