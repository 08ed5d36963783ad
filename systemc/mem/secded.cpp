#include "systemc/mem/secded.hpp"

#include <bit>

namespace tsp::model::secded {
namespace {

struct Tables {
  std::array<uint8_t, kDataBits> position{};  // data bit -> codeword position (1..136, truncated to 8 bits)
  std::array<int16_t, 256> data_bit_at{};     // syndrome -> data bit, -1 if none
  std::array<std::array<uint8_t, 256>, kDataBytes> syn{};  // per byte and value: XOR of its bits' positions
};

constexpr Tables make_tables() {
  Tables t{};
  t.data_bit_at.fill(-1);
  unsigned pos = 1;
  for (unsigned i = 0; i < kDataBits; ++i) {
    while (std::has_single_bit(pos)) ++pos;
    t.position[i] = static_cast<uint8_t>(pos);
    t.data_bit_at[pos] = static_cast<int16_t>(i);
    ++pos;
  }
  for (unsigned byte = 0; byte < kDataBytes; ++byte)
    for (unsigned v = 0; v < 256; ++v) {
      uint8_t s = 0;
      for (unsigned b = 0; b < 8; ++b)
        if (v >> b & 1u) s ^= t.position[byte * 8 + b];
      t.syn[byte][v] = s;
    }
  return t;
}
constexpr Tables kT = make_tables();

uint8_t hamming(const Word& d) {
  uint8_t s = 0;
  for (unsigned i = 0; i < kDataBytes; ++i) s ^= kT.syn[i][d[i]];
  return s;
}

unsigned parity(const Word& d) {
  unsigned p = 0;
  for (uint8_t b : d) p ^= static_cast<unsigned>(std::popcount(b));
  return p & 1u;
}

}  // namespace

unsigned data_position(unsigned data_bit) { return kT.position[data_bit]; }

uint16_t encode(const Word& data) {
  const uint8_t c = hamming(data);
  const unsigned overall = parity(data) ^ (static_cast<unsigned>(std::popcount(c)) & 1u);
  return static_cast<uint16_t>(c | overall << 8);
}

Decoded decode(Word& data, uint16_t& check) {
  const uint8_t c = static_cast<uint8_t>(check);
  const uint8_t syndrome = hamming(data) ^ c;
  const unsigned overall = parity(data) ^ (static_cast<unsigned>(std::popcount(c)) & 1u) ^ (check >> 8 & 1u);
  if (syndrome == 0 && overall == 0) return {Status::Clean, -1};
  if (overall == 0) return {Status::Uncorrectable, -1};  // even number of flips: detected, not correctable
  if (syndrome == 0) {                                   // the overall parity bit itself
    check ^= 1u << 8;
    return {Status::Corrected, 136};
  }
  if (std::has_single_bit(syndrome)) {  // one Hamming check bit
    check ^= syndrome;
    return {Status::Corrected, static_cast<int>(kDataBits + std::countr_zero(syndrome))};
  }
  const int bit = kT.data_bit_at[syndrome];
  if (bit < 0) return {Status::Uncorrectable, -1};  // points outside the codeword: three or more flips
  data[static_cast<unsigned>(bit) / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return {Status::Corrected, bit};
}

}  // namespace tsp::model::secded
