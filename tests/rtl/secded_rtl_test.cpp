// The MEM unit's SECDED RTL against the model's SECDED (systemc/mem/secded):
// check bits of random words, and the decoder's verdict and correction for
// every single flip and every double flip of sample words, and for random
// triple flips (beyond SECDED: miscorrected or flagged, as the model does). The same test run
// on RTL built with a planted bug (TSP_PLANT_BUG_SECDED) must find divergences.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "tb/cosim/rtl_coverage.hpp"
#include "Vsecded.h"
#include "Vsecded_planted.h"
#include "systemc/mem/secded.hpp"
#include "verilated.h"

namespace {

using namespace tsp::model::secded;

template <class Rtl>
class SecdedRtl {
 public:
  SecdedRtl() : ctx_(std::make_unique<VerilatedContext>()), rtl_(std::make_unique<Rtl>(ctx_.get())) {}
  ~SecdedRtl() { rtl_->final(); }

  uint16_t encode(const Word& w) {
    set(rtl_->enc_data_i, w);
    rtl_->eval();
    return static_cast<uint16_t>(rtl_->enc_check_o);
  }
  Decoded decode(Word& w, uint16_t& check) {
    set(rtl_->dec_data_i, w);
    rtl_->dec_check_i = check;
    rtl_->eval();
    for (unsigned i = 0; i < kDataBytes; ++i) w[i] = static_cast<uint8_t>(rtl_->dec_data_o[i / 4] >> (8 * (i % 4)));
    check = static_cast<uint16_t>(rtl_->dec_check_o);
    const Status s = rtl_->dec_uncorrectable_o ? Status::Uncorrectable
                     : rtl_->dec_corrected_o   ? Status::Corrected
                                               : Status::Clean;
    return {s, -1};
  }

 private:
  template <class Wide>
  static void set(Wide& port, const Word& w) {
    for (unsigned i = 0; i < 4; ++i)
      port[i] = uint32_t(w[4 * i]) | uint32_t(w[4 * i + 1]) << 8 | uint32_t(w[4 * i + 2]) << 16 |
                uint32_t(w[4 * i + 3]) << 24;
  }
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Rtl> rtl_;
  tsp::cosim::CoverageSaver coverage_{ctx_.get(), "mem", rtl_->modelName()};  // dies before rtl_
};

std::string hex(const Word& w) {
  std::string s;
  for (int i = kDataBytes - 1; i >= 0; --i) s += "0123456789abcdef"[w[i] >> 4], s += "0123456789abcdef"[w[i] & 15];
  return s;
}

void flip(Word& d, uint16_t& c, unsigned bit) {
  if (bit < kDataBits)
    d[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  else
    c ^= static_cast<uint16_t>(1u << (bit - kDataBits));
}

struct Divergences {
  int count = 0;
  std::string first;  // what differed first, with the values
};

// Compares RTL and model over every case.
template <class Rtl>
Divergences divergences() {
  SecdedRtl<Rtl> rtl;
  std::mt19937 rng(7);
  Divergences d;
  auto report = [&](const std::string& what) {
    if (d.count++ == 0) d.first = what;
  };
  std::vector<Word> words;
  for (int n = 0; n < 2000; ++n) {
    Word w;
    for (auto& b : w) b = static_cast<uint8_t>(rng());
    words.push_back(w);
    const uint16_t want = encode(w), got = rtl.encode(w);
    if (got != want)
      report("encode " + hex(w) + ": RTL check 0x" + std::to_string(got) + ", model 0x" + std::to_string(want));
  }
  for (int n = 0; n < 4; ++n) {
    const Word good = words[size_t(n)];
    const uint16_t check = encode(good);
    for (unsigned a = 0; a < kCodeBits; ++a)
      for (unsigned b = a; b < kCodeBits; ++b) {  // b == a: a single flip
        Word dm = good, dr = good;
        uint16_t cm = check, cr = check;
        flip(dm, cm, a), flip(dr, cr, a);
        if (b != a) flip(dm, cm, b), flip(dr, cr, b);
        const Status sm = decode(dm, cm).status, sr = rtl.decode(dr, cr).status;
        if (sm != sr || dm != dr || cm != cr)
          report("decode " + hex(good) + " with bits " + std::to_string(a) + "," + std::to_string(b) +
                 " flipped: RTL status " + std::to_string(int(sr)) + " data " + hex(dr) + ", model status " +
                 std::to_string(int(sm)) + " data " + hex(dm));
      }
  }
  // Three flipped bits (odd parity, beyond SECDED): the syndrome names a data
  // bit (miscorrected), a check bit, or no position at all (uncorrectable);
  // the RTL must take the same branch as the model on random triples.
  for (int n = 0; n < 4000; ++n) {
    const Word good = words[size_t(n % 4)];
    const uint16_t check = encode(good);
    unsigned bit[3];
    do {
      for (auto& x : bit) x = unsigned(rng() % kCodeBits);
    } while (bit[0] == bit[1] || bit[1] == bit[2] || bit[0] == bit[2]);
    Word dm = good, dr = good;
    uint16_t cm = check, cr = check;
    for (unsigned x : bit) flip(dm, cm, x), flip(dr, cr, x);
    const Status sm = decode(dm, cm).status, sr = rtl.decode(dr, cr).status;
    if (sm != sr || dm != dr || cm != cr)
      report("decode " + hex(good) + " with bits " + std::to_string(bit[0]) + "," + std::to_string(bit[1]) + "," +
             std::to_string(bit[2]) + " flipped: RTL status " + std::to_string(int(sr)) + ", model status " +
             std::to_string(int(sm)));
  }
  return d;
}

}  // namespace

TEST(SecdedRtl, MatchesTheModelOnEncodeAndEveryOneOrTwoBitFlip) {
  const Divergences d = divergences<Vsecded>();
  EXPECT_EQ(d.count, 0) << "first divergence: " << d.first;
}

TEST(SecdedRtl, CatchesThePlantedBug) {
  // The planted RTL swaps two data bits' positions: the comparison must see it
  // and say where.
  const Divergences d = divergences<Vsecded_planted>();
  EXPECT_GT(d.count, 100);
  EXPECT_EQ(d.first.rfind("encode ", 0), 0u) << d.first;
}
