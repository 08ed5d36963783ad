#pragma once
// An independent, slow reference for the FEC tests: GF(2^10) products by
// shift-and-add (no tables), generator and parity by long division over plain
// vectors, syndromes by evaluating the frame polynomial term by term.
#include <cstdint>
#include <vector>

#include "tsp/isa_gen.hpp"

namespace fec_ref {

using tsp::isa::kFecFirstRoot;
using tsp::isa::kFecPoly;
using tsp::isa::kFecSymbolBits;
using tsp::isa::kFecT;

inline uint16_t mul(uint16_t a, uint16_t b) {
  uint32_t r = 0, x = a;
  for (; b; b >>= 1) {
    if (b & 1) r ^= x;
    x <<= 1;
    if (x & (1u << kFecSymbolBits)) x ^= kFecPoly;
  }
  return static_cast<uint16_t>(r);
}

inline uint16_t power(uint16_t a, uint64_t e) {
  uint16_t r = 1;
  for (; e; --e) r = mul(r, a);
  return r;
}

inline uint16_t alpha_pow(uint64_t e) { return power(2, e % ((1u << kFecSymbolBits) - 1)); }

// g(x), highest degree first (g[0] = 1).
inline std::vector<uint16_t> generator_high_first() {
  std::vector<uint16_t> g{1};
  for (unsigned j = 0; j < 2 * kFecT; ++j) {
    const uint16_t root = alpha_pow(kFecFirstRoot + j);
    std::vector<uint16_t> next(g.size() + 1, 0);
    for (size_t i = 0; i < g.size(); ++i) {
      next[i] ^= g[i];                 // times x
      next[i + 1] ^= mul(root, g[i]);  // times root
    }
    g = next;
  }
  return g;
}

// The 2t parity symbols of `data` (wire order): the remainder of m(x) x^2t / g(x).
inline std::vector<uint16_t> parity(const std::vector<uint16_t>& data) {
  const auto g = generator_high_first();
  std::vector<uint16_t> work(data);
  work.resize(data.size() + 2 * kFecT, 0);
  for (size_t i = 0; i < data.size(); ++i)
    for (size_t j = 1; j < g.size(); ++j) work[i + j] ^= mul(work[i], g[j]);
  return {work.begin() + static_cast<long>(data.size()), work.end()};
}

// S_j = sum_i frame[i] * alpha^((first_root + j) * (n - 1 - i)), directly.
inline uint16_t syndrome(const std::vector<uint16_t>& frame, unsigned j) {
  uint16_t s = 0;
  const size_t n = frame.size();
  for (size_t i = 0; i < n; ++i) s ^= mul(frame[i], alpha_pow(uint64_t{kFecFirstRoot + j} * (n - 1 - i)));
  return s;
}

}  // namespace fec_ref
