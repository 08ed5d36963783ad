#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <exception>

#include "common/error.hpp"
#include "systemc/dist/comm.hpp"
#include "tb/commands.hpp"

namespace tsp::cli {
namespace {
// SystemC prints its banner when its kernel starts, before sc_main: silence it
// from a static initialiser, unless the user asked for it. This object file
// is linked into every `tsp`-like binary, because sc_main calls run_app.
const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}  // namespace

int run_app(CLI::App& app, int argc, char** argv, const int& exit_code) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    // Under mpirun the other ranks may be waiting for this one: end them all.
    if (dist::Comm::world().distributed()) dist::Comm::world().abort(e.what(), 1);
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    if (dist::Comm::world().distributed())
      dist::Comm::world().abort(fmt::format("tsp: internal error: {}", e.what()), 3);
    fmt::print(stderr, "tsp: internal error: {}\n", e.what());
    return 3;
  }
  return exit_code;
}

}  // namespace tsp::cli
