#pragma once
// The link FEC RTL (rtl/c2c/tsp_rs_enc.sv, tsp_rs_dec.sv) as the c2c cosim
// adapter drives it: the Verilated harness tests/rtl/tsp_rs_harness.sv
// (encoder and decoder side by side, library tsp_rs_rtl) of one frame size
// (mini, tsp1) and variant (as designed, planted), fed one frame at a time,
// one symbol a cycle, exactly as rs_rtl_test feeds it. The clock counts RTL
// cycles of this harness only: frames go through it back to back, in the
// order the links carried them, not at their chip cycles.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/fec/gf.hpp"
#include "firmware/isa/isa.hpp"

namespace tsp::cosim {

// A handshake or marker the RTL got wrong, at a symbol of its output.
struct RsProtocol {
  std::string what;
  unsigned symbol = 0;
};

struct RsEncoded {
  std::vector<fec::Symbol> frame;  // as many symbols as came out before the time limit
  uint64_t first_out = 0;          // the RTL cycle in which symbol 0 was out
  std::optional<RsProtocol> protocol;
};

struct RsDecoded {
  std::vector<fec::Symbol> data;  // the DataSymbols message symbols out
  bool corrected = false, uncorrectable = false;
  unsigned count = 0;
  uint64_t first_out = 0;  // the RTL cycle in which symbol 0 was out
  std::optional<RsProtocol> protocol;
};

class RsRtl {
 public:
  virtual ~RsRtl() = default;
  virtual unsigned data_symbols() const = 0;
  // The encoder's frame of `data` (data_symbols() symbols).
  virtual RsEncoded encode(std::span<const fec::Symbol> data) = 0;
  // The decoder's verdict and message of a received frame.
  virtual RsDecoded decode(std::span<const fec::Symbol> frame) = 0;
  // Dumps every cycle from now on into the FST `path` (closed with the
  // harness), RTL cycle c at waves::cycle_ps(cfg, c) with the clock low and
  // half a cycle later after the rising edge.
  virtual void trace(const std::string& path, const isa::Config& cfg) = 0;
  virtual uint64_t cycles() const = 0;  // RTL clock cycles evaluated
  // The FST scope of the harness (its name given to the Verilated model).
  static constexpr const char* kScope = "c2c_fec";
};

// The harness of cfg's frame (mini or tsp1) in a VerilatedContext of its own
// (so that no SystemC user includes verilated.h, which would then want
// SystemC's time). tsp::Error for a frame the library was not built for.
std::unique_ptr<RsRtl> make_rs_rtl(const isa::Config& cfg, bool planted);

}  // namespace tsp::cosim
