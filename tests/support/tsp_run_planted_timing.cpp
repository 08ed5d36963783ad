// tsp_run_planted_timing: `tsp run` built with a planted difference in its
// timing-only mode (TSP_PLANT_BUG_TIMING: a timing-only READ skips the SRAM
// port and bank rule, systemc/engine/exec_mem.cpp), so that the e2e test can
// show that tests/e2e/timing_only_compare.py catches a timing-only run that
// checks less than a full-data one. Test-only: `tsp` never contains it.
//   tsp_run_planted_timing run IMAGE [tsp run options]
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>
#include <systemc>

#include "common/error.hpp"
#include "tb/commands.hpp"

namespace {
// As tsp_main.cpp: silence SystemC's banner before its kernel starts.
const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}  // namespace

int sc_main(int argc, char** argv) {
  CLI::App app{"tsp run with a planted timing-only difference (test-only)"};
  app.require_subcommand(1);
  int exit_code = 0;
  tsp::cli::add_run(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const tsp::Error& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "tsp: internal error: {}\n", e.what());
    return 3;
  }
  return exit_code;
}
