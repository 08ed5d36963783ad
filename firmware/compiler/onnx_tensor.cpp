#include "firmware/compiler/onnx_tensor.hpp"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "common/error.hpp"

namespace tsp::compiler {
namespace {

using TP = onnx::TensorProto;

// Bytes of one element in raw_data.
unsigned raw_bytes(int32_t t) {
  switch (t) {
    case TP::INT8:
    case TP::UINT8:
    case TP::BOOL:
      return 1;
    case TP::INT16:
    case TP::FLOAT16:
    case TP::BFLOAT16:
      return 2;
    case TP::INT64:
      return 8;
    default:
      return 4;
  }
}

}  // namespace

uint64_t OnnxTensor::elements() const {
  uint64_t n = 1;
  for (uint32_t d : shape) n *= d;
  return n;
}

std::optional<isa::DType> dtype_of_onnx(int32_t t) {
  switch (t) {
    case TP::FLOAT:
      return isa::DType::f32;
    case TP::FLOAT16:
      return isa::DType::f16;
    case TP::BFLOAT16:
      return isa::DType::bf16;
    case TP::INT8:
      return isa::DType::i8;
    case TP::UINT8:
    case TP::BOOL:
      return isa::DType::u8;
    case TP::INT16:
      return isa::DType::i16;
    case TP::INT32:
    case TP::INT64:  // narrowed, values checked
      return isa::DType::i32;
    default:
      return std::nullopt;
  }
}

std::string onnx_type_name(int32_t t) {
  if (TP::DataType_IsValid(t)) return TP::DataType_Name(static_cast<TP::DataType>(t));
  return fmt::format("type {}", t);
}

OnnxTensor read_tensor(const onnx::TensorProto& t, const std::string& where) {
  OnnxTensor out;
  out.name = t.name();
  out.onnx_type = t.data_type();
  const std::string what = fmt::format("{}: error: tensor '{}'", where, t.name());
  const auto dt = dtype_of_onnx(t.data_type());
  if (!dt)
    throw Error(
        fmt::format("{}: element type {} is not supported (float, float16, bfloat16, int8, uint8, int16, "
                    "int32, int64 narrowed to int32, bool)",
                    what, onnx_type_name(t.data_type())));
  out.dtype = *dt;
  if (t.data_location() == TP::EXTERNAL)
    throw Error(fmt::format("{}: external data is not supported (store the data inside the model)", what));
  if (t.has_segment()) throw Error(fmt::format("{}: segmented tensors are not supported", what));
  uint64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > std::numeric_limits<uint32_t>::max())
      throw Error(fmt::format("{}: dimension {} is out of range", what, d));
    out.shape.push_back(static_cast<uint32_t>(d));
    n *= uint64_t(d);
    if (n > (uint64_t{1} << 32)) throw Error(fmt::format("{}: more than 2^32 elements", what));
  }
  const int32_t ty = t.data_type();
  // The shape is only a claim: check it against the data present before
  // allocating for it (a few bytes claiming 2^32 elements asked for 16 GiB).
  const unsigned b = raw_bytes(ty);
  if (t.has_raw_data() && t.raw_data().size() != n * b)
    throw Error(fmt::format("{}: raw_data holds {} bytes, {} elements of {} need {}", what, t.raw_data().size(), n,
                            onnx_type_name(ty), n * b));
  // Typed fields: float_data for FLOAT, int64_data for INT64, int32_data for the
  // rest (float16/bfloat16 as their bit patterns).
  const uint64_t have = t.has_raw_data()  ? n
                        : ty == TP::FLOAT ? uint64_t(t.float_data_size())
                        : ty == TP::INT64 ? uint64_t(t.int64_data_size())
                                          : uint64_t(t.int32_data_size());
  if (have != n) throw Error(fmt::format("{}: shape needs {} elements, the tensor holds {}", what, n, have));
  out.bits.resize(n);
  const auto narrow = [&](int64_t v, uint64_t i) {
    if (ty == TP::BOOL) return uint32_t(v != 0);
    if (ty == TP::INT64 && (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()))
      throw Error(fmt::format("{}: int64 element {} = {} does not fit int32 (the chip's widest integer)", what, i, v));
    return static_cast<uint32_t>(v) &
           (isa::dtype_desc(out.dtype).bytes == 4 ? 0xFFFFFFFFu : (1u << (8 * isa::dtype_desc(out.dtype).bytes)) - 1);
  };
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t v = 0;
      std::memcpy(&v, raw.data() + i * b, b);  // little-endian host
      int64_t sv = int64_t(v);
      if (ty == TP::INT8) sv = int8_t(v);
      if (ty == TP::INT16) sv = int16_t(v);
      if (ty == TP::INT32) sv = int32_t(v);
      out.bits[i] = ty == TP::FLOAT || ty == TP::FLOAT16 || ty == TP::BFLOAT16 ? uint32_t(v) : narrow(sv, i);
    }
  } else if (ty == TP::FLOAT) {
    for (uint64_t i = 0; i < n; ++i) out.bits[i] = std::bit_cast<uint32_t>(t.float_data(int(i)));
  } else if (ty == TP::INT64) {
    for (uint64_t i = 0; i < n; ++i) out.bits[i] = narrow(t.int64_data(int(i)), i);
  } else {
    for (uint64_t i = 0; i < n; ++i)
      out.bits[i] = ty == TP::FLOAT16 || ty == TP::BFLOAT16 ? uint32_t(t.int32_data(int(i))) & 0xFFFFu
                                                            : narrow(t.int32_data(int(i)), i);
  }
  return out;
}

OnnxTensor load_tensor_file(const std::string& path, int32_t declared) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("{}: error: cannot open", path));
  TP t;
  if (!t.ParseFromIstream(&f)) throw Error(fmt::format("{}: error: not a serialized ONNX TensorProto", path));
  if (declared == TP::BFLOAT16 && t.data_type() == TP::UINT16) t.set_data_type(TP::BFLOAT16);  // same bits
  return read_tensor(t, path);
}

}  // namespace tsp::compiler
