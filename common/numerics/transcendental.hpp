#pragma once
// EXP, RSQRT and TANH as exact step-by-step algorithms (docs/numerics.md §6):
// only f32 add/sub/mul (RNE, FTZ), integer operations on the bit patterns, and
// constants given as hex. f16/bf16 inputs are widened to f32 (exact), run the
// f32 algorithm, and the result is rounded to the input's format.
#include <cstdint>

#include "common/numerics/float_format.hpp"

namespace tsp::num {

uint32_t f32_exp(uint32_t x);
uint32_t f32_rsqrt(uint32_t x);
uint32_t f32_tanh(uint32_t x);
// 1/d for the tanh algorithm: rsqrt(d)^2 and one Newton correction. Defined
// (and accurate) for finite d >= 1 only.
uint32_t f32_recip_ge1(uint32_t d);

// TANH.i16: Q3.12 in, Q3.12 out, table plus linear interpolation.
uint16_t q12_tanh(uint16_t x);

// The f32 algorithm applied to a narrower format.
template <FloatFormat F>
uint32_t via_f32(uint32_t (*f32_fn)(uint32_t), uint32_t x) {
  return from_double<F>(to_double<kF32>(f32_fn(from_double<kF32>(to_double<F>(x)))));
}

}  // namespace tsp::num
