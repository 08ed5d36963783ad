// CVT / CVTS between the seven element types: exhaustive over every f16 and
// bf16 pattern and every i16, seeded random over f32 and i32; references are
// host conversions (_Float16, float, nearbyint) and hand-written bit patterns.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

#include "common/numerics/convert.hpp"
#include "tests/unit/numerics_reference.hpp"

using tsp::isa::DType;
using tsp::num::convert;
using tsp::num::IntConvert;

namespace {

uint32_t cvt(DType to, DType from, uint32_t bits) { return convert(to, from, bits, IntConvert::wrap); }
uint32_t cvts(DType to, DType from, uint32_t bits) { return convert(to, from, bits, IntConvert::saturate); }

uint32_t f32_bits(float f) { return std::bit_cast<uint32_t>(f); }
float f32_from_bits(uint32_t b) { return std::bit_cast<float>(b); }
bool f32_subnormal(uint32_t b) { return (b & 0x7F800000u) == 0 && (b & 0x7FFFFFu) != 0; }

// Saturating round-half-even to [lo, hi], NaN -> 0, by the host's nearbyint.
int64_t ref_float_to_int(double x, int64_t lo, int64_t hi) {
  if (std::isnan(x)) return 0;
  return int64_t(std::clamp(std::nearbyint(x), double(lo), double(hi)));
}

}  // namespace

TEST(NumericsConvert, EveryF16ToF32AndBack) {
  ASSERT_TRUE(numref::round_to_nearest_mode());
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint32_t wide = cvt(DType::f32, DType::f16, h);
    if ((h & 0x7FFF) > 0x7C00) {
      ASSERT_EQ(wide, 0x7FC00000u);
      ASSERT_EQ(cvt(DType::f16, DType::f32, wide), 0x7E00u);
      continue;
    }
    const uint16_t flushed = numref::f16_is_subnormal(uint16_t(h)) ? uint16_t(h & 0x8000) : uint16_t(h);
    ASSERT_EQ(wide, f32_bits(float(numref::f16_value(flushed)))) << std::hex << h;
    ASSERT_EQ(cvt(DType::f16, DType::f32, wide), flushed) << std::hex << h;
  }
}

TEST(NumericsConvert, EveryBf16ToF32IsTheHighHalf) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const bool nan = (b & 0x7FFF) > 0x7F80, subnormal = (b & 0x7F80) == 0 && (b & 0x7F) != 0;
    const uint32_t expect = nan ? 0x7FC00000u : subnormal ? (b & 0x8000) << 16 : b << 16;
    ASSERT_EQ(cvt(DType::f32, DType::bf16, b), expect) << std::hex << b;
    ASSERT_EQ(cvt(DType::bf16, DType::f32, expect), nan ? 0x7FC0u : expect >> 16);
  }
}

TEST(NumericsConvert, RandomF32ToF16AndBf16) {
  std::mt19937 rng(0xC0F);
  for (int i = 0; i < 400000; ++i) {
    uint32_t x = rng();
    if (i % 2) x = (x & 0x8FFFFFFFu) | 0x30000000u;  // exponents near f16's range
    const float f = f32_from_bits(x);
    if (std::isnan(f)) {
      ASSERT_EQ(cvt(DType::f16, DType::f32, x), 0x7E00u);
      continue;
    }
    const double exact = f32_subnormal(x) ? std::copysign(0.0, f) : double(f);
    ASSERT_EQ(cvt(DType::f16, DType::f32, x), numref::f16_round_ftz(exact)) << std::hex << x;
    ASSERT_EQ(cvt(DType::bf16, DType::f32, x), numref::bits_of(numref::kBF16, numref::round_to(numref::kBF16, exact)))
        << std::hex << x;
  }
  EXPECT_EQ(cvt(DType::bf16, DType::f32, 0x3F808000u), 0x3F80u);  // tie -> even (down)
  EXPECT_EQ(cvt(DType::bf16, DType::f32, 0x3F818000u), 0x3F82u);  // tie -> even (up)
  EXPECT_EQ(cvt(DType::bf16, DType::f32, 0x7F7FFFFFu), 0x7F80u);  // rounds past max -> inf
  EXPECT_EQ(cvt(DType::f16, DType::f32, 0x477FF000u), 0x7C00u);   // 65520 -> inf
  EXPECT_EQ(cvt(DType::f16, DType::f32, 0x477FEFFFu), 0x7BFFu);   // just below -> 65504
  EXPECT_EQ(cvt(DType::f16, DType::f32, 0x38800000u), 0x0400u);   // 2^-14: smallest normal
  EXPECT_EQ(cvt(DType::f16, DType::f32, 0xB87FFFFFu), 0x8000u);   // just below it: -0
}

TEST(NumericsConvert, F16AndBf16BetweenEachOther) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7FFF) > 0x7C00) {
      ASSERT_EQ(cvt(DType::bf16, DType::f16, h), 0x7FC0u);
      continue;
    }
    const uint16_t flushed = numref::f16_is_subnormal(uint16_t(h)) ? uint16_t(h & 0x8000) : uint16_t(h);
    const double x = numref::f16_value(flushed);
    ASSERT_EQ(cvt(DType::bf16, DType::f16, h), numref::bits_of(numref::kBF16, numref::round_to(numref::kBF16, x)));
  }
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const long double x = numref::value(numref::kBF16, b);
    const uint32_t expect = std::isnan(x) ? 0x7E00u : numref::f16_round_ftz(double(x));
    ASSERT_EQ(cvt(DType::f16, DType::bf16, b), expect) << std::hex << b;
  }
}

TEST(NumericsConvert, IntegersToFloatsRoundToNearestEven) {
  for (int32_t i = -32768; i < 32768; ++i) {
    const uint32_t raw = uint32_t(i) & 0xFFFF;
    ASSERT_EQ(cvt(DType::f16, DType::i16, raw), numref::f16_round(double(i))) << i;
    ASSERT_EQ(cvt(DType::f32, DType::i16, raw), f32_bits(float(i)));
  }
  std::mt19937 rng(0x132);
  for (int k = 0; k < 300000; ++k) {
    const int32_t i = int32_t(rng()) >> (rng() % 32);
    ASSERT_EQ(cvt(DType::f32, DType::i32, uint32_t(i)), f32_bits(float(i))) << i;
    ASSERT_EQ(cvt(DType::f16, DType::i32, uint32_t(i)), numref::f16_round(double(i))) << i;
  }
  EXPECT_EQ(cvt(DType::f32, DType::i32, 0x7FFFFFFFu), 0x4F000000u);  // 2^31 after rounding
  EXPECT_EQ(cvt(DType::f32, DType::i32, 16777217u), 0x4B800000u);    // 2^24 + 1 ties to 2^24
  EXPECT_EQ(cvt(DType::f16, DType::i32, 65520u), 0x7C00u);           // -> inf
  EXPECT_EQ(cvt(DType::bf16, DType::i16, 257), 0x4380u);             // 257: tie -> 256 in bf16
  EXPECT_EQ(cvt(DType::bf16, DType::u8, 0xFF), 0x437Fu);             // 255 is exact
  EXPECT_EQ(cvt(DType::f32, DType::u8, 0xFF), 0x437F0000u);
  EXPECT_EQ(cvt(DType::f32, DType::i8, 0xFF), 0xBF800000u);  // -1
}

TEST(NumericsConvert, FloatsToIntegersRoundHalfEvenAndSaturate) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint16_t flushed = numref::f16_is_subnormal(uint16_t(h)) ? uint16_t(h & 0x8000) : uint16_t(h);
    const double x = numref::f16_value(flushed);
    for (DType to : {DType::i8, DType::u8, DType::i16, DType::i32}) {
      const auto& d = tsp::isa::kDTypes[unsigned(to)];
      const int bits = 8 * d.bytes;
      const int64_t lo = d.is_signed ? -(int64_t{1} << (bits - 1)) : 0;
      const int64_t hi = d.is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
      const uint32_t expect = uint32_t(ref_float_to_int(x, lo, hi)) & (bits == 32 ? ~0u : (1u << bits) - 1);
      ASSERT_EQ(cvt(to, DType::f16, h), expect) << std::hex << h;
      ASSERT_EQ(cvts(to, DType::f16, h), expect) << std::hex << h;
    }
  }
  EXPECT_EQ(cvt(DType::i8, DType::f32, 0x40200000u), 2u);            // 2.5 -> 2
  EXPECT_EQ(cvt(DType::i8, DType::f32, 0x40600000u), 4u);            // 3.5 -> 4
  EXPECT_EQ(cvt(DType::i8, DType::f32, 0xC0200000u), 0xFEu);         // -2.5 -> -2
  EXPECT_EQ(cvt(DType::i8, DType::f32, 0x3F000000u), 0u);            // 0.5 -> 0
  EXPECT_EQ(cvt(DType::i8, DType::f32, 0x43960000u), 0x7Fu);         // 300 -> 127
  EXPECT_EQ(cvt(DType::i8, DType::f32, 0xC3960000u), 0x80u);         // -300 -> -128
  EXPECT_EQ(cvt(DType::u8, DType::f32, 0xBF800000u), 0u);            // -1 -> 0
  EXPECT_EQ(cvt(DType::i32, DType::f32, 0x4F000000u), 0x7FFFFFFFu);  // 2^31 saturates
  EXPECT_EQ(cvt(DType::i32, DType::f32, 0xCF000000u), 0x80000000u);  // -2^31 fits
  EXPECT_EQ(cvt(DType::i32, DType::f32, 0x7FC00000u), 0u);           // NaN -> 0
  EXPECT_EQ(cvt(DType::i32, DType::f32, 0xFF800000u), 0x80000000u);  // -inf -> min
  EXPECT_EQ(cvt(DType::i16, DType::bf16, 0x7F80u), 0x7FFFu);         // +inf -> max
}

TEST(NumericsConvert, IntegersWrapOrSaturate) {
  for (int32_t i = -32768; i < 32768; ++i) {
    const uint32_t raw = uint32_t(i) & 0xFFFF;
    ASSERT_EQ(cvt(DType::i8, DType::i16, raw), uint32_t(uint8_t(i)));
    ASSERT_EQ(cvts(DType::i8, DType::i16, raw), uint32_t(uint8_t(std::clamp(i, -128, 127))));
    ASSERT_EQ(cvt(DType::u8, DType::i16, raw), uint32_t(uint8_t(i)));
    ASSERT_EQ(cvts(DType::u8, DType::i16, raw), uint32_t(std::clamp(i, 0, 255)));
    ASSERT_EQ(cvt(DType::i32, DType::i16, raw), uint32_t(i));
  }
  EXPECT_EQ(cvt(DType::i16, DType::u8, 0xFF), 0x00FFu);  // u8 zero-extends
  EXPECT_EQ(cvt(DType::i16, DType::i8, 0xFF), 0xFFFFu);  // i8 sign-extends
  EXPECT_EQ(cvt(DType::u8, DType::i8, 0x80), 0x80u);     // -128 wraps to 128
  EXPECT_EQ(cvts(DType::u8, DType::i8, 0x80), 0x00u);
  EXPECT_EQ(cvts(DType::i8, DType::u8, 0xFF), 0x7Fu);
  EXPECT_EQ(cvts(DType::i16, DType::i32, 0x00010000u), 0x7FFFu);
  EXPECT_EQ(cvt(DType::i16, DType::i32, 0x00012345u), 0x2345u);
}
