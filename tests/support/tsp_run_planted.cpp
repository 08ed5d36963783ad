// `tsp run` built with a planted bug, so that a test can show its checker
// catching it (tests/CMakeLists.txt, tests/e2e/mpi.cmake). Test-only: `tsp`
// never contains it. Each build compiles the source it plants in with a
// TSP_PLANT_BUG_* definition and names the bug in TSP_PLANTED:
//   tsp_run_planted_timing: a timing-only READ skips the SRAM port and bank
//     rule (systemc/engine/exec_mem.cpp), for tests/e2e/timing_only_compare.py;
//   tsp_run_planted_windows: a distributed window grows a lookahead past the
//     next SEND between ranks (systemc/sim/run_distributed.cpp), for the
//     located lookahead error.
//   tsp_run_planted_X run IMAGE [tsp run options]
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
  CLI::App app{"tsp run with a planted bug (test-only): " TSP_PLANTED};
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
