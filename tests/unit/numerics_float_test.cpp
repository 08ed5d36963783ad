// Float lane ops: f16 against GCC's _Float16 rounding, bf16 and f32 against a
// long double + nearbyint reference, and the NaN / zero / flush / tie corners
// against hand-written bit patterns.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "common/numerics/vxm.hpp"
#include "tests/unit/numerics_reference.hpp"

using tsp::isa::DType;
using tsp::isa::Op;
using tsp::num::apply;
using tsp::num::VxmOp;

namespace {

uint32_t run(Op op, DType t, uint32_t a, uint32_t b = 0) { return apply(VxmOp{op, t, t, 0}, a, b); }

// f16 values that exercise every special case, plus random ones.
std::vector<uint16_t> f16_operands() {
  std::vector<uint16_t> v = {0x0000, 0x8000, 0x0001, 0x83FF, 0x0400, 0x8400, 0x3C00, 0xBC00, 0x3C01, 0x3BFF,
                             0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFFFF, 0x1000, 0x5BFF};
  std::mt19937 rng(16);
  for (int i = 0; i < 1500; ++i) v.push_back(uint16_t(rng()));
  return v;
}

bool f16_nan(uint16_t b) { return (b & 0x7FFF) > 0x7C00; }
double f16_exact(uint16_t b) {  // subnormal inputs flushed, by the spec
  if (numref::f16_is_subnormal(b)) return (b & 0x8000) ? -0.0 : 0.0;
  return numref::f16_value(b);
}

}  // namespace

TEST(NumericsFloat, HostRoundsToNearest) { ASSERT_TRUE(numref::round_to_nearest_mode()); }

TEST(NumericsFloat, F16ArithmeticMatchesFloat16WithFlushToZero) {
  const auto ops = f16_operands();
  for (uint16_t a : ops) {
    for (uint16_t b : ops) {
      const double x = f16_exact(a), y = f16_exact(b);
      const bool nan_in = f16_nan(a) || f16_nan(b);
      const auto expect = [&](double exact) -> uint32_t {
        return nan_in || std::isnan(exact) ? 0x7E00u : numref::f16_round_ftz(exact);
      };
      // Sums and products of two f16 values are exact in double.
      ASSERT_EQ(run(Op::ADD, DType::f16, a, b), expect(x + y)) << std::hex << a << " " << b;
      ASSERT_EQ(run(Op::SUB, DType::f16, a, b), expect(x - y)) << std::hex << a << " " << b;
      ASSERT_EQ(run(Op::MUL, DType::f16, a, b), expect(x * y)) << std::hex << a << " " << b;
      ASSERT_EQ(run(Op::CMPEQ, DType::f16, a, b), x == y ? 0xFFFFu : 0u);
      ASSERT_EQ(run(Op::CMPLT, DType::f16, a, b), x < y ? 0xFFFFu : 0u);
      ASSERT_EQ(run(Op::CMPLE, DType::f16, a, b), x <= y ? 0xFFFFu : 0u);
    }
  }
}

// bf16 and f32: long double (64-bit significand) is enough for innocuous
// double rounding of sums (64 >= 2p + 2) and holds products exactly.
template <int kBits>
void check_wide_format(numref::Format f, DType t, uint32_t seed) {
  std::mt19937_64 rng(seed);
  const uint32_t mask = kBits == 16 ? 0xFFFFu : 0xFFFFFFFFu;
  for (int i = 0; i < 300000; ++i) {
    uint32_t a = uint32_t(rng()) & mask, b = uint32_t(rng()) & mask;
    if (i % 4 == 0) b = (a ^ uint32_t(rng() & 0xFF)) & mask;                                       // near-cancellation
    if (i % 4 == 1) b = (b & ~(0xFFu << (f.frac_bits - 1))) | (a & (0xFFu << (f.frac_bits - 1)));  // near exponent
    const long double x = numref::value(f, a), y = numref::value(f, b);
    const auto expect = [&](long double exact) {
      return std::isnan(exact) ? (kBits == 16 ? 0x7FC0u : 0x7FC00000u) : numref::bits_of(f, numref::round_to(f, exact));
    };
    ASSERT_EQ(run(Op::ADD, t, a, b), expect(x + y)) << std::hex << a << " " << b;
    ASSERT_EQ(run(Op::SUB, t, a, b), expect(x - y)) << std::hex << a << " " << b;
    ASSERT_EQ(run(Op::MUL, t, a, b), expect(x * y)) << std::hex << a << " " << b;
    ASSERT_EQ(run(Op::CMPLT, t, a, b), x < y ? mask : 0u);
  }
}

TEST(NumericsFloat, Bf16ArithmeticMatchesLongDoubleReference) {
  check_wide_format<16>(numref::kBF16, DType::bf16, 0xBF16);
}
TEST(NumericsFloat, F32ArithmeticMatchesLongDoubleReference) { check_wide_format<32>(numref::kF32, DType::f32, 0xF32); }

TEST(NumericsFloat, HandComputedEdges) {
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x3C00, 0x3C00), 0x4000u);  // 1 + 1 = 2
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x7BFF, 0x7BFF), 0x7C00u);  // 65504 + 65504 -> inf
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x7C00, 0xFC00), 0x7E00u);  // inf - inf -> canonical NaN
  EXPECT_EQ(run(Op::MUL, DType::f16, 0x7C00, 0x0000), 0x7E00u);  // inf * 0
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x7C01, 0x3C00), 0x7E00u);  // any NaN in -> canonical NaN
  EXPECT_EQ(run(Op::ADD, DType::f16, 0xFFFF, 0x3C00), 0x7E00u);
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x8000, 0x8000), 0x8000u);              // -0 + -0 = -0
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x0000, 0x8000), 0x0000u);              // +0 + -0 = +0
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x3C00, 0xBC00), 0x0000u);              // x - x = +0
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x0001, 0x0000), 0x0000u);              // subnormal input flushed
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x8001, 0x8000), 0x8000u);              // ... keeping its sign
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x3C00, 0x1000), 0x3C00u);              // 1 + 2^-11: tie -> even
  EXPECT_EQ(run(Op::ADD, DType::f16, 0x3C01, 0x1000), 0x3C02u);              // tie -> even, upwards
  EXPECT_EQ(run(Op::MUL, DType::f16, 0x2000, 0x1C00), 0x0000u);              // 2^-7 * 2^-8 = 2^-15 flushed
  EXPECT_EQ(run(Op::MUL, DType::f16, 0xA000, 0x1C00), 0x8000u);              // ... to the signed zero
  EXPECT_EQ(run(Op::MUL, DType::f16, 0x2000, 0x2000), 0x0400u);              // 2^-14 is normal
  EXPECT_EQ(run(Op::MUL, DType::f16, 0x3BFF, 0x0400), 0x0000u);              // tiny before rounding: flushed
  EXPECT_EQ(run(Op::SUB, DType::f16, 0x0401, 0x0400), 0x0000u);              // 2^-24 difference flushed
  EXPECT_EQ(run(Op::ADD, DType::bf16, 0x3F80, 0x3B80), 0x3F80u);             // 1 + 2^-8: tie -> even
  EXPECT_EQ(run(Op::MUL, DType::bf16, 0x7F00, 0x4000), 0x7F80u);             // 2^127 * 2 -> inf
  EXPECT_EQ(run(Op::ADD, DType::f32, 0x3F800000, 0x33800000), 0x3F800000u);  // 1 + 2^-24 tie
  EXPECT_EQ(run(Op::ADD, DType::f32, 0x7F800001, 0), 0x7FC00000u);
  EXPECT_EQ(run(Op::MUL, DType::f32, 0x00800000, 0x3F000000), 0x00000000u);  // min normal / 2
}

TEST(NumericsFloat, MinMaxOrderZerosAndPropagateNan) {
  for (DType t : {DType::f16, DType::bf16, DType::f32}) {
    const uint32_t sign = t == DType::f32 ? 0x80000000u : 0x8000u;
    const uint32_t nan = t == DType::f16 ? 0x7E00u : t == DType::bf16 ? 0x7FC0u : 0x7FC00000u;
    const uint32_t one = t == DType::f16 ? 0x3C00u : t == DType::bf16 ? 0x3F80u : 0x3F800000u;
    EXPECT_EQ(run(Op::MIN, t, 0, sign), sign);
    EXPECT_EQ(run(Op::MIN, t, sign, 0), sign);
    EXPECT_EQ(run(Op::MAX, t, 0, sign), 0u);
    EXPECT_EQ(run(Op::MAX, t, sign, 0), 0u);
    EXPECT_EQ(run(Op::MIN, t, one, nan | 1), nan);
    EXPECT_EQ(run(Op::MAX, t, nan, one), nan);
    EXPECT_EQ(run(Op::MIN, t, one, one | sign), one | sign);
    EXPECT_EQ(run(Op::MAX, t, 1, sign), 0u);  // subnormal reads as +0
    EXPECT_EQ(run(Op::MIN, t, 1, 0), 0u);
    EXPECT_EQ(run(Op::CMPEQ, t, 0, sign), t == DType::f32 ? 0xFFFFFFFFu : 0xFFFFu);
    EXPECT_EQ(run(Op::CMPEQ, t, nan, nan), 0u);  // NaN is unordered
    EXPECT_EQ(run(Op::CMPLE, t, nan, one), 0u);
    EXPECT_EQ(run(Op::CMPLT, t, sign, 0), 0u);  // -0 < +0 is false
    EXPECT_EQ(run(Op::NEG, t, one), one | sign);
    EXPECT_EQ(run(Op::NEG, t, nan | sign), nan);
    EXPECT_EQ(run(Op::ABS, t, one | sign), one);
    EXPECT_EQ(run(Op::ABS, t, sign | 1), 0u);  // flushed, then sign cleared
    EXPECT_EQ(run(Op::RELU, t, one | sign), 0u);
    EXPECT_EQ(run(Op::RELU, t, sign), 0u);  // relu(-0) = +0
    EXPECT_EQ(run(Op::RELU, t, one), one);
    EXPECT_EQ(run(Op::RELU, t, nan), nan);
  }
}

TEST(NumericsFloat, AllF16UnaryOpsExhaustively) {
  for (uint32_t a = 0; a < 0x10000; ++a) {
    const uint16_t h = uint16_t(a);
    const double x = f16_exact(h);
    const uint32_t flushed = numref::f16_is_subnormal(h) ? (a & 0x8000) : a;
    if (f16_nan(h)) {
      ASSERT_EQ(run(Op::NEG, DType::f16, a), 0x7E00u);
      continue;
    }
    ASSERT_EQ(run(Op::NEG, DType::f16, a), flushed ^ 0x8000u);
    ASSERT_EQ(run(Op::ABS, DType::f16, a), flushed & 0x7FFFu);
    ASSERT_EQ(run(Op::RELU, DType::f16, a), std::signbit(x) ? 0u : flushed);
    ASSERT_EQ(run(Op::MOV, DType::f16, a), a);  // MOV is a bit copy
  }
}

TEST(NumericsVxm, SelMovAndUnsupportedCombinations) {
  EXPECT_EQ(apply(VxmOp{Op::SEL, DType::f16, DType::f16, 0}, 0x1111, 0x2222, 0x8000), 0x1111u);  // -0 mask is nonzero
  EXPECT_EQ(apply(VxmOp{Op::SEL, DType::i8, DType::i8, 0}, 0x11, 0x22, 0x100), 0x22u);           // only lane bits count
  EXPECT_EQ(apply(VxmOp{Op::MOV, DType::f32, DType::f32, 0}, 0x7F800123u), 0x7F800123u);
  EXPECT_FALSE(tsp::num::vxm_supports(Op::ADDS, DType::f16));
  EXPECT_FALSE(tsp::num::vxm_supports(Op::READ, DType::i8));
  EXPECT_TRUE(tsp::num::vxm_supports(Op::TANH, DType::i16));
  EXPECT_EQ(apply(VxmOp{Op::ADDS, DType::f16, DType::f16, 0}, 0x3C00, 0x3C00), 0u);
}
