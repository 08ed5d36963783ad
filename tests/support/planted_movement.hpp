#pragma once
// Planted movement bugs, for tests only: vector programs with a wrong offset
// that the independent checks (index arithmetic, ONNX expected outputs) must
// catch. The host reference runs the same wrong program, so the bit-exact
// check alone cannot: these show the independent oracle is needed and works.
#include <string>
#include <vector>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// concat(a, b) on the leading axis 0 of equal-width 2-D tensors, but b's rows
// written one vector early (its first row lands on a's last).
TensorId planted_concat_early(Graph& g, TensorId a, TensorId b, const std::string& name, const isa::Config& cfg);
// slice(x, start .. end) on the last axis with the start off by one.
TensorId planted_slice_off_by_one(Graph& g, TensorId x, uint32_t start, uint32_t end, const std::string& name,
                                  const isa::Config& cfg);

}  // namespace tsp::compiler
