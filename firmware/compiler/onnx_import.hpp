#pragma once
// ONNX models to compiler graphs. Graph inputs become Input tensors holding the
// given data (the host loads them with the image), initializers become Const
// tensors, and each node is imported by the function its op type maps to in one
// table (onnx_import.cpp); every attribute is checked. An op or attribute
// value the chip cannot do yet is an error naming the node:
//   model.onnx: error: node 'sm' (Softmax): not supported yet
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/ir.hpp"
#include "firmware/compiler/onnx_host_value.hpp"
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

// DIR/<prefix>_0.pb, _1.pb, ... while they exist (a node test's
// test_data_set_N); `declared[k]`: the model's element type for file k.
std::vector<OnnxTensor> load_numbered(const std::filesystem::path& set, const std::string& prefix,
                                      const std::vector<int32_t>& declared);
// Declared element types of the data inputs (or of the outputs), in order.
std::vector<int32_t> declared_types(const onnx::ModelProto& m, bool outputs);

// Reads a serialized ModelProto; errors name the file.
onnx::ModelProto load_model(const std::string& path);
// The graph inputs that need data (those without an initializer), in order.
std::vector<std::string> onnx_data_inputs(const onnx::ModelProto& m);
// `inputs` gives each data input's value, by name when the tensor is named
// like an input, else by position. `source` names the model in errors.
// `fold_hook` (tests only: planted bugs) sees every value folded at compile
// time, with its node's op type, and may change it.
using FoldHook = std::function<void(const std::string& op_type, HostValue& value)>;
struct ImportOptions {
  // How float32 MatMuls (and Gemm, Conv, LSTM gates) run (compose.hpp): from
  // f16 parts to about 22 bits (three MXM passes), as f16 x f16 products
  // summed in f32 (one pass, the precision the published systems run at), or
  // W8A8 int8 where the weight is a constant (docs/compiler.md, "ONNX").
  MatmulPrecision matmul = MatmulPrecision::F16Parts;
};
OnnxImport import_onnx(const onnx::ModelProto& m, const std::vector<OnnxTensor>& inputs, const std::string& source,
                       const FoldHook& fold_hook = {}, const ImportOptions& options = {});

}  // namespace tsp::compiler
