// Random link frames (random_c2c.hpp). Errors are drawn as symbol errors
// (position, non-zero 10-bit value) and handed on as the frame bits they flip,
// which is all a link event carries.
#include "tb/gen/random_c2c.hpp"

#include <algorithm>
#include <map>
#include <random>

#include "common/fec/rs.hpp"

namespace tsp::gen {
namespace {

using fec::Symbol;
constexpr unsigned kT = isa::kFecT, kBits = isa::kFecSymbolBits;

// One kind per index, in a fixed cycle: half the frames correctable.
constexpr C2cErrorKind kCycle[] = {C2cErrorKind::within_t, C2cErrorKind::exactly_t,     C2cErrorKind::t_plus_1,
                                   C2cErrorKind::within_t, C2cErrorKind::near_codeword, C2cErrorKind::far_beyond,
                                   C2cErrorKind::burst,    C2cErrorKind::within_t};

// The error values at frame positions, as frame bits.
std::vector<uint32_t> to_bits(const std::map<unsigned, Symbol>& errors) {
  std::vector<uint32_t> bits;
  for (const auto& [pos, e] : errors)
    for (unsigned b = 0; b < kBits; ++b)
      if (e >> b & 1) bits.push_back(pos * kBits + b);
  return bits;
}

// `count` distinct positions of n with random non-zero values.
std::map<unsigned, Symbol> random_errors(unsigned n, unsigned count, std::mt19937_64& rng) {
  std::vector<unsigned> pos(n);
  for (unsigned p = 0; p < n; ++p) pos[p] = p;
  for (unsigned i = 0; i < count; ++i) std::swap(pos[i], pos[i + rng() % (n - i)]);  // partial Fisher-Yates
  std::map<unsigned, Symbol> e;
  for (unsigned i = 0; i < count; ++i) e[pos[i]] = static_cast<Symbol>(1 + rng() % fec::kOrder);
  return e;
}

// `count` (t < count <= 2t) of the 2t + 1 symbols of w = c x^s g(x): the
// received word lies 2t + 1 - count <= t symbols from the codeword sent + w.
// Frame symbol i is the coefficient of x^(n-1-i), so w's x^(s+j) term is at
// n - 1 - s - j, s < K.
std::map<unsigned, Symbol> near_codeword(unsigned k, unsigned count, std::mt19937_64& rng) {
  static thread_local std::map<unsigned, std::vector<Symbol>> generators;
  auto& g = generators[k];
  if (g.empty()) {
    const fec::RsCodec codec(k);
    g.assign(codec.generator().begin(), codec.generator().end());
  }
  const unsigned n = k + fec::kParitySymbols, s = unsigned(rng() % k);
  const Symbol c = static_cast<Symbol>(1 + rng() % fec::kOrder);
  std::vector<unsigned> j(g.size());
  for (unsigned i = 0; i < j.size(); ++i) j[i] = i;
  for (unsigned i = 0; i < count; ++i) std::swap(j[i], j[i + rng() % (j.size() - i)]);
  std::map<unsigned, Symbol> e;
  for (unsigned i = 0; i < count; ++i) e[n - 1 - s - j[i]] = fec::gf::mul(c, g[j[i]]);
  return e;
}

// A run of bits, first and last flipped, the rest each with probability 1/2,
// spanning at most t symbols.
std::vector<uint32_t> burst(unsigned frame_bits, std::mt19937_64& rng) {
  const unsigned len = 1 + unsigned(rng() % ((kT - 1) * kBits + 1));  // <= t symbols wherever it starts
  const unsigned start = unsigned(rng() % (frame_bits - len + 1));
  std::vector<uint32_t> bits;
  for (unsigned b = 0; b < len; ++b)
    if (b == 0 || b + 1 == len || rng() % 2) bits.push_back(start + b);
  return bits;
}

}  // namespace

const char* kind_name(C2cErrorKind k) {
  switch (k) {
    case C2cErrorKind::within_t:
      return "within t";
    case C2cErrorKind::exactly_t:
      return "exactly t";
    case C2cErrorKind::t_plus_1:
      return "t+1";
    case C2cErrorKind::near_codeword:
      return "near another codeword";
    case C2cErrorKind::far_beyond:
      return "far beyond t";
    case C2cErrorKind::burst:
      return "burst";
  }
  return "?";
}

C2cRandomFrame random_c2c_frame(const isa::Config& cfg, uint64_t seed, uint32_t index) {
  std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), index};
  std::mt19937_64 rng(seq);
  C2cRandomFrame f;
  f.kind = kCycle[index % std::size(kCycle)];
  f.payload.resize(cfg.vector_bytes);
  const unsigned fill = unsigned(rng() % 8);  // mostly random data, some all-zero and all-one vectors
  for (auto& b : f.payload) b = fill == 0 ? 0x00 : fill == 1 ? 0xFF : static_cast<uint8_t>(rng());
  const unsigned k = cfg.c2c_data_symbols, n = cfg.c2c_frame_symbols;
  switch (f.kind) {
    case C2cErrorKind::within_t:
      f.flipped = to_bits(random_errors(n, unsigned(rng() % (kT + 1)), rng));
      break;
    case C2cErrorKind::exactly_t:
      f.flipped = to_bits(random_errors(n, kT, rng));
      break;
    case C2cErrorKind::t_plus_1:
      f.flipped = to_bits(random_errors(n, kT + 1, rng));
      break;
    case C2cErrorKind::near_codeword:
      f.flipped = to_bits(near_codeword(k, kT + 1 + unsigned(rng() % kT), rng));
      break;
    case C2cErrorKind::far_beyond:
      f.flipped = to_bits(random_errors(n, 2 * kT + 1 + unsigned(rng() % (n - 2 * kT)), rng));
      break;
    case C2cErrorKind::burst:
      f.flipped = burst(cfg.c2c_frame_bits, rng);
      break;
  }
  unsigned last = ~0u;
  for (uint32_t b : f.flipped) {
    f.symbol_errors += b / kBits != last;
    last = b / kBits;
  }
  return f;
}

}  // namespace tsp::gen
