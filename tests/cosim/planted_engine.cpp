// Test-only: `tsp cosim --rtl mem` of an image on an engine built with a
// planted fault (never in `tsp`). This executable compiles its own copies of
// systemc/engine/exec_mem.cpp and systemc/mem/mem_slice.cpp with
// TSP_PLANT_BUG_ENGINE (tests/cosim/CMakeLists.txt); being objects of the
// executable, they stand in for the engine library's, which the linker then
// never takes. The fault is chosen at run time:
//   1  a WRITE's address field loses bit 0 (the model decodes it wrong and
//      writes the neighbouring word): caught by the MEM adapter's own decode
//   2  the fast path's late WRITE (MemSlice::write_later) copies the first
//      vector of each block with bit 0 inverted: caught by the final SRAM
//      comparison, now that cosim keeps the fast paths on
// Usage: tsp_planted_engine BUG IMAGE. Exit 1 on a divergence (the report on
// stderr), 0 when cosim matched, 2 on bad use.
#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "common/error.hpp"
#include "tb/cosim/cosim.hpp"

namespace tsp::model {
int planted_engine_bug = 0;  // read by the planted exec_mem.cpp and mem_slice.cpp
}  // namespace tsp::model

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: tsp_planted_engine BUG IMAGE\n");
    return 2;
  }
  tsp::model::planted_engine_bug = std::atoi(argv[1]);
  try {
    const tsp::image::Image img = tsp::image::load_file(argv[2]);
    tsp::cosim::CosimOptions opt;
    opt.units = {"mem"};
    const tsp::cosim::CosimResult r = tsp::cosim::run_cosim(img, opt);
    if (!r.model_error.empty()) {
      fmt::print(stderr, "{}\n", r.model_error);
      return 1;
    }
    if (r.divergence) {
      fmt::print(stderr, "{}planted engine bug {}\n", tsp::cosim::format_divergence(img, *r.divergence),
                 tsp::model::planted_engine_bug);
      return 1;
    }
    fmt::print("planted engine bug {}: cosim matched {} instructions, {} cycles\n", tsp::model::planted_engine_bug,
               r.instructions, r.cycles);
    return 0;
  } catch (const tsp::Error& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  }
}
