// Speed of the link FEC on tsp1 frames (ns per encode and per decode of a
// clean frame, of 1 and of 15 symbol errors, and of a frame beyond t), and
// the reliability table of docs/links.md. A measurement, not a test.
#include <time.h>

#include <cstdio>
#include <random>
#include <vector>

#include "common/fec/reliability.hpp"
#include "common/fec/rs.hpp"
#include "firmware/isa/isa.hpp"

using namespace tsp::fec;

namespace {

constexpr unsigned kPool = 512;

// Thread CPU time, as `tsp bench` measures: other jobs on the 2-core machine do not count.
double now_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

double ns_since(double t0, unsigned ops) { return (now_ns() - t0) / ops; }

// Best of 5 rounds over a pool of frames with `errors` random symbol errors; the
// frames are restored from a copy outside the timed part.
double decode_ns(const RsCodec& c, const std::vector<std::vector<Symbol>>& sent, unsigned errors, std::mt19937& rng) {
  std::vector<std::vector<Symbol>> received = sent;
  for (auto& f : received)
    for (unsigned e = 0; e < errors; ++e) f[rng() % f.size()] ^= static_cast<Symbol>(1 + rng() % kOrder);
  double best = 1e30;
  for (int round = 0; round < 5; ++round) {
    auto work = received;
    unsigned sink = 0;
    const double t0 = now_ns();
    for (auto& f : work) sink += c.decode(f).corrected_symbols;
    best = std::min(best, ns_since(t0, kPool));
    if (sink == 12345678) std::puts("");  // keeps the loop
  }
  return best;
}

}  // namespace

int main() {
  const auto& cfg = *tsp::isa::find_config("tsp1");
  const RsCodec c = RsCodec::for_config(cfg);
  std::mt19937 rng(1);
  std::vector<std::vector<Symbol>> data(kPool), frames(kPool, std::vector<Symbol>(c.frame_symbols()));
  for (auto& d : data) {
    d.resize(c.data_symbols());
    for (auto& s : d) s = static_cast<Symbol>(rng() & kSymbolMask);
  }
  double enc = 1e30;
  for (int round = 0; round < 5; ++round) {
    const double t0 = now_ns();
    for (unsigned i = 0; i < kPool; ++i) c.encode(data[i], frames[i]);
    enc = std::min(enc, ns_since(t0, kPool));
  }
  std::printf("tsp1 frame: %u data + %u parity symbols (best of 5 rounds of %u frames)\n", c.data_symbols(),
              kParitySymbols, kPool);
  std::printf("  encode                      %8.0f ns\n", enc);
  std::printf("  decode clean                %8.0f ns\n", decode_ns(c, frames, 0, rng));
  std::printf("  decode 1 symbol error       %8.0f ns\n", decode_ns(c, frames, 1, rng));
  std::printf("  decode 15 symbol errors     %8.0f ns\n", decode_ns(c, frames, tsp::isa::kFecT, rng));
  std::printf("  decode 20 (uncorrectable)   %8.0f ns\n", decode_ns(c, frames, 20, rng));

  std::printf("\nP(frame uncorrectable) at BER, %u-symbol frames (tsp1) and %u (mini):\n", c.frame_symbols(),
              tsp::isa::find_config("mini")->c2c_frame_symbols);
  for (double ber : {1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 1e-5, 1e-6, 1e-8})
    std::printf("  BER %-7.0e  %10.3e  %10.3e\n", ber, uncorrectable_frame_probability(ber, c.frame_symbols()),
                uncorrectable_frame_probability(ber, tsp::isa::find_config("mini")->c2c_frame_symbols));
  const unsigned mini_symbols = tsp::isa::find_config("mini")->c2c_frame_symbols;
  std::printf("\nLargest BER at which F frames all decode with probability 0.999 (tsp1, mini):\n");
  for (double f : {1e3, 1e5, 1e6, 1e9})
    std::printf("  F = %-6.0e  BER <= %.3e  %.3e\n", f, max_ber_for_frames(f, 0.999, c.frame_symbols()),
                max_ber_for_frames(f, 0.999, mini_symbols));
}
