#include "common/numerics/transcendental.hpp"

#include <cstddef>
#include <iterator>

#include "common/numerics/float_ops.hpp"
#include "common/numerics/tanh_q12_table.hpp"

namespace tsp::num {
namespace {

// Short names keep the algorithms readable as the spec writes them.
constexpr uint32_t add(uint32_t a, uint32_t b) { return fadd<kF32>(a, b); }
constexpr uint32_t sub(uint32_t a, uint32_t b) { return fsub<kF32>(a, b); }
constexpr uint32_t mul(uint32_t a, uint32_t b) { return fmul<kF32>(a, b); }

constexpr uint32_t kSign = 0x80000000u;
constexpr uint32_t kMagnitude = 0x7FFFFFFFu;
constexpr uint32_t kPosInf = 0x7F800000u;
constexpr uint32_t kNegInf = 0xFF800000u;
constexpr uint32_t kOne = 0x3F800000u;
constexpr uint32_t kHalf = 0x3F000000u;

// exp
constexpr uint32_t kExpOverflow = 0x42B20000u;   // 89.0: e^x = inf at and above
constexpr uint32_t kExpUnderflow = 0x42D00000u;  // 104.0: e^-x = 0 at and above
constexpr uint32_t kLog2e = 0x3FB8AA3Bu;         // 1.44269502
constexpr uint32_t kRoundShifter = 0x4B400000u;  // 1.5 * 2^23: adding it rounds to an integer
constexpr uint32_t kLn2Hi = 0x3F318000u;         // 0.693359375 (9 significant bits)
constexpr uint32_t kLn2Lo = 0xB95E8083u;         // -2.12194440e-4; hi + lo ~ ln 2
constexpr uint32_t kExpPoly[] = {                // Horner, highest degree first (Cephes expf)
    0x39506967u, 0x3AB743CEu, 0x3C088908u, 0x3D2AA9C1u, 0x3E2AAAAAu, 0x3F000000u};

// rsqrt
constexpr uint32_t kRsqrtMagic = 0x5F3759DFu;
constexpr int kRsqrtNewtonSteps = 3;  // estimate error 3.4e-2 -> 1.7e-3 -> 4.5e-6 -> 3e-11

// tanh
constexpr uint32_t kTanhSaturate = 0x41200000u;   // 10.0: |tanh| = 1 at and above
constexpr uint32_t kTanhPolyLimit = 0x3F200000u;  // 0.625: odd polynomial below
constexpr uint32_t kTanhPoly[] = {                // Horner in x^2, highest first (Cephes tanhf)
    0xBBBAF0EAu, 0x3CA9134Eu, 0xBD5C1E2Du, 0x3E088393u, 0xBEAAAA99u};

// One Newton step for y ~ 1/sqrt(x): y + y * ((1 - (x*y)*y) * 0.5).
uint32_t rsqrt_newton(uint32_t x, uint32_t y) {
  const uint32_t residual = sub(kOne, mul(mul(x, y), y));
  return add(y, mul(y, mul(residual, kHalf)));
}

}  // namespace

uint32_t f32_exp(uint32_t x) {
  if (is_nan<kF32>(x)) return kF32.canonical_nan;
  x = flush_subnormal<kF32>(x);
  const bool negative = (x & kSign) != 0;
  if (!negative && x >= kExpOverflow) return kPosInf;
  if (negative && (x & kMagnitude) >= kExpUnderflow) return 0;
  // n = round-half-even(x * log2 e), as an f32 and as an integer.
  const uint32_t shifted = add(mul(x, kLog2e), kRoundShifter);
  const int32_t n = int32_t(shifted) - int32_t(kRoundShifter);
  const uint32_t n_f32 = sub(shifted, kRoundShifter);
  // r = x - n ln2 in two pieces (Cody-Waite), |r| <= ~0.35.
  uint32_t r = sub(x, mul(n_f32, kLn2Hi));
  r = sub(r, mul(n_f32, kLn2Lo));
  // e^r ~ 1 + r + r^2 P(r).
  uint32_t p = kExpPoly[0];
  for (unsigned i = 1; i < std::size(kExpPoly); ++i) p = add(mul(p, r), kExpPoly[i]);
  const uint32_t y = add(add(mul(p, mul(r, r)), r), kOne);
  // y * 2^n by adding n to the biased exponent; out of range -> inf or +0.
  const int32_t e = int32_t((y >> 23) & 0xFF) + n;
  if (e >= 255) return kPosInf;
  if (e <= 0) return 0;
  return (y & 0x807FFFFFu) | uint32_t(e) << 23;
}

uint32_t f32_rsqrt(uint32_t x) {
  if (is_nan<kF32>(x)) return kF32.canonical_nan;
  x = flush_subnormal<kF32>(x);
  if (x == 0) return kPosInf;
  if (x == kSign) return kNegInf;
  if (x & kSign) return kF32.canonical_nan;
  if (x == kPosInf) return 0;
  uint32_t y = kRsqrtMagic - (x >> 1);
  for (int i = 0; i < kRsqrtNewtonSteps; ++i) y = rsqrt_newton(x, y);
  return y;
}

uint32_t f32_recip_ge1(uint32_t d) {
  const uint32_t s = f32_rsqrt(d);
  const uint32_t r = mul(s, s);
  return add(r, mul(r, sub(kOne, mul(d, r))));
}

uint32_t f32_tanh(uint32_t x) {
  if (is_nan<kF32>(x)) return kF32.canonical_nan;
  x = flush_subnormal<kF32>(x);
  const uint32_t sign = x & kSign;
  const uint32_t a = x & kMagnitude;
  // Computed on |x| with the sign put back, so tanh is exactly odd (-0 -> -0).
  if (a >= kTanhSaturate) return sign | kOne;
  if (a < kTanhPolyLimit) {
    // tanh a ~ a + a * a^2 Q(a^2); tiny a falls through to a itself.
    const uint32_t z = mul(a, a);
    uint32_t q = kTanhPoly[0];
    for (unsigned i = 1; i < std::size(kTanhPoly); ++i) q = add(mul(q, z), kTanhPoly[i]);
    return sign | add(mul(mul(q, z), a), a);
  }
  // tanh a = 1 - 2 / (e^(2a) + 1), no cancellation for a >= 0.625.
  const uint32_t q = f32_recip_ge1(add(f32_exp(add(a, a)), kOne));
  return sign | sub(kOne, add(q, q));
}

uint16_t q12_tanh(uint16_t x) {
  constexpr int32_t kSaturateAt = 5 * 4096;  // the table's end; tanh rounds to 1.0 beyond
  constexpr int kSegmentBits = 7;            // 128 Q12 steps = 1/32 per table segment
  const int32_t v = int16_t(x);
  const int32_t a = v < 0 ? -v : v;
  int32_t y = 4096;
  if (a < kSaturateAt) {
    const int32_t i = a >> kSegmentBits;
    const int32_t frac = a & ((1 << kSegmentBits) - 1);
    const int32_t lo = kTanhQ12Table[std::size_t(i)], hi = kTanhQ12Table[std::size_t(i) + 1];
    y = lo + (((hi - lo) * frac + (1 << (kSegmentBits - 1))) >> kSegmentBits);
  }
  return uint16_t(v < 0 ? -y : y);
}

}  // namespace tsp::num
