#pragma once
// CVT / CVTS between any two of the seven element types (docs/numerics.md §5).
//   int -> int     CVT wraps (two's complement truncation), CVTS saturates.
//   int -> float   round to nearest even; beyond the largest finite -> infinity.
//   float -> int   round to nearest even, then saturate (CVT and CVTS alike);
//                  NaN -> 0, +-inf -> max/min, subnormal -> 0.
//   float -> float NaN -> canonical NaN; else round to nearest even with FTZ.
#include <cstdint>

#include "common/numerics/dtype.hpp"

namespace tsp::num {

enum class IntConvert : uint8_t { wrap, saturate };

uint32_t convert(isa::DType to, isa::DType from, uint32_t bits, IntConvert mode);

// Round a finite double to the nearest integer, ties to even, without relying
// on the FPU rounding mode. Exposed for the tests and the transcendentals.
double round_half_even(double d);

}  // namespace tsp::num
