// Test-only: the MXM cosim check as it was before the float datapath (float
// LW/ABC not given to the RTL but counted as matched, float ACCs compared for
// timing only), rebuilt here so the tests can show what it missed. This
// executable compiles its own copy of tb/cosim/rtl_mxm.cpp with
// TSP_OLD_MXM_CHECK (tests/cosim/CMakeLists.txt); being an object of the
// executable, it stands in for the library's, which the linker then never
// takes. It runs the float program of tests/support/mxm_float_program.hpp
// (mini, seed 1) through run_cosim with `--rtl mxm`.
// Usage: tsp_old_mxm_check [--planted] [--allow-skips] | --save IMAGE.
// Exit 1 on a divergence or a refused skip (the report on stderr), 0 when
// cosim matched, 2 on bad use.
#include <fmt/format.h>

#include <string>

#include "common/error.hpp"
#include "tb/cosim/cosim.hpp"
#include "tests/support/mxm_float_program.hpp"

int main(int argc, char** argv) {
  tsp::cosim::CosimOptions opt;
  opt.units = {"mxm"};
  const tsp::test::MxmFloatProgram prog = tsp::test::mxm_float_program("mini", 1);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--planted") {
      opt.planted = 1;
    } else if (a == "--allow-skips") {
      opt.allow_skips = true;
    } else if (a == "--save" && i + 1 < argc) {
      tsp::image::save_file(prog.img, argv[i + 1]);
      return 0;
    } else {
      fmt::print(stderr, "usage: tsp_old_mxm_check [--planted] [--allow-skips] | --save IMAGE\n");
      return 2;
    }
  }
  try {
    const tsp::cosim::CosimResult r = tsp::cosim::run_cosim(prog.img, opt);
    if (!r.model_error.empty()) {
      fmt::print(stderr, "{}\n", r.model_error);
      return 1;
    }
    if (r.divergence) {
      fmt::print(stderr, "{}", tsp::cosim::format_divergence(prog.img, *r.divergence));
      return 1;
    }
    const auto& c = r.units.at(0).checks;
    fmt::print("old mxm check: matched {} instructions, {} values; {} data and timing, {} timing only, {} skipped\n",
               r.instructions, r.units.at(0).values, c.data_timing, c.timing_only, c.skipped);
    if (!r.skip_error.empty()) {
      fmt::print(stderr, "{}\n", r.skip_error);
      return 1;
    }
    return 0;
  } catch (const tsp::Error& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  }
}
