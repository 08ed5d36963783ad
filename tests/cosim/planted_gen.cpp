// Test-only: the random VXM generator with a planted coverage gap (never in
// `tsp`). This executable compiles its own copy of tb/gen/random_vxm.cpp with
// TSP_PLANT_GAP_VXM, which never draws OR.i32, as a generator change that
// stopped drawing an (op, type) would; the regressions' functional coverage
// check (`tsp coverage --require-all`) must then fail naming the OR.i32 bins
// (tests/cosim/CMakeLists.txt, cosim_functional_coverage_planted_gap).
// Usage: tsp_planted_gen SEED INSTRUCTIONS IMAGE (config mini). Exit 0 when
// the image is written, 1 on an error, 2 on bad use.
#include <fmt/format.h>

#include <cstdlib>
#include <exception>

#include "firmware/image/image.hpp"
#include "tb/gen/random_program.hpp"

namespace tsp::gen {
image::Image random_vxm(const RandomOptions& opts);  // the planted copy, compiled into this executable
}  // namespace tsp::gen

int main(int argc, char** argv) {
  if (argc != 4) {
    fmt::print(stderr, "usage: tsp_planted_gen SEED INSTRUCTIONS IMAGE\n");
    return 2;
  }
  try {
    const auto img = tsp::gen::random_vxm(
        {std::strtoull(argv[1], nullptr, 10), "mini", static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10))});
    tsp::image::validate(img);
    tsp::image::save_file(img, argv[3]);
  } catch (const std::exception& e) {
    fmt::print(stderr, "tsp_planted_gen: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
