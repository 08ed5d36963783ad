#include "common/numerics/convert.hpp"

#include <algorithm>
#include <cmath>

#include "common/numerics/float_format.hpp"

namespace tsp::num {
namespace {

using isa::DType;

// Exact value of a float lane (subnormals read as zero); NaN stays NaN.
double float_value(DType t, uint32_t bits) {
  switch (t) {
    case DType::f16:
      return to_double<kF16>(bits);
    case DType::bf16:
      return to_double<kBF16>(bits);
    default:
      return to_double<kF32>(bits);
  }
}

uint32_t round_to_float(DType t, double d) {
  switch (t) {
    case DType::f16:
      return from_double<kF16>(d);
    case DType::bf16:
      return from_double<kBF16>(d);
    default:
      return from_double<kF32>(d);
  }
}

uint32_t float_to_int(IntType to, double d) {
  if (std::isnan(d)) return 0;
  const double r = std::clamp(round_half_even(d), double(to.min()), double(to.max()));
  return to.wrap(int64_t(r));
}

}  // namespace

double round_half_even(double d) {
  const double whole = std::trunc(d);        // exact
  const double frac = std::fabs(d - whole);  // exact
  const bool odd = std::fmod(whole, 2.0) != 0.0;
  if (frac > 0.5 || (frac == 0.5 && odd)) return whole + std::copysign(1.0, d);
  return whole;
}

uint32_t convert(DType to, DType from, uint32_t bits, IntConvert mode) {
  bits &= lane_mask(from);
  if (is_float(from)) {
    const double d = float_value(from, bits);
    return is_float(to) ? round_to_float(to, d) : float_to_int(int_type(to), d);
  }
  const int64_t v = int_type(from).value(bits);
  if (is_float(to)) return round_to_float(to, double(v));  // exact: |v| < 2^53
  const IntType t = int_type(to);
  return mode == IntConvert::saturate ? t.saturate(v) : t.wrap(v);
}

}  // namespace tsp::num
