// A vector's bytes as 10-bit symbols, LSB first, and frame bit addressing.
#include <gtest/gtest.h>

#include <random>

#include "common/error.hpp"
#include "common/fec/vector_symbols.hpp"
#include "firmware/isa/isa.hpp"

using namespace tsp::fec;

TEST(FecSymbols, BitOrderIsLsbFirst) {
  // Stream bits 0..9 are byte 0 bits 0..7 and byte 1 bits 0..1; symbol 1 starts at byte 1 bit 2.
  std::vector<uint8_t> bytes = {0x01, 0x06, 0x00, 0x00, 0x80};
  std::vector<Symbol> s(4);
  bytes_to_symbols(bytes, s);
  EXPECT_EQ(s, (std::vector<Symbol>{0x201, 0x001, 0x000, 0x200}));
}

TEST(FecSymbols, RoundTripOfBothConfigurations) {
  std::mt19937 rng(8);
  for (const char* name : {"tsp1", "mini"}) {
    const auto& cfg = *tsp::isa::find_config(name);
    EXPECT_EQ(symbols_for_bytes(cfg.vector_bytes), cfg.c2c_data_symbols);
    std::vector<uint8_t> bytes(cfg.vector_bytes), back(cfg.vector_bytes);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    std::vector<Symbol> s(cfg.c2c_data_symbols);
    bytes_to_symbols(bytes, s);
    for (Symbol x : s) ASSERT_LE(x, kSymbolMask);
    symbols_to_bytes(s, back);
    EXPECT_EQ(back, bytes) << name;
  }
}

TEST(FecSymbols, PadBitsAreZeroAndChecked) {
  std::vector<uint8_t> bytes(32, 0xff);  // mini: 256 bits in 26 symbols, 4 pad bits
  std::vector<Symbol> s(26);
  bytes_to_symbols(bytes, s);
  EXPECT_EQ(s.back(), 0x3f);
  s.back() |= 0x100;
  EXPECT_THROW(symbols_to_bytes(s, bytes), tsp::Error);
  s.back() = 0x3f;
  s[0] = 0x400;
  EXPECT_THROW(symbols_to_bytes(s, bytes), tsp::Error);
  EXPECT_THROW(bytes_to_symbols(bytes, std::span(s).first(25)), tsp::Error);
}

TEST(FecSymbols, FrameBitIsSymbolAndBit) {
  std::vector<Symbol> frame(56, 0);
  flip_frame_bit(frame, 0);
  flip_frame_bit(frame, 19);
  flip_frame_bit(frame, 555);
  EXPECT_EQ(frame[0], 1);
  EXPECT_EQ(frame[1], 0x200);
  EXPECT_EQ(frame[55], 0x020);
  EXPECT_THROW(flip_frame_bit(frame, 560), tsp::Error);
}
