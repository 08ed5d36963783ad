#pragma once
// A vector's bytes as link FEC data symbols, and frame bit addressing
// (docs/links.md, "FEC"). The vector is a bit stream, LSB first: stream bit i
// is bit i % 8 of byte i / 8; symbol j is stream bits [10j, 10j + 10) with bit
// 10j as its LSB; the last symbol's bits past the stream are zero padding.
#include <cstdint>
#include <span>

#include "common/fec/gf.hpp"

namespace tsp::fec {

// Data symbols that carry `bytes` bytes: ceil(8 * bytes / 10).
constexpr unsigned symbols_for_bytes(unsigned bytes) {
  return (bytes * 8 + isa::kFecSymbolBits - 1) / isa::kFecSymbolBits;
}

// symbols.size() must be symbols_for_bytes(bytes.size()).
void bytes_to_symbols(std::span<const uint8_t> bytes, std::span<Symbol> symbols);
// The inverse; a pad bit that is set or a symbol wider than 10 bits is a tsp::Error
// (a decoded frame never has one: the decoder calls such a frame uncorrectable).
void symbols_to_bytes(std::span<const Symbol> symbols, std::span<uint8_t> bytes);

// Frame bit b (0 .. 10 * frame symbols - 1) is bit b % 10 of symbol b / 10.
void flip_frame_bit(std::span<Symbol> frame, unsigned bit);

}  // namespace tsp::fec
