#pragma once
// ONNX TensorProtos to element bits: the data of graph inputs, initializers and
// expected outputs. Reads raw_data (little-endian) and the typed repeated
// fields. Types the chip has: float, float16, bfloat16, int8, uint8, int16,
// int32; int64 is narrowed to i32 when every value fits; bool becomes u8 0/1.
// Anything else (double, strings, external data, ...) is a clear error.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "firmware/isa/isa.hpp"

namespace onnx {
class TensorProto;
}

namespace tsp::compiler {

struct OnnxTensor {
  std::string name;
  int32_t onnx_type = 0;  // TensorProto::DataType as stored
  isa::DType dtype = isa::DType::f32;
  std::vector<uint32_t> shape;  // empty for a scalar
  std::vector<uint32_t> bits;   // one element's bits per entry, row-major, IEEE (subnormals kept)
  uint64_t elements() const;
};

// The chip type that holds ONNX element type `onnx_type`, or nullopt.
std::optional<isa::DType> dtype_of_onnx(int32_t onnx_type);
// "FLOAT", "INT64", ... for messages.
std::string onnx_type_name(int32_t onnx_type);

// `where` prefixes errors ("dir/input_0.pb").
OnnxTensor read_tensor(const onnx::TensorProto& t, const std::string& where);
// A serialized TensorProto file (the node tests' input_K.pb / output_K.pb).
// `declared` is the model's type for it (0: unknown): ONNX's test data stores
// bfloat16 as UINT16 bit patterns (numpy has no bfloat16), read as bf16 then.
OnnxTensor load_tensor_file(const std::string& path, int32_t declared = 0);

}  // namespace tsp::compiler
