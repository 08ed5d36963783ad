// MXM dot products: integer sums against plain int64 arithmetic, the float
// accumulation order against hand-computed cases where another order would give
// a different answer, and random f16 dots against host float arithmetic.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "common/numerics/mxm.hpp"
#include "tests/unit/numerics_reference.hpp"

using tsp::isa::DType;
using namespace tsp::num;

TEST(NumericsMxm, IntDotIsTheExactSumForAllSignednessPairs) {
  std::mt19937 rng(8);
  std::vector<uint8_t> a(320), w(320);
  for (int trial = 0; trial < 200; ++trial) {
    for (auto& v : a) v = uint8_t(rng());
    for (auto& v : w) v = uint8_t(rng());
    for (bool as : {false, true}) {
      for (bool ws : {false, true}) {
        int64_t sum = 0;
        for (size_t k = 0; k < a.size(); ++k)
          sum += (as ? int64_t(int8_t(a[k])) : int64_t(a[k])) * (ws ? int64_t(int8_t(w[k])) : int64_t(w[k]));
        ASSERT_EQ(dot_int(a, as, w, ws), int32_t(sum));  // 320 products never overflow int32
      }
    }
  }
  const std::vector<uint8_t> m128(320, 0x80);
  EXPECT_EQ(dot_int(m128, true, m128, true), 320 * 16384);           // (-128)^2 * 320
  EXPECT_EQ(accumulate_int(INT32_MAX, 1, AccMode::add), INT32_MIN);  // slots wrap
  EXPECT_EQ(accumulate_int(12345, 7, AccMode::set), 7);
}

TEST(NumericsMxm, FloatAccumulatesInIncreasingKOneRoundingPerStep) {
  // f16 4096 * 4096 = 2^24; adding 1 to 2^24 in f32 ties back to 2^24.
  const std::vector<uint16_t> big_first = {0x6C00, 0x3C00, 0x3C00}, ones = {0x6C00, 0x3C00, 0x3C00};
  EXPECT_EQ(dot_float(big_first, DType::f16, ones, DType::f16), 0x4B800000u);  // ((2^24 + 1) + 1) = 2^24
  const std::vector<uint16_t> big_last = {0x3C00, 0x3C00, 0x6C00};
  EXPECT_EQ(dot_float(big_last, DType::f16, big_last, DType::f16), 0x4B800001u);  // (1 + 1) + 2^24
  // bf16 products leave f32's range: 2^100 * 2^100 = inf, 2^-100 * 2^-100 flushes.
  const std::vector<uint16_t> huge = {0x7180}, tiny = {0x0D80};
  EXPECT_EQ(dot_float(huge, DType::bf16, huge, DType::bf16), 0x7F800000u);
  EXPECT_EQ(dot_float(tiny, DType::bf16, tiny, DType::bf16), 0x00000000u);
  // -0 products still give +0: the accumulator starts at +0.
  const std::vector<uint16_t> neg_zero = {0x8000}, one = {0x3C00};
  EXPECT_EQ(dot_float(neg_zero, DType::f16, one, DType::f16), 0x00000000u);
  // Mixed f16 x bf16: 1.5 (f16 0x3E00) * 2 (bf16 0x4000) = 3.
  EXPECT_EQ(dot_float(std::vector<uint16_t>{0x3E00}, DType::f16, std::vector<uint16_t>{0x4000}, DType::bf16),
            0x40400000u);
  EXPECT_EQ(accumulate_float(0x3F800000u, 0x3F800000u, AccMode::add), 0x40000000u);
  EXPECT_EQ(accumulate_float(0x3F800000u, 0x40400000u, AccMode::set), 0x40400000u);
}

TEST(NumericsMxm, RandomF16DotsMatchHostFloatAccumulation) {
  ASSERT_TRUE(numref::round_to_nearest_mode());
  std::mt19937 rng(0xD07);
  std::vector<uint16_t> a(320), w(320);
  for (int trial = 0; trial < 300; ++trial) {
    for (size_t k = 0; k < a.size(); ++k) {
      // Magnitudes 2^-4 .. 2^4 keep every partial sum normal, where the host
      // float add is the reference.
      a[k] = uint16_t((rng() & 0x83FF) | ((11 + rng() % 8) << 10));
      w[k] = uint16_t((rng() & 0x83FF) | ((11 + rng() % 8) << 10));
    }
    float acc = 0.0f;
    for (size_t k = 0; k < a.size(); ++k)
      acc += float(numref::f16_value(a[k])) * float(numref::f16_value(w[k]));  // product exact in float
    ASSERT_EQ(dot_float(a, DType::f16, w, DType::f16), std::bit_cast<uint32_t>(acc)) << trial;
  }
}
