// tsp_plant: compiles a graph program with a planted bug into an image, so
// e2e tests can show that what users run (`tsp run`, `tsp run --check`, the
// rerun of compiled programs) catches it. Test-only: `tsp` has no such option.
//   tsp_plant GRAPH.txt -o IMAGE --bug N [--embed-reference]
// Bugs 1..6: planted_bugs.hpp. Bug 7: one wrong bit in the embedded host
// reference (implies --embed-reference).
#include <fmt/format.h>

#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/parse.hpp"
#include "tests/support/planted_bugs.hpp"

int main(int argc, char** argv) {
  using namespace tsp;
  std::string program, output;
  int bug = 0;
  bool embed = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-o" && i + 1 < argc) {
      output = argv[++i];
    } else if (arg == "--bug" && i + 1 < argc) {
      bug = std::atoi(argv[++i]);
    } else if (arg == "--embed-reference") {
      embed = true;
    } else if (program.empty() && !arg.starts_with("-")) {
      program = arg;
    } else {
      fmt::print(stderr, "tsp_plant: unknown argument {}\n", arg);
      return 2;
    }
  }
  if (program.empty() || output.empty() || bug < 1 || bug > compiler::kPlantedBugs + 1) {
    fmt::print(stderr, "usage: tsp_plant GRAPH.txt -o IMAGE --bug 1..{} [--embed-reference]\n",
               compiler::kPlantedBugs + 1);
    return 2;
  }
  unsetenv("TSP_COMPILE_LOG_DIR");  // a planted image is not one of the suite's programs to rerun
  try {
    const compiler::Program p = compiler::load_program(program);
    const isa::Config* cfg = isa::find_config(p.config.value_or("tsp1"));
    if (!cfg) throw Error("tsp_plant: unknown configuration");
    compiler::CompileOptions opt;
    opt.source_file = program;
    opt.embed_reference = embed || bug == compiler::kPlantedBugs + 1;
    if (bug <= compiler::kPlantedBugs) opt.chain_hook = compiler::planted_bug(bug);
    compiler::Compiled c = compiler::compile(p.graph, *cfg, opt);
    if (bug == compiler::kPlantedBugs + 1) c.image.expected.at(0).bits.at(0) ^= 1;
    image::save_file(c.image, output);
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  }
  return 0;
}
