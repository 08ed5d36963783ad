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
#include <CLI/CLI.hpp>
#include <systemc>

#include "tb/commands.hpp"

int sc_main(int argc, char** argv) {
  CLI::App app{"tsp run with a planted bug (test-only): " TSP_PLANTED};
  app.require_subcommand(1);
  int exit_code = 0;
  tsp::cli::add_run(app, exit_code);
  return tsp::cli::run_app(app, argc, argv, exit_code);
}
