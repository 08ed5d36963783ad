#pragma once
// Field access on Verilated ports: a packed SystemVerilog port is an integer
// up to 64 bits and a VlWide (32-bit words, LSB first) above. Every field the
// cosim adapters touch is aligned to its own width and no wider than 32 bits,
// so it lies inside one word.
#include <verilated.h>

#include <cstdint>
#include <type_traits>

namespace tsp::cosim::bits {

template <class P>
void put(P& port, unsigned lsb, unsigned width, uint32_t v) {
  const uint64_t mask = width >= 32 ? 0xFFFFFFFFull : (uint64_t{1} << width) - 1;
  if constexpr (std::is_integral_v<P>) {
    port = static_cast<P>((uint64_t(port) & ~(mask << lsb)) | (uint64_t(v) & mask) << lsb);
  } else {
    auto& word = port[lsb / 32];
    const unsigned sh = lsb % 32;
    word = static_cast<uint32_t>((uint64_t(word) & ~(mask << sh)) | (uint64_t(v) & mask) << sh);
  }
}

template <class P>
uint32_t get(const P& port, unsigned lsb, unsigned width) {
  const uint64_t mask = width >= 32 ? 0xFFFFFFFFull : (uint64_t{1} << width) - 1;
  if constexpr (std::is_integral_v<P>) {
    return static_cast<uint32_t>((uint64_t(port) >> lsb) & mask);
  } else {
    return static_cast<uint32_t>((uint64_t(port[lsb / 32]) >> (lsb % 32)) & mask);
  }
}

template <class P>
void clear(P& port) {
  if constexpr (std::is_integral_v<P>) {
    port = 0;
  } else {
    for (auto& w : port.m_storage) w = 0;
  }
}

}  // namespace tsp::cosim::bits
