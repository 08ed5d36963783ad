#include "systemc/c2c/wire_errors.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tsp::model {
namespace {

// SplitMix64's finaliser: a good 64-bit mix, so (seed, stream, counter) gives
// independent-looking draws without any generator state to keep in order.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

WireErrors::WireErrors(const WireErrorSpec& spec, uint64_t stream) : spec_(spec), stream_(stream) {}

double WireErrors::uniform() {
  const uint64_t r = mix(mix(spec_.seed ^ mix(stream_)) + counter_++);
  return (double(r >> 11) + 0.5) * 0x1.0p-53;
}

std::vector<uint32_t> WireErrors::bits(uint32_t chip, uint16_t port, Cycle cycle, uint32_t frame_bits) {
  std::vector<uint32_t> out;
  for (const LinkFlip& f : spec_.flips)
    if (f.chip == chip && f.port == port && f.cycle == cycle) out.push_back(f.bit);
  if (spec_.ber > 0) {
    // Geometric gaps between errors over this direction's bit stream: one draw
    // per error, not one per bit.
    const double log_keep = std::log1p(-std::min(spec_.ber, 0.5));
    double at = 0;
    for (;;) {
      if (gap_ < 0) gap_ = std::floor(std::log(uniform()) / log_keep);
      if (at + gap_ >= frame_bits) {
        gap_ -= frame_bits - at;
        break;
      }
      at += gap_;
      out.push_back(static_cast<uint32_t>(at));
      at += 1;
      gap_ = -1;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double WireErrors::jitter_cycles() {
  if (!spec_.jitter) return 0;
  // Box-Muller from two draws: the same numbers with every standard library.
  const double u1 = uniform(), u2 = uniform();
  const double sigma = isa::kJitterSigmaCenticycles / 100.0;
  return sigma * std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

}  // namespace tsp::model
