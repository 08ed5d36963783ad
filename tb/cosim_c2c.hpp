#pragma once
// `tsp cosim --rtl c2c` and `tsp cosim --random c2c`: the link FEC RTL checked
// frame by frame (tb/cosim/rtl_c2c.hpp) on a multi-chip image run through the
// SystemC model with a topology, or on seeded random frames. Unlike the other
// units' cosim, the image runs in model::run_image (links exist only in the
// SystemC model), so one run per process and no re-run for waves: a
// divergence's wave replays its frame alone. docs/cosim.md, "The c2c adapter".
#include <cstdint>
#include <string>
#include <vector>

namespace tsp::cli {

struct CosimC2cArgs {
  std::string image;  // empty: random frames
  std::string topology;
  double link_ber = 0;
  uint64_t seed = 1;                    // of the wire's bit errors, or of the random frames
  std::vector<std::string> link_flips;  // CHIP.PORT:CYCLE:BIT
  bool planted = false;
  std::string config = "mini";  // random frames
  uint32_t frames = 64;         // random frames
  std::string wave_dir = "waves";
  bool quiet = false;
  std::string reproduce;  // the command that reproduces the run
  std::string coverage;   // functional coverage file to write (the chips' bins and the frames')
};

// 0: every frame agreed; 1: a divergence (reported) or a model error.
int run_cosim_c2c(const CosimC2cArgs& a);

}  // namespace tsp::cli
