#pragma once
// The FEC of one frame on its way over a link: the sender encodes the vector
// (isa.toml [c2c]: RS(544,514) shortened to the vector), the wire flips bits,
// the receiver decodes. A frame the wire leaves alone skips the codec: a
// clean codeword decodes to its data by construction (tested both ways).
#include <cstdint>
#include <vector>

#include "systemc/engine/types.hpp"

namespace tsp::model {

struct FecOutcome {
  unsigned corrected_symbols = 0;
  bool uncorrectable = false;  // detected: the RECV that takes the frame fails
  bool miscorrected = false;   // decoded to another codeword: hardware could not tell, the simulator does
};

// `flipped`: frame bit indices (symbol bit / symbol_bits, bit % symbol_bits).
// `payload` becomes what the receiver's decoder delivers.
FecOutcome pass_through_fec(const isa::Config& cfg, const std::vector<uint32_t>& flipped, Vec& payload,
                            bool force_codec = false);

}  // namespace tsp::model
