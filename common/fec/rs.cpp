// Encoder: the systematic long division by g(x), one symbol per step, on a
// 30-lane remainder register. Decoder: that same division tells a clean frame
// (received parity == parity of the received data) at the cost of an encode;
// only a dirty frame pays for syndromes, Berlekamp-Massey, Chien and Forney.
#include "common/fec/rs.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"

namespace tsp::fec {

namespace {

constexpr unsigned kT = isa::kFecT;
constexpr unsigned kLaneBits = 16;

Symbol lane(const std::array<uint64_t, 8>& r, unsigned l) {
  return static_cast<Symbol>(r[l / 4] >> (kLaneBits * (l % 4)));
}

// a * alpha^lg for a log lg < kOrder (the exp table spans two periods).
Symbol mul_by_log(Symbol a, unsigned lg) { return a == 0 ? Symbol{0} : gf::kTables.exp[gf::log(a) + lg]; }

// poly(alpha^-p), poly[i] the coefficient of x^i, by Horner from the top.
Symbol eval_at_inverse(std::span<const Symbol> poly, unsigned p) {
  const unsigned step = (kOrder - p % kOrder) % kOrder;
  Symbol acc = 0;
  for (size_t i = poly.size(); i-- > 0;) acc = mul_by_log(acc, step) ^ poly[i];
  return acc;
}

}  // namespace

RsCodec::RsCodec(unsigned data_symbols) : RsCodec(data_symbols, data_symbols * isa::kFecSymbolBits) {}

RsCodec::RsCodec(unsigned data_symbols, unsigned payload_bits) : k_(data_symbols), payload_bits_(payload_bits) {
  if (k_ == 0 || k_ > isa::kFecK)
    throw Error(fmt::format("fec: {} data symbols: a shortened RS({},{}) frame carries 1 .. {}", k_, isa::kFecN,
                            isa::kFecK, isa::kFecK));
  const unsigned capacity = k_ * isa::kFecSymbolBits;
  if (payload_bits_ > capacity || payload_bits_ + isa::kFecSymbolBits <= capacity)
    throw Error(fmt::format("fec: {} payload bits do not fill {} data symbols of {} bits up to the last one",
                            payload_bits_, k_, isa::kFecSymbolBits));
  const unsigned pad = capacity - payload_bits_;
  pad_mask_ = static_cast<Symbol>(((1u << pad) - 1) << (isa::kFecSymbolBits - pad));

  // g(x) = prod (x + alpha^(first_root + j)); minus is plus in characteristic 2.
  generator_[0] = 1;
  for (unsigned j = 0; j < kParitySymbols; ++j) {
    const Symbol root = gf::exp(isa::kFecFirstRoot + j);
    for (unsigned i = j + 1; i > 0; --i) generator_[i] = generator_[i - 1] ^ gf::mul(root, generator_[i]);
    generator_[0] = gf::mul(root, generator_[0]);
  }

  // One division step adds fb * g_(2t-1-l) to lane l; fb * g = fb_lo * g + fb_hi * g.
  for (unsigned v = 0; v < 32; ++v)
    for (unsigned l = 0; l < kParitySymbols; ++l) {
      const Symbol g = generator_[kParitySymbols - 1 - l];
      const unsigned shift = kLaneBits * (l % 4);
      times_g_lo_[v][l / 4] |= uint64_t{gf::mul(static_cast<Symbol>(v), g)} << shift;
      times_g_hi_[v][l / 4] |= uint64_t{gf::mul(static_cast<Symbol>(v << 5), g)} << shift;
    }
}

RsCodec RsCodec::for_config(const isa::Config& cfg) {
  RsCodec codec(cfg.c2c_data_symbols, cfg.vector_bytes * 8);
  if (codec.frame_symbols() != cfg.c2c_frame_symbols ||
      cfg.c2c_frame_bits != codec.frame_symbols() * isa::kFecSymbolBits)
    throw Error(
        fmt::format("fec: config {}: the table's frame ({} symbols, {} bits) is not {} data + {} parity symbols",
                    cfg.name, cfg.c2c_frame_symbols, cfg.c2c_frame_bits, codec.data_symbols(), kParitySymbols));
  return codec;
}

void RsCodec::check_symbols(std::span<const Symbol> symbols, const char* what) const {
  Symbol all = 0;
  for (Symbol s : symbols) all |= s;
  if (all > kSymbolMask)
    throw Error(fmt::format("fec: {} holds a symbol wider than {} bits", what, isa::kFecSymbolBits));
}

RsCodec::Lanes RsCodec::remainder(std::span<const Symbol> data) const {
  Lanes r{};
  for (Symbol m : data) {
    const unsigned fb = (m ^ static_cast<unsigned>(r[0])) & kSymbolMask;
    const Lanes& lo = times_g_lo_[fb & 31];
    const Lanes& hi = times_g_hi_[fb >> 5];
    for (unsigned w = 0; w + 1 < kWords; ++w)
      r[w] = ((r[w] >> kLaneBits) | (r[w + 1] << (64 - kLaneBits))) ^ lo[w] ^ hi[w];
    r[kWords - 1] = (r[kWords - 1] >> kLaneBits) ^ lo[kWords - 1] ^ hi[kWords - 1];
  }
  return r;
}

void RsCodec::encode(std::span<const Symbol> data, std::span<Symbol> frame) const {
  if (data.size() != k_ || frame.size() != frame_symbols())
    throw Error(fmt::format("fec: encode of {} data symbols into {}: the codec takes {} into {}", data.size(),
                            frame.size(), k_, frame_symbols()));
  check_symbols(data, "the data to encode");
  if (data[k_ - 1] & pad_mask_)
    throw Error(fmt::format("fec: the data to encode has pad bits set ({:#x})", data[k_ - 1]));
  const Lanes r = remainder(data);
  std::copy(data.begin(), data.end(), frame.begin());
  for (unsigned l = 0; l < kParitySymbols; ++l) frame[k_ + l] = lane(r, l);
}

DecodeResult RsCodec::decode(std::span<Symbol> frame) const {
  using enum DecodeResult::Status;
  const unsigned n = frame_symbols();
  if (frame.size() != n)
    throw Error(fmt::format("fec: decode of a {}-symbol frame: the codec's frames have {}", frame.size(), n));
  check_symbols(frame, "the frame to decode");

  // r(x) mod g(x) = received parity + parity of the received data (degree < 2t).
  const Lanes r = remainder(frame.first(k_));
  std::array<Symbol, kParitySymbols> rem;
  Symbol dirty = 0;
  for (unsigned l = 0; l < kParitySymbols; ++l) dirty |= rem[l] = lane(r, l) ^ frame[k_ + l];
  if (dirty == 0) return {(frame[k_ - 1] & pad_mask_) ? kUncorrectable : kClean, 0};

  // S_j = r(alpha^(b+j)) = rem(alpha^(b+j)) since g vanishes there. Term by term,
  // j innermost: the 30 sums are independent, and the exponent steps without a modulo.
  std::array<Symbol, kParitySymbols> s{};
  for (unsigned l = 0; l < kParitySymbols; ++l) {
    if (rem[l] == 0) continue;
    const unsigned deg = kParitySymbols - 1 - l;  // rem[l] is the coefficient of x^deg
    unsigned lg = (gf::log(rem[l]) + isa::kFecFirstRoot * deg) % kOrder;
    for (unsigned j = 0; j < kParitySymbols; ++j) {
      s[j] ^= gf::kTables.exp[lg];
      lg += deg;
      if (lg >= kOrder) lg -= kOrder;
    }
  }

  // Berlekamp-Massey: the shortest LFSR lambda (lambda[0] = 1) that generates S.
  std::array<Symbol, kParitySymbols + 1> lambda{1}, prev{1};
  unsigned len = 0, prev_len = 0, shift = 1;  // prev has degree <= prev_len
  Symbol prev_d = 1;
  for (unsigned i = 0; i < kParitySymbols; ++i) {
    Symbol d = s[i];
    for (unsigned k = 1; k <= len; ++k) d ^= gf::mul(lambda[k], s[i - k]);
    if (d == 0) {
      ++shift;
      continue;
    }
    const Symbol coef = gf::kTables.exp[gf::log(d) + kOrder - gf::log(prev_d)];
    const auto before = lambda;
    for (unsigned k = 0; k <= prev_len && k + shift <= kParitySymbols; ++k) lambda[k + shift] ^= gf::mul(coef, prev[k]);
    if (2 * len <= i) {
      prev_len = len;
      len = i + 1 - len;
      prev = before;
      prev_d = d;
      shift = 1;
    } else {
      ++shift;
    }
  }
  unsigned degree = kParitySymbols;
  while (degree > 0 && lambda[degree] == 0) --degree;
  if (len > kT || degree != len) return {kUncorrectable, 0};

  // Chien: lambda(alpha^-p) = 0 marks an error at x^p, i.e. frame index n-1-p.
  // Only the frame's positions count: a root among the shortened zeros is a failure.
  std::array<int, kT + 1> term{};  // log of lambda_k alpha^(-k p), -1 for a zero coefficient
  for (unsigned k = 1; k <= degree; ++k) term[k] = lambda[k] ? static_cast<int>(gf::log(lambda[k])) : -1;
  std::array<unsigned, kT> where{};
  unsigned roots = 0;
  for (unsigned p = 0; p < n && roots < degree; ++p) {
    Symbol v = 1;
    for (unsigned k = 1; k <= degree; ++k) {
      if (term[k] < 0) continue;
      v ^= gf::kTables.exp[term[k]];
      term[k] -= static_cast<int>(k);  // next position: times alpha^-k
      if (term[k] < 0) term[k] += static_cast<int>(kOrder);
    }
    if (v == 0) where[roots++] = p;
  }
  if (roots != degree) return {kUncorrectable, 0};

  // Forney: e = X^(1-b) omega(X^-1) / lambda'(X^-1), X = alpha^p, omega = S lambda mod x^2t.
  // A true error pattern has deg omega < deg lambda, so only those terms are formed;
  // if the rest were not zero, the syndrome check below rejects the pattern.
  std::array<Symbol, kT> omega{};
  for (unsigned i = 0; i < degree; ++i)
    for (unsigned k = 0; k <= std::min(i, degree); ++k) omega[i] ^= gf::mul(lambda[k], s[i - k]);
  std::array<Symbol, kT> dlambda{};  // formal derivative: odd terms only, lowered by one
  for (unsigned k = 1; k <= degree; k += 2) dlambda[k - 1] = lambda[k];
  std::array<Symbol, kT> value{};
  for (unsigned e = 0; e < roots; ++e) {
    const unsigned p = where[e];
    const Symbol num = eval_at_inverse(std::span(omega).first(degree), p),
                 den = eval_at_inverse(std::span(dlambda).first(degree), p);
    if (num == 0 || den == 0) return {kUncorrectable, 0};  // not an error there, or a repeated root
    const int64_t lg = int64_t{p} * (1 - int64_t{isa::kFecFirstRoot}) + gf::log(num) - gf::log(den);
    value[e] = gf::kTables.exp[static_cast<unsigned>((lg % kOrder + kOrder) % kOrder)];
  }

  // Never trust the algebra alone: the error pattern must reproduce every syndrome.
  std::array<Symbol, kParitySymbols> check{};
  for (unsigned e = 0; e < roots; ++e) {
    const unsigned p = where[e];  // < kFecN < kOrder
    unsigned lg = static_cast<unsigned>((gf::log(value[e]) + uint64_t{p} * isa::kFecFirstRoot) % kOrder);
    for (unsigned j = 0; j < kParitySymbols; ++j) {
      check[j] ^= gf::kTables.exp[lg];
      lg += p;
      if (lg >= kOrder) lg -= kOrder;
    }
  }
  if (check != s) return {kUncorrectable, 0};
  // The corrected vector's pad bits must be zero.
  Symbol last = frame[k_ - 1];
  for (unsigned e = 0; e < roots; ++e)
    if (n - 1 - where[e] == k_ - 1) last ^= value[e];
  if (last & pad_mask_) return {kUncorrectable, 0};

  for (unsigned e = 0; e < roots; ++e) frame[n - 1 - where[e]] ^= value[e];
  return {kCorrected, roots};
}

}  // namespace tsp::fec
