#pragma once
// MXM dot products (docs/numerics.md §7). One output element is the dot of an
// activation vector and a weight column over k = 0 .. n-1.
//   int:   i8/u8 x i8/u8, each product exact, summed in int32 with wrapping.
//   float: f16/bf16 x f16/bf16; acc starts at +0.0 f32 and, for k in increasing
//          order, acc = f32_add(acc, f32_mul(a[k], w[k])): the product is
//          rounded to f32 (exact unless a bf16 product leaves f32's range) and
//          each step rounds once, RNE with FTZ.
// ABC's accmode then sets the slot to the dot or adds it (same int32 wrap / f32 add).
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/numerics/float_ops.hpp"
#include "common/numerics/int_ops.hpp"
#include "tsp/isa_gen.hpp"

namespace tsp::num {

enum class AccMode : uint8_t { set, add };

// One multiply-accumulate step; a and w are raw lane bits of types ta and tw.
inline int32_t mac_int(int32_t acc, uint32_t a, bool a_signed, uint32_t w, bool w_signed) {
  const int64_t x = IntType{8, a_signed}.value(a), y = IntType{8, w_signed}.value(w);
  return int32_t(uint32_t(acc) + uint32_t(x * y));  // wraps mod 2^32
}

// Exact value of one f16 or bf16 lane (isa::DType::f16 or bf16).
inline double mxm_float_value(isa::DType t, uint32_t bits) {
  return t == isa::DType::bf16 ? to_double<kBF16>(bits) : to_double<kF16>(bits);
}

inline uint32_t mac_float(uint32_t acc, isa::DType ta, uint32_t a, isa::DType tw, uint32_t w) {
  const uint32_t product = from_double<kF32>(mxm_float_value(ta, a) * mxm_float_value(tw, w));
  return fadd<kF32>(acc, product);
}

int32_t dot_int(std::span<const uint8_t> a, bool a_signed, std::span<const uint8_t> w, bool w_signed);
uint32_t dot_float(std::span<const uint16_t> a, isa::DType ta, std::span<const uint16_t> w, isa::DType tw);

inline int32_t accumulate_int(int32_t slot, int32_t dot, AccMode mode) {
  return mode == AccMode::set ? dot : int32_t(uint32_t(slot) + uint32_t(dot));
}
inline uint32_t accumulate_float(uint32_t slot, uint32_t dot, AccMode mode) {
  return mode == AccMode::set ? dot : fadd<kF32>(slot, dot);
}

}  // namespace tsp::num
