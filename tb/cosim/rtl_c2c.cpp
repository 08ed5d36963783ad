// The c2c cosim adapter (rtl_c2c.hpp): what it compares, in order, per frame.
#include "tb/cosim/rtl_c2c.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "common/fec/vector_symbols.hpp"
#include "systemc/waves/wave_layout.hpp"
#include "tb/cosim/rtl_gtkw.hpp"

namespace tsp::cosim {
namespace {

using fec::Symbol;

std::string hex(Symbol s) { return fmt::format("{:#05x}", s); }

std::string verdict(bool corrected, bool uncorrectable, unsigned count) {
  return uncorrectable ? "uncorrectable" : corrected ? fmt::format("corrected {}", count) : "clean";
}

std::string outcome(const model::FecOutcome& f) {
  return f.uncorrectable       ? "uncorrectable"
         : f.miscorrected      ? "miscorrected (decoded to another codeword)"
         : f.corrected_symbols ? fmt::format("corrected {}", f.corrected_symbols)
                               : "clean";
}

// The frame symbols that `bits` touch, "4, 17, 40" (at most 8, then "...").
std::string symbols_hit(const std::vector<uint32_t>& bits) {
  std::vector<unsigned> s;
  for (uint32_t b : bits)
    if (s.empty() || s.back() != b / isa::kFecSymbolBits) s.push_back(b / isa::kFecSymbolBits);
  std::string out;
  for (size_t i = 0; i < s.size() && i < 8; ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return s.size() > 8 ? fmt::format("{}, ... ({} symbols)", out, s.size()) : out;
}

}  // namespace

RtlC2c::RtlC2c(const isa::Config& cfg, bool planted, const topo::Topology* topology)
    : cfg_(cfg), planted_(planted), topology_(topology), codec_(cfg.c2c_data_symbols), rtl_(make_rs_rtl(cfg, planted)) {
  const unsigned pad = cfg.c2c_data_symbols * isa::kFecSymbolBits - 8 * cfg.vector_bytes;
  pad_mask_ = static_cast<Symbol>(((1u << pad) - 1) << (isa::kFecSymbolBits - pad));
}

void RtlC2c::check(const model::LinkFrameEvent& e, std::string label) {
  if (first_) {  // one divergence per run: the rest is not compared
    ++counts_.skipped;
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  C2cDivergence d;
  d.label = std::move(label);
  d.frame = counts_.frames;
  d.chip = e.chip;
  d.link = e.link;
  d.from_b = e.from_b;
  d.port = e.port;
  d.sent = e.sent;
  d.send = std::string(e.from);
  if (topology_ && e.link < topology_->links.size()) {
    const topo::Port to = e.from_b ? topology_->links[e.link].a : topology_->links[e.link].b;
    d.receiver = fmt::format("chip {} port {}", to.chip, to.link);
  }
  if (!compare(e, d)) first_ = std::move(d);
  counts_.rtl_cycles = rtl_->cycles();
  counts_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool RtlC2c::compare(const model::LinkFrameEvent& e, C2cDivergence& d) {
  const unsigned k = cfg_.c2c_data_symbols, n = cfg_.c2c_frame_symbols;
  auto diverge = [&](std::string what, std::string source, std::optional<unsigned> symbol, std::string expected,
                     std::string actual, bool in_decoder) {
    d.what = std::move(what);
    d.source = std::move(source);
    d.symbol = symbol;
    d.expected = std::move(expected);
    d.actual = std::move(actual);
    d.in_decoder = in_decoder;
    return false;
  };
  d.data.resize(k);
  fec::bytes_to_symbols(std::span<const uint8_t>(e.payload->bytes.data(), cfg_.vector_bytes), d.data);
  d.flipped = *e.flipped;
  ++counts_.frames;
  counts_.flipped_frames += !d.flipped.empty();
  counts_.bit_flips += d.flipped.size();

  // 1. The encoder: the codec's frame, symbol by symbol (data passes through, then parity).
  const RsEncoded enc = rtl_->encode(d.data);
  std::vector<Symbol> want(n);
  codec_.encode(d.data, want);
  if (enc.protocol) return diverge(enc.protocol->what, "the harness's protocol", enc.protocol->symbol, "", "", false);
  for (unsigned i = 0; i < n; ++i)
    if (enc.frame[i] != want[i])
      return diverge(i < k ? "encoder data symbol" : "parity", "C++ codec", i, hex(want[i]), hex(enc.frame[i]), false);
  counts_.symbols += n;

  // 2. The wire: exactly the event's flips, on the RTL's frame.
  std::vector<Symbol> received = enc.frame;
  for (uint32_t b : d.flipped) fec::flip_frame_bit(received, b);

  // 3. The decoder against the codec on the same received frame: verdict, count, data.
  const RsDecoded dec = rtl_->decode(received);
  std::vector<Symbol> fixed = received;
  const fec::DecodeResult c = codec_.decode(fixed);
  using S = fec::DecodeResult::Status;
  if (dec.protocol) return diverge(dec.protocol->what, "the harness's protocol", dec.protocol->symbol, "", "", true);
  const std::string rtl_verdict = verdict(dec.corrected, dec.uncorrectable, dec.count);
  const std::string cpp_verdict =
      verdict(c.status == S::kCorrected, c.status == S::kUncorrectable, c.corrected_symbols);
  if (rtl_verdict != cpp_verdict) return diverge("verdict", "C++ codec", std::nullopt, cpp_verdict, rtl_verdict, true);
  for (unsigned i = 0; i < k; ++i)
    if (dec.data[i] != fixed[i])
      return diverge("decoded data symbol", "C++ codec", i, hex(fixed[i]), hex(dec.data[i]), true);
  counts_.symbols += k;

  // 4. The link model's outcome (its codec has the pad rule, the RTL leaves it to the receive path).
  const bool as_sent = std::equal(dec.data.begin(), dec.data.end(), d.data.begin());
  const bool pad_set = (dec.data[k - 1] & pad_mask_) != 0;
  const model::FecOutcome& f = e.fec;
  bool agrees;
  if (f.uncorrectable)
    agrees = dec.uncorrectable || pad_set;
  else if (f.miscorrected)
    agrees = !dec.uncorrectable && !pad_set && !as_sent;
  else
    agrees = !dec.uncorrectable && !pad_set && as_sent && dec.count == f.corrected_symbols;
  if (!agrees) {
    std::optional<unsigned> at;
    for (unsigned i = 0; i < k && !at; ++i)
      if (dec.data[i] != d.data[i]) at = i;
    return diverge(
        "link outcome", "link model", at, outcome(f),
        rtl_verdict + (pad_set ? ", pad bits set" : "") + (as_sent ? ", data as sent" : ", data not as sent"), true);
  }
  if (dec.uncorrectable || pad_set) {
    ++counts_.uncorrectable_frames;
  } else if (!as_sent) {
    ++counts_.miscorrected_frames;
  } else if (dec.corrected) {
    ++counts_.corrected_frames;
    counts_.corrected_symbols += dec.count;
  }
  return true;
}

std::string RtlC2c::write_wave(const std::string& fst_path) const {
  namespace fs = std::filesystem;
  if (!first_) return {};
  const C2cDivergence& d = *first_;
  uint64_t mark = 0, to = 0;
  {  // the harness closes its FST when it goes
    auto rtl = make_rs_rtl(cfg_, planted_);
    rtl->trace(fst_path, cfg_);
    const RsEncoded enc = rtl->encode(d.data);
    mark = enc.first_out + d.symbol.value_or(0);
    if (d.in_decoder) {
      std::vector<Symbol> received = enc.frame;
      received.resize(cfg_.c2c_frame_symbols);
      for (uint32_t b : d.flipped) fec::flip_frame_bit(received, b);
      const RsDecoded dec = rtl->decode(received);
      mark = dec.first_out + d.symbol.value_or(0);
    }
    to = rtl->cycles();
  }
  const std::string gtkw = fs::path(fst_path).replace_extension(".gtkw").string();
  const std::string s = RsRtl::kScope, hs = s + ".tsp_rs_harness";
  auto w = [](unsigned bits) { return fmt::format("[{}:0]", bits - 1); };
  const unsigned sym = isa::kFecSymbolBits;
  std::vector<RtlUnit::WaveGroup> groups = {
      {"encoder",
       {s + ".enc_in_valid_i", s + ".enc_in_ready_o", s + ".enc_in_sym_i" + w(sym), s + ".enc_out_valid_o",
        s + ".enc_out_sym_o" + w(sym), s + ".enc_out_first_o", s + ".enc_out_last_o", s + ".enc_out_parity_o"}},
      {"decoder",
       {s + ".dec_in_valid_i", s + ".dec_in_ready_o", s + ".dec_in_sym_i" + w(sym), s + ".dec_out_valid_o",
        s + ".dec_out_sym_o" + w(sym), s + ".dec_out_first_o", s + ".dec_out_last_o", s + ".dec_out_corrected_o",
        s + ".dec_out_uncorrectable_o", s + ".dec_out_count_o[3:0]"}},
      {"decoder state",
       {hs + ".u_dec.state_q[3:0]", hs + ".u_dec.len_q[4:0]", hs + ".u_dec.over_q", hs + ".u_dec.roots_q[4:0]",
        hs + ".u_dec.fixes_q[3:0]", hs + ".u_dec.unc_q", hs + ".u_dec.count_q[3:0]"}},
  };
  write_rtl_gtkw(gtkw, {fst_path, 0, waves::cycle_ps(cfg_, to), waves::cycle_ps(cfg_, mark)}, groups);
  return fmt::format(
      "  {:<14}{} ({} bytes, the frame replayed: RTL cycles 0..{}, divergence in cycle {})\n"
      "  {:<14}{}\n  {:<14}gtkwave {}\n",
      "wave", fst_path, fs::file_size(fst_path), to, mark, "save file", gtkw, "view", gtkw);
}

std::string format_c2c_divergence(const C2cDivergence& d, unsigned data_symbols) {
  std::string where;
  if (!d.label.empty())
    where = d.label;
  else
    where = fmt::format("chip {}, link {}, direction {} (chip {} port {} -> {}), frame sent in cycle {}", d.chip,
                        d.link, d.from_b ? "b->a" : "a->b", d.chip, d.port,
                        d.receiver.empty() ? "its far end" : d.receiver, d.sent);
  std::string symbol = "whole frame";
  if (d.symbol)
    symbol = *d.symbol < data_symbols ? fmt::format("symbol {} (data m_{})", *d.symbol, *d.symbol)
                                      : fmt::format("symbol {} (parity p_{})", *d.symbol, *d.symbol - data_symbols);
  // Located like the other units' reports: the SEND's source line when the image has it.
  std::string at = "tsp cosim";
  const size_t open = d.send.rfind(" (");
  if (open != std::string::npos && d.send.back() == ')') at = d.send.substr(open + 2, d.send.size() - open - 3);
  std::string out = fmt::format("{}: error: cosim divergence: {}, {}\n", at, where, symbol);
  out += fmt::format("  {:<14}{}\n", "what", d.what);
  out += fmt::format("  {:<14}#{} through the adapter; {} wire bit flip(s){}\n", "frame", d.frame, d.flipped.size(),
                     d.flipped.empty() ? "" : " in symbols " + symbols_hit(d.flipped));
  if (!d.send.empty()) out += fmt::format("  {:<14}{}\n", "SEND", d.send);
  if (!d.expected.empty() || !d.actual.empty()) {
    out += fmt::format("  {:<14}{} ({})\n", "expected", d.expected, d.source);
    out += fmt::format("  {:<14}{}\n", "actual (RTL)", d.actual);
  }
  return out;
}

}  // namespace tsp::cosim
