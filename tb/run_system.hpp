#pragma once
// Running a system image from the system compiler (firmware/compiler/system.hpp)
// on its topology: the one place `tsp compile --topology`, `tsp onnx-test
// --topology` and the tests read every chip's outputs back and hold every
// chip's cycles to its own prediction.
#include <string>
#include <vector>

#include "firmware/compiler/system.hpp"
#include "systemc/sim/run_image.hpp"

namespace tsp::cli {

struct SystemRun {
  model::RunReport report;
  std::vector<std::vector<std::vector<uint32_t>>> got;  // per chip, its graph's outputs (compare_system's input)
  std::vector<std::string> off_prediction;              // "chip 3: simulated N cycles but the compiler predicted M"
};

SystemRun run_system_image(const compiler::SystemCompiled& s, const topo::Topology& t, const isa::Config& cfg);

}  // namespace tsp::cli
