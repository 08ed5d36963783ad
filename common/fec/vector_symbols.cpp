#include "common/fec/vector_symbols.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace tsp::fec {

namespace {

void check_sizes(size_t bytes, size_t symbols, const char* what) {
  if (symbols != symbols_for_bytes(static_cast<unsigned>(bytes)))
    throw Error(fmt::format("fec: {}: {} bytes are {} symbols of {} bits, not {}", what, bytes,
                            symbols_for_bytes(static_cast<unsigned>(bytes)), isa::kFecSymbolBits, symbols));
}

}  // namespace

void bytes_to_symbols(std::span<const uint8_t> bytes, std::span<Symbol> symbols) {
  check_sizes(bytes.size(), symbols.size(), "bytes to symbols");
  uint32_t acc = 0;  // stream bits not yet emitted, the oldest at bit 0
  unsigned have = 0, next = 0;
  for (Symbol& s : symbols) {
    while (have < isa::kFecSymbolBits && next < bytes.size()) {
      acc |= uint32_t{bytes[next++]} << have;
      have += 8;
    }
    s = static_cast<Symbol>(acc & kSymbolMask);  // the last one's missing bits are zero
    acc >>= isa::kFecSymbolBits;
    have = have > isa::kFecSymbolBits ? have - isa::kFecSymbolBits : 0;
  }
}

void symbols_to_bytes(std::span<const Symbol> symbols, std::span<uint8_t> bytes) {
  check_sizes(bytes.size(), symbols.size(), "symbols to bytes");
  uint32_t acc = 0;
  unsigned have = 0, next = 0;
  for (uint8_t& b : bytes) {
    while (have < 8) {
      const Symbol s = symbols[next++];
      if (s > kSymbolMask)
        throw Error(fmt::format("fec: symbol {} ({:#x}) is wider than {} bits", next - 1, s, isa::kFecSymbolBits));
      acc |= uint32_t{s} << have;
      have += isa::kFecSymbolBits;
    }
    b = static_cast<uint8_t>(acc);
    acc >>= 8;
    have -= 8;
  }
  // What is left of the last symbol is padding.
  if (acc != 0)
    throw Error(fmt::format("fec: the last symbol ({:#x}) has pad bits set past the vector's {} bytes", symbols.back(),
                            bytes.size()));
}

void flip_frame_bit(std::span<Symbol> frame, unsigned bit) {
  if (bit >= frame.size() * isa::kFecSymbolBits)
    throw Error(fmt::format("fec: frame bit {} is past the frame's {} bits", bit, frame.size() * isa::kFecSymbolBits));
  frame[bit / isa::kFecSymbolBits] ^= static_cast<Symbol>(1u << (bit % isa::kFecSymbolBits));
}

}  // namespace tsp::fec
