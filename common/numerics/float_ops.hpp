#pragma once
// Element-wise float operations on raw bits for f16, bf16 and f32
// (docs/numerics.md §3). add/sub/mul: the exact result is formed in double and
// rounded once with from_double. The double sum is itself correctly rounded,
// and 53 >= 2p + 2 for p = 11, 8, 24, so rounding twice equals rounding once;
// products are exact in double. Needs the default FE_TONEAREST environment,
// which the library never changes.
#include <cstdint>

#include "common/numerics/float_format.hpp"

namespace tsp::num {

template <FloatFormat F>
constexpr uint32_t fadd(uint32_t a, uint32_t b) {
  return from_double<F>(to_double<F>(a) + to_double<F>(b));
}
template <FloatFormat F>
constexpr uint32_t fsub(uint32_t a, uint32_t b) {
  return from_double<F>(to_double<F>(a) - to_double<F>(b));
}
template <FloatFormat F>
constexpr uint32_t fmul(uint32_t a, uint32_t b) {
  return from_double<F>(to_double<F>(a) * to_double<F>(b));
}

// min/max: NaN in -> canonical NaN out; -0 < +0; otherwise the flushed input.
template <FloatFormat F>
constexpr uint32_t fmin(uint32_t a, uint32_t b) {
  if (is_nan<F>(a) || is_nan<F>(b)) return F.canonical_nan;
  a = flush_subnormal<F>(a);
  b = flush_subnormal<F>(b);
  const double x = to_double<F>(a), y = to_double<F>(b);
  if (x != y) return x < y ? a : b;
  return a | b;  // equal: identical bits, or two zeros where -0 wins
}
template <FloatFormat F>
constexpr uint32_t fmax(uint32_t a, uint32_t b) {
  if (is_nan<F>(a) || is_nan<F>(b)) return F.canonical_nan;
  a = flush_subnormal<F>(a);
  b = flush_subnormal<F>(b);
  const double x = to_double<F>(a), y = to_double<F>(b);
  if (x != y) return x > y ? a : b;
  return a & b;  // equal: identical bits, or two zeros where +0 wins
}

template <FloatFormat F>
constexpr uint32_t fneg(uint32_t a) {
  return is_nan<F>(a) ? F.canonical_nan : flush_subnormal<F>(a) ^ F.sign_bit();
}
template <FloatFormat F>
constexpr uint32_t fabs_bits(uint32_t a) {
  return is_nan<F>(a) ? F.canonical_nan : flush_subnormal<F>(a) & F.magnitude_mask();
}
// relu = max(a, +0): every negative value and -0 give +0.
template <FloatFormat F>
constexpr uint32_t frelu(uint32_t a) {
  if (is_nan<F>(a)) return F.canonical_nan;
  return (a & F.sign_bit()) ? 0u : flush_subnormal<F>(a);
}

// Compares are IEEE: NaN is unordered (false), -0 == +0, subnormals equal 0.
template <FloatFormat F>
constexpr bool fcmp_eq(uint32_t a, uint32_t b) {
  return to_double<F>(a) == to_double<F>(b);
}
template <FloatFormat F>
constexpr bool fcmp_lt(uint32_t a, uint32_t b) {
  return to_double<F>(a) < to_double<F>(b);
}
template <FloatFormat F>
constexpr bool fcmp_le(uint32_t a, uint32_t b) {
  return to_double<F>(a) <= to_double<F>(b);
}

}  // namespace tsp::num
