#pragma once
// `tsp compile --topology T`: one graph over a node's chips (firmware/compiler/system.hpp),
// one image for the system; --run/--check run it on the topology and hold every
// chip to its predicted cycles and every chip's outputs to the host reference.
#include <string>

#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/ir.hpp"

namespace tsp::cli {

struct SystemCompileArgs {
  std::string program, output, topology;
  bool run = false, check = false, quiet = false;
};

int compile_system_cmd(const SystemCompileArgs& a, const compiler::Graph& g, const isa::Config& cfg,
                       const compiler::CompileOptions& options);

}  // namespace tsp::cli
