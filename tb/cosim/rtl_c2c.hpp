#pragma once
// The c2c cosim adapter: the link FEC RTL (rtl/c2c/) checked frame by frame
// against the C++ codec, as a model::LinkObserver of a multi-chip run
// (`tsp cosim IMAGE --topology T --rtl c2c`) or fed random frames (`tsp cosim
// --random c2c`). For every frame, flips or not: the RTL encoder gets the
// frame's data symbols and its parity must be the codec's; the event's flipped
// bits are applied to the RTL's frame; the RTL decoder's verdict, count and
// data must be the codec's on the same received frame, and must agree with
// the link model's FecOutcome. docs/cosim.md, "The c2c adapter".
//
// It is not an RtlUnit: a link frame is no unit instruction and has no chip
// cycle of its own in the RTL (the harness decodes one frame at a time, far
// below line rate), so the RTL clock counts the harness's own cycles and a
// wave of a divergence replays that one frame on a fresh harness.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/fec/rs.hpp"
#include "firmware/topology/topology.hpp"
#include "systemc/c2c/c2c_link.hpp"
#include "tb/cosim/rs_rtl.hpp"

namespace tsp::cosim {

struct C2cCounts {
  uint64_t frames = 0;          // compared
  uint64_t flipped_frames = 0;  // with at least one bit flipped on the wire
  uint64_t bit_flips = 0;
  uint64_t symbols = 0;  // symbols compared: encoder frames and decoded data
  uint64_t corrected_frames = 0, corrected_symbols = 0;
  // Rejected by the receive path: the RTL's flag, or (mini) a decoded pad bit
  // set, the check the RTL leaves to the C++ side (docs/links.md, "FEC RTL").
  uint64_t uncorrectable_frames = 0;
  uint64_t miscorrected_frames = 0;  // decoded to another codeword, by RTL and codec alike
  uint64_t skipped = 0;              // frames after the first divergence
  uint64_t rtl_cycles = 0;
  double seconds = 0;  // wall time inside the adapter
};

struct C2cDivergence {
  std::string what;    // "parity", "decoded data", "verdict", "link outcome", "encoder protocol", ...
  std::string source;  // whose value `expected` is: "C++ codec", "link model", "as sent"
  std::string label;   // a frame no link carried: "random c2c seed 3, frame 17 (t+1)"; else empty
  uint64_t frame = 0;  // the adapter's frame number, from 0
  uint32_t chip = 0, link = 0;
  bool from_b = false;
  uint16_t port = 0;
  std::string receiver;  // "chip 1 port 0", when the topology is known
  model::Cycle sent = 0;
  std::string send;                // the SEND, located (LinkFrameEvent::from)
  std::optional<unsigned> symbol;  // frame symbol (data 0 .. K-1, parity K ..)
  std::string expected, actual;    // hex symbols, or verdicts
  bool in_decoder = false;         // found on the decoder's side (else the encoder's)
  // The frame, to replay it for the wave.
  std::vector<fec::Symbol> data;
  std::vector<uint32_t> flipped;
};

class RtlC2c final : public model::LinkObserver {
 public:
  // `topology` (optional, must outlive the adapter) names receivers in reports.
  RtlC2c(const isa::Config& cfg, bool planted, const topo::Topology* topology = nullptr);

  void on_frame(const model::LinkFrameEvent& e) override { check(e, {}); }
  // The entry point: `label` names a frame that no link carried (random frames).
  void check(const model::LinkFrameEvent& e, std::string label);

  const C2cCounts& counts() const { return counts_; }
  const std::optional<C2cDivergence>& divergence() const { return first_; }

  // The diverging frame again on a fresh harness, traced: writes `fst` and a
  // .gtkw next to it; returns the report's wave lines.
  std::string write_wave(const std::string& fst) const;

 private:
  bool compare(const model::LinkFrameEvent& e, C2cDivergence& d);

  const isa::Config& cfg_;
  bool planted_;
  const topo::Topology* topology_;
  fec::RsCodec codec_;  // RsCodec(K): every data bit payload, the RTL's view
  fec::Symbol pad_mask_;
  std::unique_ptr<RsRtl> rtl_;
  C2cCounts counts_;
  std::optional<C2cDivergence> first_;
};

// The report (multi-line, ends with a newline), without wave and reproduce lines.
std::string format_c2c_divergence(const C2cDivergence& d, unsigned data_symbols);

}  // namespace tsp::cosim
