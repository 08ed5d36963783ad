#pragma once
// ONNX's backend-test comparison of a computed output with the expected
// tensor: per element |got - expected| <= atol + rtol * |expected| for floats
// (NaN matches NaN, an infinity only itself), exact equality for integers.
#include <cstdint>
#include <string>
#include <vector>

#include "firmware/compiler/ir.hpp"
#include "firmware/compiler/onnx_tensor.hpp"

namespace tsp::compiler {

// onnx/backend/test/case/node: the defaults every node test uses.
inline constexpr double kOnnxRtol = 1e-3;
inline constexpr double kOnnxAtol = 1e-7;

struct ToleranceReport {
  bool pass = false;
  std::string why;  // shape or type mismatch, or the first element out of tolerance
  uint64_t elements = 0, bad = 0;
  double max_abs = 0;  // largest |got - expected| over finite pairs ...
  uint64_t max_abs_index = 0;
  double max_rel = 0;  // ... and largest |got - expected| / |expected| (expected != 0)
  uint64_t max_rel_index = 0;
};

// `got` holds t's elements (bits, row-major). A scalar expected tensor matches a [1] tensor.
ToleranceReport check_tolerance(const Tensor& t, const std::vector<uint32_t>& got, const OnnxTensor& expected,
                                double rtol = kOnnxRtol, double atol = kOnnxAtol);

}  // namespace tsp::compiler
