#pragma once
// Constrained-random link frames for the c2c cosim (`tsp cosim --random c2c`):
// no chip program, just frames as a link would carry them (a vector's bytes
// and the frame bits the wire flips), fed to the same adapter entry point as
// the links' frames. Frame i is drawn from its own generator seeded by (seed,
// i), integers only, so one frame is reproducible on its own and on every
// machine. The kinds cycle so that even a few frames cover every one.
#include <cstdint>
#include <string>
#include <vector>

#include "firmware/isa/isa.hpp"

namespace tsp::gen {

enum class C2cErrorKind {
  within_t,       // 0 .. t random symbol errors: corrected, the data as sent
  exactly_t,      // t: the most the decoder corrects
  t_plus_1,       // t + 1 random: flagged (practically always)
  near_codeword,  // t + 1 .. 2t symbols of a minimum-weight codeword c x^s g(x): miscorrected to it
  far_beyond,     // 2t + 1 .. all symbols random
  burst,          // a run of flipped bits over at most t symbols (a SerDes burst): corrected
};
const char* kind_name(C2cErrorKind k);

struct C2cRandomFrame {
  std::vector<uint8_t> payload;   // cfg.vector_bytes
  std::vector<uint32_t> flipped;  // frame bits, ascending, distinct
  unsigned symbol_errors = 0;     // frame symbols the flips touch
  C2cErrorKind kind = C2cErrorKind::within_t;
};

C2cRandomFrame random_c2c_frame(const isa::Config& cfg, uint64_t seed, uint32_t index);

}  // namespace tsp::gen
