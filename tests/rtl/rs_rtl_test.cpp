// The chip-to-chip link FEC RTL (rtl/c2c/tsp_rs_enc.sv, tsp_rs_dec.sv) frame by
// frame against the C++ codec (tsp::fec::RsCodec), for the tsp1 and the mini
// frame: encoder frames; seeded constrained-random frames with every error
// count 0..t (verdict, count and data equal to C++'s, and the original data)
// and beyond t (16..2t: random errors flagged by both; errors placed near
// another codeword miscorrected identically by both); markers, gaps and the
// decoder's documented latency. The same run on the RTL built with its planted
// bug (TSP_PLANT_BUG_RS) must find divergences.
//
// Besides the C++ codec, the test has its own small reference: GF(2^m) by log
// tables, parity by long division, and the frames' known error patterns.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tb/cosim/rtl_coverage.hpp"
#include "Vtsp_rs_mini.h"
#include "Vtsp_rs_mini_planted.h"
#include "Vtsp_rs_tsp1.h"
#include "Vtsp_rs_tsp1_planted.h"
#include "common/fec/rs.hpp"
#include "tsp/isa_gen.hpp"
#include "verilated.h"

namespace {

namespace isa = tsp::isa;
using Sym = uint16_t;
using Frame = std::vector<Sym>;

constexpr unsigned kBits = isa::kFecSymbolBits;
constexpr unsigned kOrder = (1u << kBits) - 1;
constexpr unsigned kParity = isa::kFecN - isa::kFecK;
constexpr unsigned kT = isa::kFecT;

// ---- the reference ----------------------------------------------------------

struct Field {
  std::vector<Sym> exp = std::vector<Sym>(2 * kOrder);
  std::vector<unsigned> log = std::vector<unsigned>(kOrder + 1);
  Field() {
    unsigned a = 1;
    for (unsigned i = 0; i < kOrder; ++i) {
      exp[i] = exp[i + kOrder] = static_cast<Sym>(a);
      log[a] = i;
      a <<= 1;
      if (a >> kBits) a ^= isa::kFecPoly;
    }
  }
  Sym mul(Sym a, Sym b) const { return a && b ? exp[log[a] + log[b]] : Sym{0}; }
  Sym alpha(unsigned e) const { return exp[e % kOrder]; }
};
const Field gf;

// g(x) from the top: gen[0] = 1 is the coefficient of x^kParity.
std::vector<Sym> generator() {
  std::vector<Sym> g{1};
  for (unsigned j = 0; j < kParity; ++j) {
    const Sym root = gf.alpha(isa::kFecFirstRoot + j);
    std::vector<Sym> next(g.size() + 1, 0);
    for (size_t i = 0; i < g.size(); ++i) {
      next[i] ^= g[i];                      // x * g
      next[i + 1] ^= gf.mul(root, g[i]);    // root * g
    }
    g = next;
  }
  return g;
}

// The frame of `data`: data then m(x) x^2t mod g(x) by long division.
Frame encode(const Frame& data) {
  static const std::vector<Sym> g = generator();
  Frame f = data;
  f.resize(data.size() + kParity, 0);
  for (size_t i = 0; i < data.size(); ++i) {
    const Sym q = f[i];
    if (q == 0) continue;
    for (size_t j = 0; j < g.size(); ++j) f[i + j] ^= gf.mul(q, g[j]);
  }
  std::copy(data.begin(), data.end(), f.begin());
  return f;
}

// ---- the RTL ------------------------------------------------------------------

struct Decoded {
  Frame data;
  bool corrected = false, uncorrectable = false;
  unsigned count = 0;
  long latency = 0;  // cycles from the frame's last symbol accepted to the first out
  long period = 0;   // cycles from its first symbol accepted to ready for the next
  std::string protocol;  // what was wrong with markers, gaps or status, if anything
};

template <class V>
class RsRtl {
 public:
  RsRtl() : ctx_(std::make_unique<VerilatedContext>()), v_(std::make_unique<V>(ctx_.get())) {
    v_->clk_i = 0;
    v_->rst_ni = 0;
    v_->enc_in_valid_i = 0;
    v_->dec_in_valid_i = 0;
    v_->eval();
    tick();
    v_->rst_ni = 1;
    v_->eval();
  }
  ~RsRtl() { v_->final(); }

  unsigned data_symbols() const { return v_->data_symbols_o; }
  unsigned frame_symbols() const { return data_symbols() + kParity; }

  // Feeds the decoder `frame` and the encoder its first half (a frame cut
  // short), then idles `idle` cycles; returns whether the decoder was
  // emitting (out_valid_o) in the last of them.
  bool feed_part(const Frame& frame, unsigned idle) {
    for (size_t i = 0; i < frame.size(); ++i) {
      v_->enc_in_valid_i = i < frame.size() / 2;
      v_->dec_in_valid_i = 1;
      v_->enc_in_sym_i = v_->dec_in_sym_i = frame[i];
      tick();
    }
    v_->enc_in_valid_i = v_->dec_in_valid_i = 0;
    bool emitting = false;
    for (unsigned c = 0; c < idle; ++c) {
      tick();
      emitting = v_->dec_out_valid_o;
    }
    return emitting;
  }
  // A reset pulse between clock edges (rst_ni falls, then rises): the
  // asynchronous reset must clear every output at once. Returns what is left
  // high, "" when nothing.
  std::string pulse_reset() {
    v_->rst_ni = 0;
    v_->eval();
    std::string left;
    if (v_->enc_out_valid_o || v_->enc_out_first_o || v_->enc_out_last_o || v_->enc_out_parity_o || v_->enc_out_sym_o)
      left += "encoder outputs; ";
    if (!v_->enc_in_ready_o || !v_->dec_in_ready_o) left += "not ready; ";
    if (v_->dec_out_valid_o || v_->dec_out_first_o || v_->dec_out_last_o || v_->dec_out_corrected_o ||
        v_->dec_out_uncorrectable_o || v_->dec_out_count_o || v_->dec_out_sym_o)
      left += "decoder outputs; ";
    v_->rst_ni = 1;
    v_->eval();
    return left;
  }

  // Feeds `data` to the encoder, one symbol a cycle as it is ready; the frame out.
  Frame encode(const Frame& data, long* latency, long* period, std::string* protocol) {
    Frame out;
    size_t i = 0;
    long first_in = -1, first_out = -1;
    const long begin = cycle_;
    while (out.size() < frame_symbols() && cycle_ - begin < 4 * long(frame_symbols()) + 16) {
      v_->enc_in_valid_i = i < data.size();
      v_->enc_in_sym_i = i < data.size() ? data[i] : 0;
      v_->eval();
      if (v_->enc_in_valid_i && v_->enc_in_ready_o) {
        if (i++ == 0) first_in = cycle_;
      }
      tick();
      if (v_->enc_out_valid_o) {
        const size_t at = out.size();
        if (at == 0) first_out = cycle_;
        if (bool(v_->enc_out_first_o) != (at == 0) || bool(v_->enc_out_last_o) != (at + 1 == frame_symbols()) ||
            bool(v_->enc_out_parity_o) != (at >= data_symbols()))
          *protocol += "encoder markers wrong at symbol " + std::to_string(at) + "; ";
        if (long(at) != cycle_ - first_out) *protocol += "encoder gap before symbol " + std::to_string(at) + "; ";
        out.push_back(v_->enc_out_sym_o);
      }
    }
    v_->enc_in_valid_i = 0;
    v_->eval();
    if (!v_->enc_in_ready_o) *protocol += "encoder not ready after its frame; ";
    *latency = first_out - first_in;
    *period = cycle_ - first_in;
    return out;
  }

  Decoded decode(const Frame& frame) {
    Decoded d;
    size_t i = 0;
    long first_in = -1, last_in = -1, first_out = -1;
    const long begin = cycle_;
    while (d.data.size() < data_symbols() && cycle_ - begin < 8 * long(frame_symbols()) + 256) {
      v_->dec_in_valid_i = i < frame.size();
      v_->dec_in_sym_i = i < frame.size() ? frame[i] : 0;
      v_->eval();
      if (v_->dec_in_valid_i && v_->dec_in_ready_o) {
        if (i == 0) first_in = cycle_;
        last_in = cycle_;
        ++i;
      }
      tick();
      if (v_->dec_out_valid_o) {
        const size_t at = d.data.size();
        if (at == 0) {
          first_out = cycle_;
          d.corrected = v_->dec_out_corrected_o;
          d.uncorrectable = v_->dec_out_uncorrectable_o;
          d.count = v_->dec_out_count_o;
        }
        if (bool(v_->dec_out_first_o) != (at == 0) || bool(v_->dec_out_last_o) != (at + 1 == data_symbols()))
          d.protocol += "decoder markers wrong at symbol " + std::to_string(at) + "; ";
        if (long(at) != cycle_ - first_out) d.protocol += "decoder gap before symbol " + std::to_string(at) + "; ";
        if (d.corrected != bool(v_->dec_out_corrected_o) || d.uncorrectable != bool(v_->dec_out_uncorrectable_o) ||
            d.count != v_->dec_out_count_o)
          d.protocol += "decoder status changed within the frame; ";
        d.data.push_back(v_->dec_out_sym_o);
      }
    }
    v_->dec_in_valid_i = 0;
    v_->eval();
    if (d.data.size() != data_symbols()) d.protocol += "decoder gave " + std::to_string(d.data.size()) + " symbols; ";
    if (!v_->dec_in_ready_o) d.protocol += "decoder not ready in its last symbol's cycle; ";
    d.latency = first_out - last_in;
    d.period = cycle_ - first_in;
    return d;
  }

 private:
  void tick() {
    v_->clk_i = 1;
    v_->eval();
    v_->clk_i = 0;
    v_->eval();
    ++cycle_;
  }
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<V> v_;
  tsp::cosim::CoverageSaver coverage_{ctx_.get(), "c2c", v_->modelName()};  // dies before v_
  long cycle_ = 0;
};

// ---- the comparison -------------------------------------------------------------

struct Divergences {
  int count = 0;
  std::string first;  // what differed first
  long enc_period = 0, dec_latency = 0, dec_period = 0;
  int frames = 0, corrected = 0, uncorrectable = 0, miscorrected = 0;
};

std::string where(unsigned seed, unsigned errors) {
  return "seed " + std::to_string(seed) + ", " + std::to_string(errors) + " errors: ";
}

// `errors` distinct positions of the frame with random non-zero values; seeds
// 0 and 1 always hit the first and the last position.
Frame corrupt(const Frame& f, unsigned errors, unsigned seed, std::mt19937& rng) {
  std::vector<unsigned> pos(f.size());
  for (unsigned p = 0; p < pos.size(); ++p) pos[p] = p;
  std::shuffle(pos.begin(), pos.end(), rng);
  if (seed < 2 && errors >= 2) {
    std::iter_swap(pos.begin(), std::find(pos.begin(), pos.end(), 0u));
    std::iter_swap(pos.begin() + 1, std::find(pos.begin(), pos.end(), unsigned(f.size() - 1)));
  }
  Frame r = f;
  for (unsigned e = 0; e < errors; ++e) r[pos[e]] ^= static_cast<Sym>(1 + rng() % kOrder);
  return r;
}

// t < errors <= 2t symbols of a minimum-weight codeword w = c x^s g(x) (2t + 1
// non-zero symbols) added to f: the received word is 2t + 1 - errors <= t
// symbols from the codeword f + w, so a decoder must miscorrect to it.
Frame near_other_codeword(const Frame& f, unsigned k, unsigned errors, std::mt19937& rng) {
  static const std::vector<Sym> g = generator();  // from the top
  const unsigned s = rng() % k;                   // wire index of w's top symbol: k - 1 - s
  const Sym c = static_cast<Sym>(1 + rng() % kOrder);
  std::vector<unsigned> pick(g.size());
  for (unsigned j = 0; j < pick.size(); ++j) pick[j] = j;
  std::shuffle(pick.begin(), pick.end(), rng);
  Frame r = f;
  for (unsigned e = 0; e < errors; ++e) r[k - 1 - s + pick[e]] ^= gf.mul(c, g[pick[e]]);
  return r;
}

std::string verdict(bool corrected, bool uncorrectable, unsigned count) {
  return uncorrectable ? "uncorrectable" : corrected ? "corrected " + std::to_string(count) : "clean";
}

// Seeds x error counts 0 .. 2t, one frame each, RTL against the C++ codec
// (RsCodec(K): every bit of the data symbols is payload, the RTL's view) and
// against the test's own reference. Beyond t, odd seeds take errors that must
// miscorrect (near_other_codeword), even seeds random ones.
template <class V>
Divergences divergences(unsigned seeds) {
  RsRtl<V> rtl;
  Divergences d;
  auto report = [&](const std::string& what) {
    if (d.count++ == 0) d.first = what;
  };
  const unsigned k = rtl.data_symbols(), n = rtl.frame_symbols();
  const tsp::fec::RsCodec codec(k);
  for (unsigned seed = 0; seed < seeds; ++seed) {
    for (unsigned errors = 0; errors <= kParity; ++errors) {
      std::mt19937 rng(1000 * seed + errors);
      Frame data(k);
      for (auto& s : data) s = static_cast<Sym>(rng() & kOrder);
      const Frame want = encode(data);
      Frame cpp(n);
      codec.encode(data, cpp);
      if (cpp != want) report(where(seed, errors) + "the C++ codec and the test's long division disagree");
      long latency = 0, period = 0;
      std::string protocol;
      const Frame got = rtl.encode(data, &latency, &period, &protocol);
      d.enc_period = period;
      if (!protocol.empty()) report(where(seed, errors) + protocol);
      if (latency != 1) report(where(seed, errors) + "encoder latency " + std::to_string(latency));
      if (got != cpp) report(where(seed, errors) + "encoder frame differs from the C++ codec's");

      const bool must_miscorrect = errors > kT && seed % 2 == 1;
      const Frame received = must_miscorrect ? near_other_codeword(want, k, errors, rng) : corrupt(want, errors, seed, rng);
      const Decoded r = rtl.decode(received);
      Frame fixed = received;
      const tsp::fec::DecodeResult c = codec.decode(fixed);
      using S = tsp::fec::DecodeResult::Status;
      ++d.frames;
      d.dec_latency = r.latency;
      d.dec_period = r.period;
      if (!r.protocol.empty()) report(where(seed, errors) + r.protocol);
      // RTL == C++: verdict, count, data.
      const Frame cpp_data(fixed.begin(), fixed.begin() + k);
      if (r.corrected != (c.status == S::kCorrected) || r.uncorrectable != (c.status == S::kUncorrectable) ||
          r.count != c.corrected_symbols || r.data != cpp_data)
        report(where(seed, errors) + "RTL " + verdict(r.corrected, r.uncorrectable, r.count) + ", C++ " +
               verdict(c.status == S::kCorrected, c.status == S::kUncorrectable, c.corrected_symbols) +
               (r.data == cpp_data ? "" : "; data differs"));
      // And what the frame's making says.
      const Frame received_data(received.begin(), received.begin() + k);
      if (errors <= kT) {
        if (r.data != data || r.uncorrectable || r.corrected != (errors > 0) || r.count != errors)
          report(where(seed, errors) + "decoded " + verdict(r.corrected, r.uncorrectable, r.count) +
                 (r.data == data ? "" : ", data differs"));
        d.corrected += errors > 0;
      } else if (must_miscorrect) {
        ++d.miscorrected;
        const Frame cw = encode(r.data);
        unsigned changed = 0;
        for (unsigned p = 0; p < n; ++p) changed += cw[p] != received[p];
        if (!r.corrected || r.count != kParity + 1 - errors || changed != r.count)
          report(where(seed, errors) + "near another codeword: " + verdict(r.corrected, r.uncorrectable, r.count) +
                 ", to a word " + std::to_string(changed) + " symbols away");
      } else {
        ++d.uncorrectable;
        if (!r.uncorrectable || r.count != 0 || r.data != received_data)
          report(where(seed, errors) + "random beyond t: " + verdict(r.corrected, r.uncorrectable, r.count) +
                 (r.data == received_data ? "" : ", data changed"));
      }
    }
  }
  return d;
}

long documented_latency(unsigned frame_symbols) { return 2 * kParity + kT + frame_symbols + 6; }

template <class V>
void expect_matches(const isa::Config& cfg) {
  const Divergences d = divergences<V>(4);
  EXPECT_EQ(d.count, 0) << cfg.name << ": first divergence: " << d.first;
  const unsigned k = cfg.c2c_data_symbols, n = cfg.c2c_frame_symbols;
  EXPECT_EQ(d.enc_period, long(n)) << cfg.name;
  EXPECT_EQ(d.dec_latency, documented_latency(n)) << cfg.name;
  EXPECT_EQ(d.dec_period, long(n) + documented_latency(n) + long(k) - 2) << cfg.name;
  EXPECT_GT(d.uncorrectable, 0) << cfg.name;
  EXPECT_GT(d.miscorrected, 0) << cfg.name;
  std::printf("%s: %d frames, %d corrected, %d beyond t flagged, %d beyond t miscorrected as they must; encode %ld cycles, decode latency %ld, "
              "decode %ld cycles a frame\n",
              std::string(cfg.name).c_str(), d.frames, d.corrected, d.uncorrectable, d.miscorrected, d.enc_period,
              d.dec_latency, d.dec_period);
}

const isa::Config& config(std::string_view name) {
  for (const auto& c : isa::kConfigs)
    if (c.name == name) return c;
  throw std::runtime_error("no configuration " + std::string(name));
}

}  // namespace

TEST(RsRtl, Tsp1FrameMatchesTheCodec) {
  RsRtl<Vtsp_rs_tsp1> probe;
  ASSERT_EQ(probe.data_symbols(), config("tsp1").c2c_data_symbols);
  expect_matches<Vtsp_rs_tsp1>(config("tsp1"));
}

TEST(RsRtl, MiniFrameMatchesTheCodec) {
  RsRtl<Vtsp_rs_mini> probe;
  ASSERT_EQ(probe.data_symbols(), config("mini").c2c_data_symbols);
  expect_matches<Vtsp_rs_mini>(config("mini"));
}

// A reset pulse in the middle of a frame (encoder halfway through its data,
// decoder while it emits a corrected frame, and again while it searches)
// clears every output and every register a frame leaves behind: the next
// frames encode and decode as from power-up (clean: not corrected, count 0).
// Every harness holds rst_ni low from time 0, so only this runs the
// asynchronous reset branches (docs/coverage.md).
template <class V>
std::string reset_mid_frame() {
  RsRtl<V> rtl;
  const unsigned k = rtl.data_symbols();
  std::mt19937 rng(77);
  std::string out;
  for (unsigned idle : {2 * kParity + kT + 2, unsigned(documented_latency(rtl.frame_symbols()) + 3)}) {
    Frame data(k);
    for (auto& s : data) s = static_cast<Sym>(rng() & kOrder);
    const Frame dirty = corrupt(encode(data), kT, 0, rng);
    const bool emitting = rtl.feed_part(dirty, idle);
    if (idle > documented_latency(rtl.frame_symbols()) && !emitting) out += "decoder not emitting before the reset; ";
    if (auto left = rtl.pulse_reset(); !left.empty()) out += "after reset: " + left;
    for (auto& s : data) s = static_cast<Sym>(rng() & kOrder);
    long latency = 0, period = 0;
    std::string protocol;
    if (rtl.encode(data, &latency, &period, &protocol) != encode(data)) out += "encoder frame after reset differs; ";
    const Decoded d = rtl.decode(encode(data));
    if (d.data != data || d.corrected || d.uncorrectable || d.count != 0)
      out += "clean frame after reset decoded " + verdict(d.corrected, d.uncorrectable, d.count) + "; ";
    out += protocol + d.protocol;
  }
  return out;
}

TEST(RsRtl, ResetPulseMidFrameClearsEveryRegister) {
  EXPECT_EQ(reset_mid_frame<Vtsp_rs_tsp1>(), "");
  EXPECT_EQ(reset_mid_frame<Vtsp_rs_mini>(), "");
}

TEST(RsRtl, CatchesThePlantedBug) {
  // The planted RTL starts the Chien search one position off: corrections land
  // on the next symbol, an error in the last one goes unfound. Of one seed's 30
  // frames with errors, only those whose errors all sit in parity (moved to the
  // next parity symbol, data untouched) may pass, for both sizes.
  for (const Divergences& d : {divergences<Vtsp_rs_tsp1_planted>(1), divergences<Vtsp_rs_mini_planted>(1)}) {
    EXPECT_GT(d.count, 10) << "first divergence: " << d.first;
  }
}
