#pragma once
// `tsp run --check` and `--expect`: tensors of the manifest after a run,
// against the outputs the image expects (the compiler's host reference,
// embedded by `tsp compile --embed-reference`) bit for bit, and against
// expected TensorProto files within ONNX's tolerance.
#include <string>
#include <vector>

#include "firmware/image/image.hpp"
#include "systemc/engine/chip_engine.hpp"

namespace tsp::cli {

struct TensorCheck {
  const image::Symbol* symbol = nullptr;
  std::vector<uint32_t> want;  // --check: element bits (empty for --expect)
  std::string file;            // --expect: the TensorProto file
  std::vector<uint32_t> got;   // element bits after the run, row-major
};

// What to check: every expected output of the image (when `reference`), and
// each `NAME=FILE.pb` of `expects`. Throws tsp::Error for an unknown name or an
// image without expected outputs.
std::vector<TensorCheck> plan_checks(const image::Image& img, bool reference, const std::vector<std::string>& expects);
// A checked tensor's elements as the chip that holds it has them in SRAM (row-major).
std::vector<uint32_t> captured(const TensorCheck& check, model::ChipEngine& engine);
// Compares; prints one line per tensor (errors to stderr). Returns true when all pass.
bool report_checks(const std::string& image_name, const std::vector<TensorCheck>& checks, bool quiet);

}  // namespace tsp::cli
