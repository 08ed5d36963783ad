#pragma once
// Independent references for the numerics tests: they round with the host's
// conversions (_Float16 where the compiler has it, float casts) or with frexp/ldexp/nearbyint, and
// never call the bit-level rounding under test.
#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace numref {

struct Format {
  int frac_bits;  // fraction bits
  int emin;       // exponent of the smallest normal
  int emax;       // exponent of the largest finite
};
inline constexpr Format kF16{10, -14, 15};
inline constexpr Format kBF16{7, -126, 127};
inline constexpr Format kF32{23, -126, 127};

// Value of raw bits by the textbook formula, subnormals flushed, NaN kept.
inline long double value(Format f, uint32_t bits) {
  const int ebits = f.emax == 15 ? 5 : 8;
  const uint32_t frac = bits & ((1u << f.frac_bits) - 1);
  const uint32_t e = (bits >> f.frac_bits) & ((1u << ebits) - 1);
  const bool neg = (bits >> (f.frac_bits + ebits)) & 1u;
  long double v;
  if (e == 0)
    v = 0.0L;
  else if (e == (1u << ebits) - 1)
    v = frac ? NAN : INFINITY;
  else
    v = std::ldexp(1.0L + std::ldexp((long double)frac, -f.frac_bits), int(e) - f.emax);
  return neg ? -v : v;
}

// Round an exact (or long-double-rounded, innocuously) value to the format:
// tiny -> signed zero, RNE via nearbyint, overflow -> inf. Returns the value.
inline long double round_to(Format f, long double x) {
  if (std::isnan(x) || std::isinf(x) || x == 0) return x;
  if (std::fabs(x) < std::ldexp(1.0L, f.emin)) return std::copysign(0.0L, x);
  int e;
  const long double m = std::frexp(x, &e);  // x = m 2^e, 0.5 <= |m| < 1
  const long double r = std::ldexp(std::nearbyint(std::ldexp(m, f.frac_bits + 1)), e - f.frac_bits - 1);
  const long double max = std::ldexp(2.0L - std::ldexp(1.0L, -f.frac_bits), f.emax);
  if (std::fabs(r) > max) return std::copysign((long double)INFINITY, x);
  return r;
}

// Raw bits of a value that is representable in the format (or +-0, +-inf).
inline uint32_t bits_of(Format f, long double v) {
  const int ebits = f.emax == 15 ? 5 : 8;
  const uint32_t sign = std::signbit(v) ? 1u << (f.frac_bits + ebits) : 0u;
  if (v == 0) return sign;
  if (std::isinf(v)) return sign | ((1u << ebits) - 1) << f.frac_bits;
  int e;
  const long double m = std::frexp(std::fabs(v), &e);
  const uint32_t sig = uint32_t(std::ldexp(m, f.frac_bits + 1));  // 1.fff as integer
  return sign | uint32_t(e - 1 + f.emax) << f.frac_bits | (sig & ((1u << f.frac_bits) - 1));
}

// f16 through the compiler's _Float16 (an IEEE RNE implementation we did not
// write) where it exists; clang 14 on x86 lacks it, and there the textbook
// long-double formulas above stand in (still independent of the code under test).
inline bool f16_is_subnormal(uint16_t b) { return (b & 0x7C00) == 0 && (b & 0x3FF) != 0; }
#if defined(__FLT16_MAX__)
inline double f16_value(uint16_t b) { return double(std::bit_cast<_Float16>(b)); }
inline uint16_t f16_round(double x) { return std::bit_cast<uint16_t>(static_cast<_Float16>(x)); }
#else
inline double f16_value(uint16_t b) {
  if (f16_is_subnormal(b)) return ((b & 0x8000) ? -1.0 : 1.0) * std::ldexp(double(b & 0x3FF), -24);
  return double(value(kF16, b));
}
inline uint16_t f16_round(double x) {  // IEEE: subnormal results kept, ties to even
  if (std::isnan(x)) return 0x7E00;
  const uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  if (std::fabs(x) < 0x1p-14) return uint16_t(sign | uint16_t(std::nearbyint(std::ldexp(std::fabs(x), 24))));
  return uint16_t(bits_of(kF16, round_to(kF16, (long double)x)));
}
#endif
// Exact double -> f16 with our FTZ-before-rounding rule applied around the IEEE rounding.
inline uint16_t f16_round_ftz(double exact) {
  if (!std::isnan(exact) && std::fabs(exact) < 0x1p-14) return std::signbit(exact) ? 0x8000 : 0;
  return f16_round(exact);
}

// Size of one unit in the last place of the format at |ref| (normal range).
inline double ulp_at(Format f, double ref) {
  int e;
  std::frexp(std::fabs(ref), &e);
  return std::ldexp(1.0, std::max(e - 1, f.emin) - f.frac_bits);
}

inline bool round_to_nearest_mode() { return std::fegetround() == FE_TONEAREST; }

}  // namespace numref
