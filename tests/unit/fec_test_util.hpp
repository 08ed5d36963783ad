#pragma once
// Shared by the FEC tests: the codecs of both configurations and random frames.
#include <random>
#include <vector>

#include "common/fec/rs.hpp"
#include "firmware/isa/isa.hpp"

namespace fec_test {

using tsp::fec::RsCodec;
using tsp::fec::Symbol;

inline RsCodec codec_of(const char* config) { return RsCodec::for_config(*tsp::isa::find_config(config)); }

// Random data with zero pad bits, as a vector would give.
inline std::vector<Symbol> random_payload(const RsCodec& c, std::mt19937& rng) {
  std::vector<Symbol> d(c.data_symbols());
  for (auto& s : d) s = static_cast<Symbol>(rng() & tsp::fec::kSymbolMask);
  const unsigned last_bits = c.payload_bits() - (c.data_symbols() - 1) * tsp::isa::kFecSymbolBits;
  d.back() = static_cast<Symbol>(d.back() & ((1u << last_bits) - 1));
  return d;
}

inline std::vector<Symbol> encoded(const RsCodec& c, const std::vector<Symbol>& data) {
  std::vector<Symbol> f(c.frame_symbols());
  c.encode(data, f);
  return f;
}

inline Symbol random_nonzero(std::mt19937& rng) { return static_cast<Symbol>(1 + rng() % tsp::fec::kOrder); }

// `count` distinct positions of a frame of n symbols.
inline std::vector<unsigned> random_positions(unsigned n, unsigned count, std::mt19937& rng) {
  std::vector<unsigned> all(n);
  for (unsigned i = 0; i < n; ++i) all[i] = i;
  for (unsigned i = 0; i < count; ++i) std::swap(all[i], all[i + rng() % (n - i)]);
  all.resize(count);
  return all;
}

}  // namespace fec_test
