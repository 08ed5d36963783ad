#pragma once
// ONNX models to compiler graphs. Graph inputs become Input tensors holding the
// given data (the host loads them with the image), initializers become Const
// tensors, and each node is imported by the function its op type maps to in one
// table (onnx_import.cpp); every attribute is checked. An op or attribute
// value the chip cannot do yet is an error naming the node:
//   model.onnx: error: node 'sm' (Softmax): not supported yet
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "firmware/compiler/ir.hpp"
#include "firmware/compiler/onnx_tensor.hpp"

namespace tsp::compiler {

// The default ("ai.onnx") opsets this importer knows.
inline constexpr int64_t kOnnxMinOpset = 7;  // numpy-style broadcasting semantics from here on
inline constexpr int64_t kOnnxMaxOpset = 17;

struct OnnxOutput {
  std::string onnx_name;
  TensorId tensor = 0;
};

struct OnnxImport {
  Graph graph;
  std::vector<OnnxOutput> outputs;  // in the model's output order
  int64_t opset = 0;
};

// Reads a serialized ModelProto; errors name the file.
onnx::ModelProto load_model(const std::string& path);
// The graph inputs that need data (those without an initializer), in order.
std::vector<std::string> onnx_data_inputs(const onnx::ModelProto& m);
// `inputs` gives each data input's value, by name when the tensor is named
// like an input, else by position. `source` names the model in errors.
OnnxImport import_onnx(const onnx::ModelProto& m, const std::vector<OnnxTensor>& inputs, const std::string& source);

}  // namespace tsp::compiler
