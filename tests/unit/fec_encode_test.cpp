// The FEC encoder: generator, known answers, parity against a long division
// written apart (fec_reference.hpp), zero syndromes at all 2t roots.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "fec_reference.hpp"
#include "fec_test_util.hpp"

using namespace fec_test;
using tsp::fec::kParitySymbols;

TEST(FecEncode, GeneratorIsTheProductOfItsRoots) {
  const RsCodec c(26);
  const auto ref = fec_ref::generator_high_first();  // highest degree first
  ASSERT_EQ(c.generator().size(), kParitySymbols + 1);
  for (unsigned i = 0; i <= kParitySymbols; ++i) EXPECT_EQ(c.generator()[i], ref[kParitySymbols - i]) << "x^" << i;
  EXPECT_EQ(c.generator()[kParitySymbols], 1);                   // monic
  EXPECT_EQ(c.generator()[0], fec_ref::alpha_pow(29 * 30 / 2));  // prod alpha^j, j < 30
}

// Computed by tests/unit/fec_kat.py (Python, bitwise products): mini data m_i = 37 i + 5, last = 30.
TEST(FecEncode, KnownAnswerMini) {
  const RsCodec c = codec_of("mini");
  std::vector<Symbol> data;
  for (unsigned i = 0; i + 1 < c.data_symbols(); ++i) data.push_back(static_cast<Symbol>((37 * i + 5) % 1024));
  data.push_back(30);
  const std::vector<Symbol> parity = {0x290, 0x112, 0x082, 0x1b4, 0x10d, 0x15e, 0x362, 0x07f, 0x3c7, 0x06a,
                                      0x301, 0x317, 0x1f2, 0x096, 0x072, 0x1c6, 0x2e8, 0x0ca, 0x342, 0x129,
                                      0x2ac, 0x2ee, 0x3f5, 0x171, 0x039, 0x375, 0x21f, 0x073, 0x337, 0x1c2};
  const auto frame = encoded(c, data);
  EXPECT_EQ(std::vector<Symbol>(frame.begin(), frame.begin() + c.data_symbols()), data);
  EXPECT_EQ(std::vector<Symbol>(frame.begin() + c.data_symbols(), frame.end()), parity);
}

// The last data symbol alone: parity = x^2t mod g = g - x^2t, so p_l = g_(2t-1-l).
TEST(FecEncode, UnitImpulseGivesTheGenerator) {
  const RsCodec c(100);
  std::vector<Symbol> data(100, 0);
  data.back() = 1;
  const auto frame = encoded(c, data);
  for (unsigned l = 0; l < kParitySymbols; ++l) EXPECT_EQ(frame[100 + l], c.generator()[kParitySymbols - 1 - l]);
}

TEST(FecEncode, ParityMatchesLongDivisionAndSyndromesVanish) {
  std::mt19937 rng(11);
  for (unsigned k : {1u, 2u, 26u, 100u, 256u, tsp::isa::kFecK}) {
    const RsCodec c(k);
    for (int trial = 0; trial < 20; ++trial) {
      const auto data = random_payload(c, rng);
      const auto frame = encoded(c, data);
      const auto parity = fec_ref::parity(data);
      ASSERT_EQ(std::vector<Symbol>(frame.begin() + k, frame.end()), parity) << "k " << k;
      for (unsigned j = 0; j < kParitySymbols; ++j) ASSERT_EQ(fec_ref::syndrome(frame, j), 0) << "k " << k << " S" << j;
    }
  }
}

TEST(FecEncode, CodecsOfTheConfigurations) {
  for (const char* name : {"tsp1", "mini"}) {
    const auto& cfg = *tsp::isa::find_config(name);
    const RsCodec c = RsCodec::for_config(cfg);
    EXPECT_EQ(c.data_symbols(), cfg.c2c_data_symbols);
    EXPECT_EQ(c.frame_symbols(), cfg.c2c_frame_symbols);
    EXPECT_EQ(c.frame_symbols() * tsp::isa::kFecSymbolBits, cfg.c2c_frame_bits);
    EXPECT_EQ(c.payload_bits(), cfg.vector_bytes * 8);
  }
  EXPECT_EQ(codec_of("tsp1").frame_symbols(), 286u);
}

TEST(FecEncode, BadShapesAreErrors) {
  EXPECT_THROW(RsCodec(0), tsp::Error);
  EXPECT_THROW(RsCodec(tsp::isa::kFecK + 1), tsp::Error);
  EXPECT_THROW(RsCodec(26, 250), tsp::Error);  // a whole pad symbol
  EXPECT_THROW(RsCodec(26, 261), tsp::Error);
  const RsCodec c(26, 256);
  std::vector<Symbol> data(26, 0), frame(56);
  EXPECT_THROW(c.encode(std::span(data).first(25), frame), tsp::Error);
  EXPECT_THROW(c.encode(data, std::span(frame).first(55)), tsp::Error);
  data[3] = 0x400;
  EXPECT_THROW(c.encode(data, frame), tsp::Error);
  data[3] = 0;
  data[25] = 0x40;  // bit 6 of the last symbol is stream bit 256: padding
  EXPECT_THROW(c.encode(data, frame), tsp::Error);
  EXPECT_THROW(c.decode(std::span(frame).first(55)), tsp::Error);
}
