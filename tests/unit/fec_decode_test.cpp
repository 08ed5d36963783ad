// The FEC decoder: every correctable pattern is corrected with its exact
// count, every pattern beyond t is flagged, and a wrong codeword is never
// reported as clean or corrected.
#include <gtest/gtest.h>

#include "common/fec/vector_symbols.hpp"
#include "fec_test_util.hpp"

using namespace fec_test;
using Status = tsp::fec::DecodeResult::Status;

namespace {

// Adds `errors` random non-zero values at random positions, decodes, and checks
// the frame comes back as sent with the exact count.
void expect_corrected(const RsCodec& c, const std::vector<Symbol>& sent, const std::vector<unsigned>& positions,
                      std::mt19937& rng) {
  auto frame = sent;
  for (unsigned p : positions) frame[p] ^= random_nonzero(rng);
  const auto r = c.decode(frame);
  ASSERT_EQ(r.status, Status::kCorrected) << positions.size() << " errors";
  ASSERT_EQ(r.corrected_symbols, positions.size());
  ASSERT_EQ(frame, sent);
}

// Miscorrections seen: a frame beyond t reported clean/corrected with other data than sent.
struct BeyondT {
  unsigned flagged = 0, miscorrected = 0;
};

void decode_beyond_t(const RsCodec& c, std::vector<Symbol> received, const std::vector<Symbol>& sent, BeyondT& tally) {
  const auto before = received;
  const auto r = c.decode(received);
  if (r.status == Status::kUncorrectable) {
    ++tally.flagged;
    EXPECT_EQ(received, before) << "an uncorrectable frame must be left as it came";
  } else if (received != sent) {
    ++tally.miscorrected;
  }
}

}  // namespace

TEST(FecDecode, CleanFrameIsClean) {
  std::mt19937 rng(1);
  for (const char* cfg : {"tsp1", "mini"}) {
    const RsCodec c = codec_of(cfg);
    auto frame = encoded(c, random_payload(c, rng));
    const auto sent = frame;
    const auto r = c.decode(frame);
    EXPECT_EQ(r.status, Status::kClean);
    EXPECT_EQ(r.corrected_symbols, 0u);
    EXPECT_EQ(frame, sent);
  }
}

TEST(FecDecode, EverySingleSymbolErrorAtEveryPosition) {
  std::mt19937 rng(2);
  for (const char* cfg : {"mini", "tsp1"}) {
    const RsCodec c = codec_of(cfg);
    const auto sent = encoded(c, random_payload(c, rng));
    for (unsigned p = 0; p < c.frame_symbols(); ++p)
      for (Symbol e : {Symbol(1), Symbol(0x200), Symbol(0x3ff), random_nonzero(rng), random_nonzero(rng)}) {
        auto frame = sent;
        frame[p] ^= e;
        const auto r = c.decode(frame);
        ASSERT_EQ(r.status, Status::kCorrected) << cfg << " position " << p << " error " << e;
        ASSERT_EQ(r.corrected_symbols, 1u);
        ASSERT_EQ(frame, sent) << cfg << " position " << p << " error " << e;
      }
  }
}

TEST(FecDecode, EveryPairOfPositionsOnMini) {
  std::mt19937 rng(3);
  const RsCodec c = codec_of("mini");
  const auto sent = encoded(c, random_payload(c, rng));
  for (unsigned a = 0; a < c.frame_symbols(); ++a)
    for (unsigned b = a + 1; b < c.frame_symbols(); ++b) expect_corrected(c, sent, {a, b}, rng);
}

TEST(FecDecode, RandomPatternsOfThreeToFifteenErrors) {
  std::mt19937 rng(4);
  unsigned frames = 0;
  for (const char* cfg : {"tsp1", "mini"}) {
    const RsCodec c = codec_of(cfg);
    for (unsigned errors = 3; errors <= tsp::isa::kFecT; ++errors)
      for (int trial = 0; trial < 300; ++trial, ++frames) {
        const auto sent = encoded(c, random_payload(c, rng));
        expect_corrected(c, sent, random_positions(c.frame_symbols(), errors, rng), rng);
      }
  }
  std::printf("corrected %u frames of 3..15 symbol errors, each with its exact count\n", frames);
}

TEST(FecDecode, SixteenToFortyErrorsAreFlaggedNeverMiscorrected) {
  std::mt19937 rng(5);
  for (const char* cfg : {"tsp1", "mini"}) {
    const RsCodec c = codec_of(cfg);
    BeyondT tally;
    unsigned frames = 0;
    for (unsigned errors = tsp::isa::kFecT + 1; errors <= 40; ++errors)
      for (int trial = 0; trial < 200; ++trial, ++frames) {
        const auto sent = encoded(c, random_payload(c, rng));
        auto frame = sent;
        for (unsigned p : random_positions(c.frame_symbols(), errors, rng)) frame[p] ^= random_nonzero(rng);
        decode_beyond_t(c, frame, sent, tally);
      }
    std::printf("%s: %u frames of 16..40 errors: %u flagged uncorrectable, %u miscorrected\n", cfg, frames,
                tally.flagged, tally.miscorrected);
    EXPECT_EQ(tally.miscorrected, 0u);
    EXPECT_EQ(tally.flagged, frames);
  }
}

TEST(FecDecode, GarbageFramesAreFlagged) {
  std::mt19937 rng(6);
  for (const char* cfg : {"tsp1", "mini"}) {
    const RsCodec c = codec_of(cfg);
    BeyondT tally;
    const unsigned frames = 3000;
    for (unsigned i = 0; i < frames; ++i) {
      std::vector<Symbol> garbage(c.frame_symbols());
      for (auto& s : garbage) s = static_cast<Symbol>(rng() & tsp::fec::kSymbolMask);
      // No data was sent: any clean or corrected result is a miscorrection.
      decode_beyond_t(c, garbage, {}, tally);
    }
    std::printf("%s: %u garbage frames: %u flagged uncorrectable, %u taken for codewords\n", cfg, frames, tally.flagged,
                tally.miscorrected);
    EXPECT_EQ(tally.miscorrected, 0u);
  }
}

TEST(FecDecode, PadBitsMustComeOutZero) {
  std::mt19937 rng(7);
  const RsCodec mini = codec_of("mini");
  const RsCodec no_pad(mini.data_symbols());  // the same code with the pad bits as payload
  ASSERT_EQ(mini.payload_bits() % tsp::isa::kFecSymbolBits, 6u);
  auto data = random_payload(mini, rng);

  // A codeword whose pad bits are set: valid for the code, not a vector.
  data.back() |= 0x200;
  const auto padded = encoded(no_pad, data);
  auto frame = padded;
  EXPECT_EQ(mini.decode(frame).status, Status::kUncorrectable);
  EXPECT_EQ(frame, padded);
  frame[3] ^= 0x55;  // and with an error elsewhere
  EXPECT_EQ(mini.decode(frame).status, Status::kUncorrectable);

  // A flipped pad bit on the wire is an ordinary error: corrected back to zero.
  data.back() &= 0x3f;
  const auto sent = encoded(mini, data);
  frame = sent;
  tsp::fec::flip_frame_bit(frame, (mini.data_symbols() - 1) * tsp::isa::kFecSymbolBits + 8);
  const auto r = mini.decode(frame);
  EXPECT_EQ(r.status, Status::kCorrected);
  EXPECT_EQ(frame, sent);
}
