// Integer lane ops against plain C++ arithmetic on the declared types
// (exhaustive over i8 x i8 and u8 x u8, seeded random for i16 and i32) and
// against hand-written bit patterns for the wrap and saturation corners.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>

#include "common/numerics/vxm.hpp"

using tsp::isa::DType;
using tsp::isa::Op;
using tsp::num::apply;
using tsp::num::VxmOp;

namespace {

uint32_t run(Op op, DType t, uint32_t a, uint32_t b = 0, uint8_t shamt = 0) {
  return apply(VxmOp{op, t, t, shamt}, a, b);
}

// Reference for one type: every result computed in int64 from the C++ value.
template <typename T>
void check_pair(DType t, T x, T y) {
  using L = std::numeric_limits<T>;
  const int64_t a = x, b = y;
  const uint32_t ua = uint32_t(std::make_unsigned_t<T>(x)), ub = uint32_t(std::make_unsigned_t<T>(y));
  const auto bits = [](int64_t v) { return uint32_t(std::make_unsigned_t<T>(T(v))); };  // wraps (C++20)
  const auto sat = [&](int64_t v) { return bits(std::clamp<int64_t>(v, L::min(), L::max())); };
  const uint32_t ones = uint32_t(std::make_unsigned_t<T>(~std::make_unsigned_t<T>(0)));
  ASSERT_EQ(run(Op::ADD, t, ua, ub), bits(a + b)) << a << " " << b;
  ASSERT_EQ(run(Op::SUB, t, ua, ub), bits(a - b)) << a << " " << b;
  ASSERT_EQ(run(Op::MUL, t, ua, ub), bits(a * b)) << a << " " << b;
  ASSERT_EQ(run(Op::ADDS, t, ua, ub), sat(a + b)) << a << " " << b;
  ASSERT_EQ(run(Op::SUBS, t, ua, ub), sat(a - b)) << a << " " << b;
  ASSERT_EQ(run(Op::MULS, t, ua, ub), sat(a * b)) << a << " " << b;
  ASSERT_EQ(run(Op::MIN, t, ua, ub), bits(std::min(a, b)));
  ASSERT_EQ(run(Op::MAX, t, ua, ub), bits(std::max(a, b)));
  ASSERT_EQ(run(Op::CMPEQ, t, ua, ub), a == b ? ones : 0u);
  ASSERT_EQ(run(Op::CMPLT, t, ua, ub), a < b ? ones : 0u);
  ASSERT_EQ(run(Op::CMPLE, t, ua, ub), a <= b ? ones : 0u);
  ASSERT_EQ(run(Op::AND, t, ua, ub), ua & ub);
  ASSERT_EQ(run(Op::OR, t, ua, ub), ua | ub);
  ASSERT_EQ(run(Op::XOR, t, ua, ub), ua ^ ub);
  ASSERT_EQ(run(Op::NOT, t, ua), bits(~a));
  const unsigned width = 8 * sizeof(T), s = ub % width;
  ASSERT_EQ(run(Op::SHL, t, ua, ub), bits(int64_t(uint64_t(ua) << s)));
  ASSERT_EQ(run(Op::SHR, t, ua, ub), ua >> s);
  if constexpr (L::is_signed) {
    ASSERT_EQ(run(Op::SRA, t, ua, ub), bits(a >> s));
    ASSERT_EQ(run(Op::ABS, t, ua), bits(a < 0 ? -a : a));
    ASSERT_EQ(run(Op::NEG, t, ua), bits(-a));
    ASSERT_EQ(run(Op::RELU, t, ua), bits(std::max<int64_t>(a, 0)));
  }
}

}  // namespace

TEST(NumericsInt, AllI8Pairs) {
  for (int x = -128; x < 128; ++x)
    for (int y = -128; y < 128; ++y) check_pair<int8_t>(DType::i8, int8_t(x), int8_t(y));
}

TEST(NumericsInt, AllU8Pairs) {
  for (int x = 0; x < 256; ++x)
    for (int y = 0; y < 256; ++y) check_pair<uint8_t>(DType::u8, uint8_t(x), uint8_t(y));
}

TEST(NumericsInt, RandomI16AndI32Pairs) {
  std::mt19937_64 rng(0x16'32);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t r = rng();
    check_pair<int16_t>(DType::i16, int16_t(r), int16_t(r >> 16));
    check_pair<int32_t>(DType::i32, int32_t(r), int32_t(r >> 32));
  }
  // The extremes, where wrap and saturation differ.
  const int32_t e32[] = {INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX};
  for (int32_t x : e32)
    for (int32_t y : e32) check_pair<int32_t>(DType::i32, x, y);
}

TEST(NumericsInt, WrapAndSaturationCorners) {
  EXPECT_EQ(run(Op::ABS, DType::i8, 0x80), 0x80u);  // abs(-128) wraps to -128
  EXPECT_EQ(run(Op::NEG, DType::i8, 0x80), 0x80u);
  EXPECT_EQ(run(Op::ABS, DType::i32, 0x80000000u), 0x80000000u);
  EXPECT_EQ(run(Op::ADD, DType::i8, 0x7F, 0x01), 0x80u);   // 127 + 1 wraps
  EXPECT_EQ(run(Op::ADDS, DType::i8, 0x7F, 0x01), 0x7Fu);  // saturates at 127
  EXPECT_EQ(run(Op::SUBS, DType::u8, 0x00, 0x01), 0x00u);  // u8 floors at 0
  EXPECT_EQ(run(Op::ADDS, DType::u8, 0xFF, 0x01), 0xFFu);
  EXPECT_EQ(run(Op::MULS, DType::i16, 0x8000, 0xFFFF), 0x7FFFu);  // -32768 * -1
  EXPECT_EQ(run(Op::MUL, DType::i16, 0x8000, 0xFFFF), 0x8000u);
  EXPECT_EQ(run(Op::MUL, DType::i32, 0x10000, 0x10000), 0u);  // low half of 2^32
  EXPECT_EQ(run(Op::MULS, DType::i32, 0x10000, 0x10000), 0x7FFFFFFFu);
  EXPECT_EQ(run(Op::CMPLT, DType::u8, 0x80, 0x7F), 0u);     // 128 > 127 unsigned
  EXPECT_EQ(run(Op::CMPLT, DType::i8, 0x80, 0x7F), 0xFFu);  // -128 < 127 signed
}

TEST(NumericsInt, ImmediateShiftsShiftEverythingOutAtOrBeyondTheWidth) {
  EXPECT_EQ(run(Op::SHLI, DType::i8, 0x81, 0, 1), 0x02u);
  EXPECT_EQ(run(Op::SHLI, DType::i8, 0xFF, 0, 8), 0x00u);
  EXPECT_EQ(run(Op::SHRI, DType::u8, 0xFF, 0, 9), 0x00u);
  EXPECT_EQ(run(Op::SRAI, DType::i8, 0x80, 0, 31), 0xFFu);
  EXPECT_EQ(run(Op::SRAI, DType::i16, 0x4000, 0, 20), 0x0000u);
  EXPECT_EQ(run(Op::SRAI, DType::i32, 0x80000000u, 0, 31), 0xFFFFFFFFu);
  EXPECT_EQ(run(Op::SHRI, DType::i32, 0x80000000u, 0, 31), 0x1u);
  // Register shifts take b mod width: 9 mod 8 = 1.
  EXPECT_EQ(run(Op::SHL, DType::i8, 0x01, 9), 0x02u);
}

TEST(NumericsInt, TypeWidthComesFromTheIsaTable) {
  // High operand bits beyond the lane are ignored; results never exceed it.
  EXPECT_EQ(run(Op::ADD, DType::i8, 0xABCD'FF01u, 0x1234'0001u), 0x02u);
  EXPECT_EQ(run(Op::NOT, DType::i16, 0), 0xFFFFu);
  EXPECT_EQ(run(Op::CMPEQ, DType::i32, 5, 5), 0xFFFFFFFFu);
}
