#pragma once
// What the wire does to frames (docs/links.md, "Errors on the wire"): seeded
// random bit errors at a bit error rate, planned bit flips in chosen frames,
// and the jitter of a hop. Each link direction draws from its own stream of a
// counter-based generator, so a frame's errors depend on the seed, the link
// direction and the frame's position in its stream, never on the order in
// which SystemC runs the chips.
#include <cstdint>
#include <vector>

#include "systemc/engine/types.hpp"

namespace tsp::model {

// Flip bit `bit` (0 .. frame_bits-1: FEC symbol bit/10, bit bit%10) of the
// frame chip `chip` sends on its port `port` in its cycle `cycle`.
struct LinkFlip {
  uint32_t chip = 0;
  uint16_t port = 0;
  Cycle cycle = 0;
  uint32_t bit = 0;
};

struct WireErrorSpec {
  double ber = 0;        // probability that a bit on the wire flips
  uint64_t seed = 1;     // of the bit errors and the jitter
  bool jitter = false;   // hop jitter, sigma from isa.toml [c2c]
  std::vector<LinkFlip> flips;
};

class WireErrors {
 public:
  // `stream` tells the link directions apart (2 * link + direction).
  WireErrors(const WireErrorSpec& spec, uint64_t stream);
  // The bits of this frame that arrive flipped, ascending, no repeats.
  std::vector<uint32_t> bits(uint32_t chip, uint16_t port, Cycle cycle, uint32_t frame_bits);
  // This frame's deviation from the nominal hop, in cycles (0 without jitter).
  double jitter_cycles();

 private:
  double uniform();  // (0, 1), the next draw of this direction's stream

  const WireErrorSpec& spec_;
  uint64_t stream_;
  uint64_t counter_ = 0;
  double gap_ = -1;  // bits until the next random error (-1: not drawn yet)
};

}  // namespace tsp::model
