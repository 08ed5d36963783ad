#pragma once
// Tensors the ONNX importer knows at compile time (initializers, Constant
// nodes, Shape of any tensor, and everything folded from them:
// onnx_fold.cpp). They keep ONNX's own types and rank: int64 stays int64 (a
// shape, a Slice end of INT64_MAX), floats are held as doubles that are
// values of their type (IEEE, subnormals kept, as ONNX computes them on a
// host). Only where a chip op uses one does it become a Const tensor
// (`chip_data`): int64 narrowed to int32 with every value range-checked.
#include <cstdint>
#include <string>
#include <vector>

#include "firmware/isa/isa.hpp"

namespace onnx {
class TensorProto;
}

namespace tsp::compiler {

struct HostValue {
  int32_t type = 0;            // onnx::TensorProto::DataType
  std::vector<int64_t> shape;  // ONNX's: empty for a scalar
  std::vector<int64_t> ints;   // integer and bool types (bool 0/1)
  std::vector<double> floats;  // float types

  bool is_float() const;
  uint64_t size() const { return is_float() ? floats.size() : ints.size(); }
  double value(uint64_t i) const { return is_float() ? floats[i] : double(ints[i]); }
  int64_t integer(uint64_t i) const;  // floats truncated toward zero (ONNX's Cast)
};

// Elements of a shape (1 for a scalar).
uint64_t elements_of(const std::vector<int64_t>& shape);
// An empty value of `type` and `shape` (zero-filled).
HostValue host_zeros(int32_t type, const std::vector<int64_t>& shape);
// Whether ONNX element type `type` can be a known value (numbers and bool).
bool host_type_ok(int32_t type);
bool host_type_float(int32_t type);

// Reads a TensorProto (raw_data or the typed fields); `where` prefixes errors.
HostValue host_value(const onnx::TensorProto& t, const std::string& where);

// `v` rounded to float type `type` (FLOAT, FLOAT16, BFLOAT16: nearest even,
// subnormals kept, overflow to infinity; DOUBLE: itself), or wrapped into
// integer type `type` (two's complement; BOOL: != 0).
double round_to_type(int32_t type, double v);
int64_t wrap_to_type(int32_t type, int64_t v);

// The chip tensor of a known value: element type, shape (a scalar as [1]) and
// bits. Throws tsp::Error starting with `what` for types the chip lacks, an
// int64 element outside int32, or an empty tensor.
struct ChipData {
  isa::DType dtype = isa::DType::f32;
  std::vector<uint32_t> shape;
  std::vector<uint32_t> bits;
};
ChipData chip_data(const HostValue& v, const std::string& what);

}  // namespace tsp::compiler
