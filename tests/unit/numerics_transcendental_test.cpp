// EXP, RSQRT, TANH against libm in double: every f16 and bf16 input, seeded
// random f32 inputs over the useful range, and the special values by hand.
// The measured maxima are printed so docs/numerics.md can quote them.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <tuple>

#include "common/numerics/tanh_q12_table.hpp"
#include "common/numerics/transcendental.hpp"
#include "common/numerics/vxm.hpp"
#include "tests/unit/numerics_reference.hpp"

using tsp::isa::DType;
using tsp::isa::Op;

namespace {

struct Fn {
  const char* name;
  Op op;
  double (*ref)(double);
};
double ref_exp(double x) { return std::exp(x); }
double ref_rsqrt(double x) { return 1.0 / std::sqrt(x); }
double ref_tanh(double x) { return std::tanh(x); }
const Fn kFns[] = {{"exp", Op::EXP, ref_exp}, {"rsqrt", Op::RSQRT, ref_rsqrt}, {"tanh", Op::TANH, ref_tanh}};

// Error of `got` in ulps of the format at the reference. Where the reference
// lies below the smallest normal the result must be that signed zero or the
// smallest normal; beyond the largest finite it must be infinity.
double ulp_error(numref::Format f, uint32_t got, double ref, bool* ok) {
  const double g = double(numref::value(f, got));
  const double min_normal = std::ldexp(1.0, f.emin);
  const double max_finite = std::ldexp(2.0 - std::ldexp(1.0, -f.frac_bits), f.emax);
  *ok = true;
  if (std::isnan(ref)) {
    *ok = std::isnan(g);
    return 0;
  }
  if (std::fabs(ref) > max_finite * (1 + std::ldexp(1.0, -f.frac_bits - 1))) {
    *ok = g == ref || std::isinf(g);
    return 0;
  }
  if (std::fabs(ref) < min_normal) {
    *ok = g == 0 || std::fabs(g) == min_normal;
    return 0;
  }
  return std::fabs(g - ref) / numref::ulp_at(f, ref);
}

struct Stats {
  double max_ulp = 0;
  uint32_t worst = 0;
  uint64_t not_correctly_rounded = 0;
};

Stats sweep16(numref::Format f, DType t, const Fn& fn) {
  Stats s;
  for (uint32_t x = 0; x < 0x10000; ++x) {
    const double xv = double(numref::value(f, x));
    const uint32_t got = tsp::num::apply(tsp::num::VxmOp{fn.op, t, t, 0}, x);
    bool ok;
    const double e = ulp_error(f, got, fn.ref(xv), &ok);
    EXPECT_TRUE(ok) << fn.name << " " << std::hex << x << " -> " << got;
    if (e > 0.5) ++s.not_correctly_rounded;
    if (e > s.max_ulp) s = {e, x, s.not_correctly_rounded};
  }
  return s;
}

}  // namespace

TEST(NumericsTranscendental, EveryF16AndBf16InputWithinOneUlp) {
  for (const Fn& fn : kFns) {
    for (auto [f, t, name] :
         {std::tuple{numref::kF16, DType::f16, "f16"}, std::tuple{numref::kBF16, DType::bf16, "bf16"}}) {
      const Stats s = sweep16(f, t, fn);
      std::printf("%s.%s: max %.3f ulp (at 0x%04x), %llu of 65536 not correctly rounded\n", fn.name, name, s.max_ulp,
                  s.worst, (unsigned long long)s.not_correctly_rounded);
      EXPECT_LE(s.max_ulp, 1.0) << fn.name << "." << name;
    }
  }
}

TEST(NumericsTranscendental, RandomF32WithinTwoUlp) {
  struct Range {
    const Fn* fn;
    float lo, hi;
  };
  // The useful range of each: exp's normal outputs, all positive normals for
  // rsqrt (log-uniform), tanh up to its saturation.
  const Range ranges[] = {{&kFns[0], -87.3f, 88.7f}, {&kFns[1], 0, 0}, {&kFns[2], -10.0f, 10.0f}};
  std::mt19937_64 rng(0xE4);
  for (const Range& r : ranges) {
    double max_ulp = 0;
    uint32_t worst = 0;
    for (int i = 0; i < 400000; ++i) {
      uint32_t x;
      if (r.fn->op == Op::RSQRT) {
        x = 0x00800000u + uint32_t(rng() % (0x7F800000u - 0x00800000u));
      } else if (i % 2) {  // uniform in value
        x = std::bit_cast<uint32_t>(r.lo + (r.hi - r.lo) * float(double(rng() >> 11) * 0x1p-53));
      } else {  // uniform in bits: dense near zero
        x = uint32_t(rng()) & 0x80000000u;
        x |= uint32_t(rng() % std::bit_cast<uint32_t>(r.hi));
      }
      const uint32_t got = tsp::num::apply(tsp::num::VxmOp{r.fn->op, DType::f32, DType::f32, 0}, x);
      bool ok;
      const double e = ulp_error(numref::kF32, got, r.fn->ref(double(std::bit_cast<float>(x))), &ok);
      ASSERT_TRUE(ok) << r.fn->name << " " << std::hex << x << " -> " << got;
      if (e > max_ulp) max_ulp = e, worst = x;
    }
    std::printf("%s.f32: max %.3f ulp (at 0x%08x) over 400000 random inputs\n", r.fn->name, max_ulp, worst);
    EXPECT_LE(max_ulp, 2.0) << r.fn->name;
  }
}

TEST(NumericsTranscendental, SpecialValues) {
  using namespace tsp::num;
  EXPECT_EQ(f32_exp(0x00000000u), 0x3F800000u);  // e^0 = 1
  EXPECT_EQ(f32_exp(0x80000000u), 0x3F800000u);
  EXPECT_EQ(f32_exp(0x00000001u), 0x3F800000u);  // subnormal reads as 0
  EXPECT_EQ(f32_exp(0x7F800000u), 0x7F800000u);  // e^inf = inf
  EXPECT_EQ(f32_exp(0xFF800000u), 0x00000000u);  // e^-inf = +0
  EXPECT_EQ(f32_exp(0x42B20000u), 0x7F800000u);  // e^89 overflows
  EXPECT_EQ(f32_exp(0xC2C80000u), 0x00000000u);  // e^-100 is below the smallest normal
  EXPECT_EQ(f32_exp(0xFFC00001u), 0x7FC00000u);
  EXPECT_EQ(f32_rsqrt(0x40800000u), 0x3F000000u);  // 1/sqrt(4) = 0.5
  EXPECT_EQ(f32_rsqrt(0x3F800000u), 0x3F800000u);
  EXPECT_EQ(f32_rsqrt(0x00000000u), 0x7F800000u);  // +0 -> +inf
  EXPECT_EQ(f32_rsqrt(0x80000000u), 0xFF800000u);  // -0 -> -inf
  EXPECT_EQ(f32_rsqrt(0x00000005u), 0x7F800000u);  // subnormal reads as +0
  EXPECT_EQ(f32_rsqrt(0xBF800000u), 0x7FC00000u);  // negative -> NaN
  EXPECT_EQ(f32_rsqrt(0x7F800000u), 0x00000000u);  // +inf -> +0
  EXPECT_EQ(f32_tanh(0x00000000u), 0x00000000u);
  EXPECT_EQ(f32_tanh(0x80000000u), 0x80000000u);  // odd: -0 stays -0
  EXPECT_EQ(f32_tanh(0x7F800000u), 0x3F800000u);
  EXPECT_EQ(f32_tanh(0xFF800000u), 0xBF800000u);
  EXPECT_EQ(f32_tanh(0x41200000u), 0x3F800000u);  // saturated at 10
  EXPECT_EQ(f32_tanh(0x7FC00001u), 0x7FC00000u);
  EXPECT_EQ(f32_tanh(0x2F800000u), 0x2F800000u);  // tanh(2^-32) = 2^-32
  // f16 through the f32 algorithm: exact cases stay exact.
  EXPECT_EQ(via_f32<kF16>(f32_exp, 0x0000), 0x3C00u);
  EXPECT_EQ(via_f32<kF16>(f32_exp, 0x4A00), 0x7C00u);  // e^12 > 65504
  EXPECT_EQ(via_f32<kBF16>(f32_rsqrt, 0x4080), 0x3F00u);
}

TEST(NumericsTranscendental, TanhIsOddForEveryF16) {
  for (uint32_t x = 0; x < 0x8000; ++x) {
    if (x > 0x7C00) break;
    const auto tanh16 = [](uint32_t v) {
      return tsp::num::apply(tsp::num::VxmOp{Op::TANH, DType::f16, DType::f16, 0}, v);
    };
    ASSERT_EQ(tanh16(x | 0x8000), tanh16(x) ^ 0x8000u) << std::hex << x;
  }
}

TEST(NumericsTranscendental, TanhQ12WithinOneLsbOfCorrectlyRounded) {
  int max_err = 0, mismatches = 0;
  int16_t prev = -4097;
  for (int32_t x = -32768; x < 32768; ++x) {
    const int16_t got = int16_t(tsp::num::q12_tanh(uint16_t(x)));
    const double exact = std::tanh(x / 4096.0) * 4096.0;
    const int err = std::abs(got - int(std::lround(exact)));
    max_err = std::max(max_err, err);
    mismatches += err != 0;
    ASSERT_GE(got, prev) << "not monotonic at " << x;
    if (x != -32768) {
      ASSERT_EQ(int16_t(tsp::num::q12_tanh(uint16_t(-x))), int16_t(-got)) << "not odd at " << x;
    }
    prev = got;
  }
  std::printf("tanh.i16 (Q3.12): max %d LSB, %d of 65536 differ from round(tanh * 4096)\n", max_err, mismatches);
  EXPECT_LE(max_err, 1);
  EXPECT_EQ(tsp::num::q12_tanh(0), 0u);
  EXPECT_EQ(tsp::num::q12_tanh(0x7FFF), 4096u);    // ~8.0 -> 1.0
  EXPECT_EQ(tsp::num::q12_tanh(0x8000), 0xF000u);  // -8.0 -> -1.0
}

TEST(NumericsTranscendental, TanhQ12TableMatchesItsDefinition) {
  for (size_t i = 0; i < tsp::num::kTanhQ12Table.size(); ++i)
    EXPECT_EQ(tsp::num::kTanhQ12Table[i], std::lround(std::tanh(double(i) / 32.0) * 4096.0)) << i;
}
