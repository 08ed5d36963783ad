// Drives the Verilated FEC harness frame by frame (rs_rtl.hpp). The loops are
// rs_rtl_test's: inputs applied with the clock low, a handshake is a valid
// and a ready in the same cycle, outputs are read after the rising edge.
#include "tb/cosim/rs_rtl.hpp"

#include <fmt/format.h>
#include <verilated.h>
#include <verilated_fst_c.h>

#include "Vtsp_rs_mini.h"
#include "Vtsp_rs_mini_planted.h"
#include "Vtsp_rs_tsp1.h"
#include "Vtsp_rs_tsp1_planted.h"
#include "common/error.hpp"
#include "common/fec/rs.hpp"
#include "systemc/waves/wave_layout.hpp"
#include "tb/cosim/rtl_coverage.hpp"

namespace tsp::cosim {
namespace {

std::unique_ptr<VerilatedContext> make_context() {
  auto c = std::make_unique<VerilatedContext>();
  c->timeunit(-12);
  c->timeprecision(-12);
  c->traceEverOn(true);
  return c;
}

template <class V>
class RsRtlOf final : public RsRtl {
 public:
  RsRtlOf() : ctx_(make_context()), v_(std::make_unique<V>(ctx_.get(), kScope)) {
    v_->clk_i = 0;
    v_->rst_ni = 0;
    v_->enc_in_valid_i = 0;
    v_->dec_in_valid_i = 0;
    v_->eval();
    tick();
    v_->rst_ni = 1;
    v_->eval();
  }
  ~RsRtlOf() override {
    v_->final();
    if (fst_) fst_->close();
  }

  unsigned data_symbols() const override { return v_->data_symbols_o; }
  uint64_t cycles() const override { return cycle_; }

  void trace(const std::string& path, const isa::Config& cfg) override {
    fst_ = std::make_unique<VerilatedFstC>();
    v_->trace(fst_.get(), 99);
    fst_->open(path.c_str());
    cfg_ = &cfg;
  }

  RsEncoded encode(std::span<const fec::Symbol> data) override {
    RsEncoded r;
    const unsigned k = data_symbols(), n = k + fec::kParitySymbols;
    size_t i = 0;
    uint64_t first_out = 0;
    const uint64_t begin = cycle_;
    // Latency 1 and no gaps: n cycles and a few more for a late RTL.
    while (r.frame.size() < n && cycle_ - begin < 4 * n + 16) {
      v_->enc_in_valid_i = i < data.size();
      v_->enc_in_sym_i = i < data.size() ? data[i] : 0;
      v_->eval();
      if (v_->enc_in_valid_i && v_->enc_in_ready_o) ++i;
      tick();
      if (!v_->enc_out_valid_o) continue;
      const unsigned at = unsigned(r.frame.size());
      if (at == 0) first_out = r.first_out = cycle_;
      if (bool(v_->enc_out_first_o) != (at == 0) || bool(v_->enc_out_last_o) != (at + 1 == n) ||
          bool(v_->enc_out_parity_o) != (at >= k))
        note(r.protocol, "encoder markers (first/last/parity)", at);
      if (cycle_ - first_out != at) note(r.protocol, "encoder gap before the symbol", at);
      r.frame.push_back(v_->enc_out_sym_o);
    }
    v_->enc_in_valid_i = 0;
    v_->eval();
    if (r.frame.size() < n) note(r.protocol, fmt::format("encoder gave {} of {} symbols", r.frame.size(), n), 0);
    return r;
  }

  RsDecoded decode(std::span<const fec::Symbol> frame) override {
    RsDecoded r;
    const unsigned k = data_symbols(), n = k + fec::kParitySymbols;
    size_t i = 0;
    uint64_t first_out = 0;
    const uint64_t begin = cycle_;
    // The documented period is n + (2 * 30 + 15 + n + 6) + k - 2; allow slack.
    while (r.data.size() < k && cycle_ - begin < 8 * n + 256) {
      v_->dec_in_valid_i = i < frame.size();
      v_->dec_in_sym_i = i < frame.size() ? frame[i] : 0;
      v_->eval();
      if (v_->dec_in_valid_i && v_->dec_in_ready_o) ++i;
      tick();
      if (!v_->dec_out_valid_o) continue;
      const unsigned at = unsigned(r.data.size());
      if (at == 0) {
        first_out = r.first_out = cycle_;
        r.corrected = v_->dec_out_corrected_o;
        r.uncorrectable = v_->dec_out_uncorrectable_o;
        r.count = v_->dec_out_count_o;
      }
      if (bool(v_->dec_out_first_o) != (at == 0) || bool(v_->dec_out_last_o) != (at + 1 == k))
        note(r.protocol, "decoder markers (first/last)", at);
      if (cycle_ - first_out != at) note(r.protocol, "decoder gap before the symbol", at);
      if (r.corrected != bool(v_->dec_out_corrected_o) || r.uncorrectable != bool(v_->dec_out_uncorrectable_o) ||
          r.count != v_->dec_out_count_o)
        note(r.protocol, "decoder verdict changed within the frame", at);
      r.data.push_back(v_->dec_out_sym_o);
    }
    v_->dec_in_valid_i = 0;
    v_->eval();
    if (r.data.size() < k) note(r.protocol, fmt::format("decoder gave {} of {} symbols", r.data.size(), k), 0);
    return r;
  }

 private:
  static void note(std::optional<RsProtocol>& p, std::string what, unsigned at) {
    if (!p) p = RsProtocol{std::move(what), at};
  }
  // One RTL cycle: the inputs are applied (clock low), the rising edge, the clock low again.
  void tick() {
    if (fst_) fst_->dump(waves::cycle_ps(*cfg_, cycle_));
    v_->clk_i = 1;
    v_->eval();
    if (fst_) fst_->dump((waves::cycle_ps(*cfg_, cycle_) + waves::cycle_ps(*cfg_, cycle_ + 1)) / 2);
    v_->clk_i = 0;
    v_->eval();
    ++cycle_;
  }

  std::unique_ptr<VerilatedContext> ctx_;  // outlives v_
  std::unique_ptr<V> v_;
  CoverageSaver coverage_{ctx_.get(), "c2c", v_->modelName()};  // dies before v_
  std::unique_ptr<VerilatedFstC> fst_;
  uint64_t cycle_ = 0;
  const isa::Config* cfg_ = nullptr;
};

}  // namespace

std::unique_ptr<RsRtl> make_rs_rtl(const isa::Config& cfg, bool planted) {
  std::unique_ptr<RsRtl> r;
  const std::string_view name = cfg.name;
  if (name == "mini")
    r = planted ? std::unique_ptr<RsRtl>(new RsRtlOf<Vtsp_rs_mini_planted>)
                : std::unique_ptr<RsRtl>(new RsRtlOf<Vtsp_rs_mini>);
  else if (name == "tsp1")
    r = planted ? std::unique_ptr<RsRtl>(new RsRtlOf<Vtsp_rs_tsp1_planted>)
                : std::unique_ptr<RsRtl>(new RsRtlOf<Vtsp_rs_tsp1>);
  else
    throw Error(
        fmt::format("tsp cosim: error: --rtl c2c: the FEC RTL library (tsp_rs_rtl) holds the mini and tsp1 "
                    "frames, not configuration {}'s",
                    name));
  if (r->data_symbols() != cfg.c2c_data_symbols)
    throw Error(fmt::format("tsp cosim: error: --rtl c2c: the {} FEC RTL has {} data symbols, the configuration {}",
                            name, r->data_symbols(), cfg.c2c_data_symbols));
  return r;
}

}  // namespace tsp::cosim
