// SECDED (137,128): every single flip is corrected, every double flip detected.
#include "systemc/mem/secded.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace tsp::model::secded;

namespace {

void flip(Word& d, uint16_t& c, unsigned bit) {
  if (bit < kDataBits)
    d[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  else
    c ^= static_cast<uint16_t>(1u << (bit - kDataBits));
}

Word random_word(std::mt19937& rng) {
  Word w;
  for (auto& b : w) b = static_cast<uint8_t>(rng());
  return w;
}

}  // namespace

TEST(Secded, LayoutPutsDataBetweenPowersOfTwo) {
  EXPECT_EQ(data_position(0), 3u);
  EXPECT_EQ(data_position(1), 5u);
  EXPECT_EQ(data_position(3), 7u);
  EXPECT_EQ(data_position(4), 9u);
  EXPECT_EQ(data_position(127), 136u);  // 128 data + 8 Hamming bits fill 1..136
}

TEST(Secded, CheckBitsOfKnownWords) {
  Word zero{};
  EXPECT_EQ(encode(zero), 0u);
  Word one{};
  one[0] = 1;  // data bit 0 sits at position 3 = 0b11: c0 and c1 set, plus overall parity of 3 ones = 1
  EXPECT_EQ(encode(one), 0x103u);
}

TEST(Secded, EverySingleFlipIsCorrected) {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 20; ++trial) {
    const Word good = random_word(rng);
    const uint16_t check = encode(good);
    for (unsigned bit = 0; bit < kCodeBits; ++bit) {
      Word d = good;
      uint16_t c = check;
      flip(d, c, bit);
      const Decoded r = decode(d, c);
      ASSERT_EQ(r.status, Status::Corrected) << "bit " << bit;
      EXPECT_EQ(r.flipped_bit, static_cast<int>(bit));
      EXPECT_EQ(d, good);
      EXPECT_EQ(c, check);
    }
  }
}

TEST(Secded, EveryDoubleFlipIsDetected) {
  std::mt19937 rng(2);
  const Word good = random_word(rng);
  const uint16_t check = encode(good);
  for (unsigned a = 0; a < kCodeBits; ++a)
    for (unsigned b = a + 1; b < kCodeBits; ++b) {
      Word d = good;
      uint16_t c = check;
      flip(d, c, a);
      flip(d, c, b);
      ASSERT_EQ(decode(d, c).status, Status::Uncorrectable) << a << "," << b;
    }
}

TEST(Secded, CleanWordsPass) {
  std::mt19937 rng(3);
  for (int i = 0; i < 1000; ++i) {
    Word d = random_word(rng);
    uint16_t c = encode(d);
    EXPECT_EQ(decode(d, c).status, Status::Clean);
  }
}
