#pragma once
// SECDED over one 16-byte superlane word: extended Hamming (137,128) [ours,
// after the paper]. Codeword positions 1..136 hold the 8 Hamming check bits at
// the powers of two and the 128 data bits, in order, at the other positions;
// check bit 8 is the parity of everything else. Bit numbering for fault
// injection: 0..127 data, 128..135 Hamming check bits c0..c7, 136 overall parity.
#include <array>
#include <cstdint>

namespace tsp::model::secded {

inline constexpr unsigned kDataBytes = 16;
inline constexpr unsigned kDataBits = 128;
inline constexpr unsigned kCheckBits = 9;
inline constexpr unsigned kCodeBits = kDataBits + kCheckBits;

using Word = std::array<uint8_t, kDataBytes>;

uint16_t encode(const Word& data);  // the 9 check bits

enum class Status { Clean, Corrected, Uncorrectable };
struct Decoded {
  Status status;
  int flipped_bit;  // corrected bit (0..136), -1 when none
};
// Checks `data` against `check`; corrects a single flipped bit in place.
Decoded decode(Word& data, uint16_t& check);

// Codeword position (1..136) of data bit i: the layout, exposed for the RTL's tests.
unsigned data_position(unsigned data_bit);

}  // namespace tsp::model::secded
