#include "common/numerics/mxm.hpp"

#include <algorithm>

namespace tsp::num {

int32_t dot_int(std::span<const uint8_t> a, bool a_signed, std::span<const uint8_t> w, bool w_signed) {
  int32_t acc = 0;
  const size_t n = std::min(a.size(), w.size());
  for (size_t k = 0; k < n; ++k) acc = mac_int(acc, a[k], a_signed, w[k], w_signed);
  return acc;
}

uint32_t dot_float(std::span<const uint16_t> a, isa::DType ta, std::span<const uint16_t> w, isa::DType tw) {
  uint32_t acc = 0;  // +0.0
  const size_t n = std::min(a.size(), w.size());
  for (size_t k = 0; k < n; ++k) acc = mac_float(acc, ta, a[k], tw, w[k]);
  return acc;
}

}  // namespace tsp::num
