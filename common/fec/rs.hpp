#pragma once
// The link FEC: isa.toml's RS(544,514) over GF(2^10), shortened to the data
// symbols of one vector (docs/links.md, "FEC", states the conventions bit by
// bit; the RTL implements the same). A frame on the wire is the K data symbols
// m_0 .. m_{K-1} then the 2t parity symbols p_0 .. p_{2t-1}; m_0 is the
// codeword polynomial's highest coefficient, p_{2t-1} its x^0 coefficient.
#include <array>
#include <cstdint>
#include <span>

#include "common/fec/gf.hpp"
#include "tsp/isa_gen.hpp"

namespace tsp::fec {

inline constexpr unsigned kParitySymbols = 2 * isa::kFecT;  // 30: the generator's degree
static_assert(isa::kFecN - isa::kFecK == kParitySymbols, "isa.toml [c2c]: n - k must be 2t");
static_assert(isa::kFecN <= kOrder, "a Reed-Solomon codeword is at most 2^m - 1 symbols");

struct DecodeResult {
  enum Status { kClean, kCorrected, kUncorrectable };
  Status status = kClean;
  unsigned corrected_symbols = 0;  // symbols changed in the frame (0 unless kCorrected)
};

class RsCodec {
 public:
  // K data symbols, all bits carry payload.
  explicit RsCodec(unsigned data_symbols);
  // K data symbols whose first payload_bits bits carry payload: the last
  // symbol's remaining high bits are padding that must be zero.
  RsCodec(unsigned data_symbols, unsigned payload_bits);
  // The codec of one configuration's link frame: a vector of cfg.vector_bytes.
  static RsCodec for_config(const isa::Config& cfg);

  unsigned data_symbols() const { return k_; }
  unsigned frame_symbols() const { return k_ + kParitySymbols; }
  unsigned payload_bits() const { return payload_bits_; }
  // g(x) = prod_{j<2t} (x - alpha^(first_root + j)): generator()[i] is the coefficient of x^i; [2t] = 1.
  std::span<const Symbol> generator() const { return generator_; }

  // frame = data then parity; data.size() == K, frame.size() == K + 2t.
  void encode(std::span<const Symbol> data, std::span<Symbol> frame) const;
  // Corrects the frame in place. An uncorrectable frame is left as it came.
  DecodeResult decode(std::span<Symbol> frame) const;

 private:
  // The remainder register: 32 lanes of 16 bits, four to a word; lane l holds
  // the coefficient of x^(2t-1-l), so lane 0 is the next one shifted out.
  static constexpr unsigned kLanes = 32, kWords = kLanes / 4;
  using Lanes = std::array<uint64_t, kWords>;

  // Parity of `data` (the K data symbols) into lanes 0 .. 2t-1.
  Lanes remainder(std::span<const Symbol> data) const;
  void check_symbols(std::span<const Symbol> symbols, const char* what) const;

  unsigned k_;
  unsigned payload_bits_;
  Symbol pad_mask_;  // the bits of the last data symbol that must be zero
  std::array<Symbol, kParitySymbols + 1> generator_{};
  // fb * g, arranged as register lanes (lane l = fb * g_(2t-1-l)), split by
  // linearity into the low and high five bits of fb: 2 x 2 KiB stay in L1.
  std::array<Lanes, 32> times_g_lo_{}, times_g_hi_{};
};

}  // namespace tsp::fec
