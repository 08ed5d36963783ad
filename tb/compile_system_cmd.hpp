#pragma once
// `tsp compile --topology T`: one graph over a node's chips (firmware/compiler/system.hpp),
// one image for the system; --run/--check run it on the topology and hold every
// chip to its predicted cycles and every chip's outputs to the host reference.
#include <functional>
#include <string>

#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/ir.hpp"

namespace tsp::cli {

struct SystemCompileArgs {
  std::string program, output, topology, report, png;
  bool run = false, check = false, quiet = false;
};

// --report SVG / --png PNG of `tsp compile` (cmd_compile.cpp): writes the SVG
// (next to the PNG when only --png is given) and renders the PNG.
void write_schedule_view(const std::string& report, const std::string& png, const std::function<std::string()>& svg);

int compile_system_cmd(const SystemCompileArgs& a, const compiler::Graph& g, const isa::Config& cfg,
                       const compiler::CompileOptions& options);

}  // namespace tsp::cli
