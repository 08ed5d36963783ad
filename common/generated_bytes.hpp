#pragma once
// The bytes of a generated SRAM region (docs/image-format.md, "Generated SRAM"):
// a counter-based pseudo-random function of (seed, tensor, offset), so that a
// region's vectors can be produced when read instead of stored. One
// definition for the image's readers, the model's SRAM and the compiler (whose
// host reference computes with the values this gives).
//
//   mix(z)    = SplitMix64's finaliser: z ^= z >> 30; z *= 0xbf58476d1ce4e5b9;
//               z ^= z >> 27; z *= 0x94d049bb133111eb; z ^= z >> 31
//   key       = mix(seed + 0x9e3779b97f4a7c15 * (tensor + 1))
//   word(k)   = mix(key + 0x9e3779b97f4a7c15 * (k + 1))
//   byte(o)   = bits 8*(o mod 8) .. 8*(o mod 8)+7 of word(o div 8)
// all modulo 2^64; `offset` o is the byte's address within its MEM slice
// (vector address * vector bytes + lane).
#include <cstddef>
#include <cstdint>

namespace tsp::genbytes {

inline constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ull;

constexpr uint64_t mix(uint64_t z) {
  z ^= z >> 30;
  z *= 0xbf58476d1ce4e5b9ull;
  z ^= z >> 27;
  z *= 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr uint64_t key(uint64_t seed, uint32_t tensor) { return mix(seed + kGolden * (uint64_t{tensor} + 1)); }

constexpr uint64_t word(uint64_t key, uint64_t k) { return mix(key + kGolden * (k + 1)); }

constexpr uint8_t byte(uint64_t key, uint64_t offset) {
  return static_cast<uint8_t>(word(key, offset / 8) >> (8 * (offset % 8)));
}

// A region's byte with its mask applied (image format 1.3): (b & keep) | set.
constexpr uint8_t masked(uint8_t b, uint8_t keep, uint8_t set) { return static_cast<uint8_t>((b & keep) | set); }

// Bytes offset .. offset + n - 1 of the region keyed `key`, masked.
inline void fill(uint64_t key, uint64_t offset, uint8_t* out, size_t n, uint8_t keep = 0xff, uint8_t set = 0) {
  size_t i = 0;
  for (; i < n && (offset + i) % 8; ++i) out[i] = byte(key, offset + i);
  for (; i + 8 <= n; i += 8) {
    const uint64_t w = word(key, (offset + i) / 8);
    for (unsigned b = 0; b < 8; ++b) out[i + b] = static_cast<uint8_t>(w >> (8 * b));
  }
  for (; i < n; ++i) out[i] = byte(key, offset + i);
  if (keep != 0xff || set != 0)
    for (i = 0; i < n; ++i) out[i] = masked(out[i], keep, set);
}

}  // namespace tsp::genbytes
