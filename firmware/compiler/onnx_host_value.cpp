#include "firmware/compiler/onnx_host_value.hpp"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/error.hpp"
#include "firmware/compiler/onnx_tensor.hpp"
#include "firmware/compiler/reference.hpp"

namespace tsp::compiler {
namespace {

using TP = onnx::TensorProto;

// An IEEE binary format as ONNX's host math has it: `p` significand bits
// (with the hidden one), exponents emin..emax of normal numbers.
struct Ieee {
  int p, emin, emax;
};
constexpr Ieee kHalf{11, -14, 15}, kBfloat{8, -126, 127};

// v rounded to nearest even in format f, subnormals kept, overflow to infinity.
double round_ieee(const Ieee& f, double v) {
  if (!std::isfinite(v) || v == 0) return v;
  int e = 0;
  std::frexp(v, &e);  // |v| = m 2^e, m in [0.5, 1): the leading bit has weight 2^(e-1)
  const int quantum = std::max(e - 1, f.emin) - (f.p - 1);  // weight of the last kept bit
  const double r = std::ldexp(std::nearbyint(std::ldexp(v, -quantum)), quantum);
  const double largest = std::ldexp(2.0 - std::ldexp(1.0, 1 - f.p), f.emax);
  return std::fabs(r) > largest ? std::copysign(std::numeric_limits<double>::infinity(), v) : r;
}

// The f16 bits of a value of f16 (exact).
uint32_t half_bits(double v) {
  const uint32_t sign = std::signbit(v) ? 0x8000u : 0u;
  if (std::isnan(v)) return 0x7E00u;
  if (std::isinf(v)) return sign | 0x7C00u;
  const double a = std::fabs(v);
  if (a < 0x1p-14) return sign | uint32_t(a * 0x1p24);  // subnormal or zero
  int e = 0;
  const double m = std::frexp(a, &e);  // a = m 2^e
  return sign | uint32_t(e - 1 + 15) << 10 | (uint32_t(m * 2048.0) & 0x3FFu);
}

unsigned raw_width(int32_t t) {
  switch (t) {
    case TP::INT8:
    case TP::UINT8:
    case TP::BOOL:
      return 1;
    case TP::INT16:
    case TP::UINT16:
    case TP::FLOAT16:
    case TP::BFLOAT16:
      return 2;
    case TP::INT64:
    case TP::UINT64:
    case TP::DOUBLE:
      return 8;
    default:
      return 4;
  }
}

// One element read from its little-endian raw bytes (or a typed field's integer) as the value.
double float_of_bits(int32_t t, uint64_t b) {
  switch (t) {
    case TP::FLOAT:
      return double(std::bit_cast<float>(uint32_t(b)));
    case TP::DOUBLE:
      return std::bit_cast<double>(b);
    case TP::FLOAT16:
      return ieee_value(isa::DType::f16, uint32_t(b & 0xFFFF));
    default:  // BFLOAT16
      return double(std::bit_cast<float>(uint32_t(b & 0xFFFF) << 16));
  }
}

}  // namespace

bool host_type_float(int32_t t) { return t == TP::FLOAT || t == TP::DOUBLE || t == TP::FLOAT16 || t == TP::BFLOAT16; }

bool host_type_ok(int32_t t) {
  switch (t) {
    case TP::FLOAT:
    case TP::DOUBLE:
    case TP::FLOAT16:
    case TP::BFLOAT16:
    case TP::INT8:
    case TP::UINT8:
    case TP::INT16:
    case TP::UINT16:
    case TP::INT32:
    case TP::UINT32:
    case TP::INT64:
    case TP::UINT64:
    case TP::BOOL:
      return true;
    default:
      return false;
  }
}

bool HostValue::is_float() const { return host_type_float(type); }

int64_t HostValue::integer(uint64_t i) const {
  if (!is_float()) return ints[i];
  const double v = floats[i];
  if (!(std::fabs(v) < 0x1p63)) return 0;  // NaN, inf and out of range: undefined in ONNX
  return int64_t(v);
}

uint64_t elements_of(const std::vector<int64_t>& shape) {
  uint64_t n = 1;
  for (int64_t d : shape) n *= uint64_t(d);
  return n;
}

HostValue host_zeros(int32_t type, const std::vector<int64_t>& shape) {
  HostValue v;
  v.type = type;
  v.shape = shape;
  if (v.is_float())
    v.floats.assign(elements_of(shape), 0.0);
  else
    v.ints.assign(elements_of(shape), 0);
  return v;
}

double round_to_type(int32_t type, double v) {
  switch (type) {
    case TP::FLOAT:
      return double(float(v));
    case TP::FLOAT16:
      return round_ieee(kHalf, v);
    case TP::BFLOAT16:
      return round_ieee(kBfloat, v);
    default:
      return v;
  }
}

int64_t wrap_to_type(int32_t type, int64_t v) {
  switch (type) {
    case TP::BOOL:
      return v != 0;
    case TP::INT8:
      return int8_t(v);
    case TP::UINT8:
      return uint8_t(v);
    case TP::INT16:
      return int16_t(v);
    case TP::UINT16:
      return uint16_t(v);
    case TP::INT32:
      return int32_t(v);
    case TP::UINT32:
      return uint32_t(v);
    default:
      return v;
  }
}

HostValue host_value(const onnx::TensorProto& t, const std::string& where) {
  const std::string what = fmt::format("{}: error: tensor '{}'", where, t.name());
  HostValue v;
  v.type = t.data_type();
  if (!host_type_ok(v.type))
    throw Error(fmt::format("{}: element type {} is not supported", what, onnx_type_name(v.type)));
  if (t.data_location() == TP::EXTERNAL)
    throw Error(fmt::format("{}: external data is not supported (store the data inside the model)", what));
  if (t.has_segment()) throw Error(fmt::format("{}: segmented tensors are not supported", what));
  uint64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > std::numeric_limits<uint32_t>::max())
      throw Error(fmt::format("{}: dimension {} is out of range", what, d));
    v.shape.push_back(d);
    n *= uint64_t(d);
    if (n > (uint64_t{1} << 32)) throw Error(fmt::format("{}: more than 2^32 elements", what));
  }
  const unsigned b = raw_width(v.type);
  const int32_t ty = v.type;
  const uint64_t have = t.has_raw_data()                       ? t.raw_data().size() / b
                        : ty == TP::FLOAT                      ? uint64_t(t.float_data_size())
                        : ty == TP::DOUBLE                     ? uint64_t(t.double_data_size())
                        : ty == TP::INT64                      ? uint64_t(t.int64_data_size())
                        : ty == TP::UINT32 || ty == TP::UINT64 ? uint64_t(t.uint64_data_size())
                                                               : uint64_t(t.int32_data_size());
  if (have != n || (t.has_raw_data() && t.raw_data().size() != n * b))
    throw Error(fmt::format("{}: shape needs {} elements of {}, the tensor holds {}", what, n, onnx_type_name(ty),
                            t.has_raw_data() ? fmt::format("{} bytes", t.raw_data().size()) : std::to_string(have)));
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t raw = 0;
    if (t.has_raw_data()) std::memcpy(&raw, t.raw_data().data() + i * b, b);  // little-endian host
    if (v.is_float()) {
      const double f = t.has_raw_data()   ? float_of_bits(ty, raw)
                       : ty == TP::FLOAT  ? double(t.float_data(int(i)))
                       : ty == TP::DOUBLE ? t.double_data(int(i))
                                          : float_of_bits(ty, uint64_t(uint32_t(t.int32_data(int(i)))));
      v.floats.push_back(f);
    } else {
      const int64_t x = t.has_raw_data()                       ? int64_t(raw)
                        : ty == TP::INT64                      ? t.int64_data(int(i))
                        : ty == TP::UINT32 || ty == TP::UINT64 ? int64_t(t.uint64_data(int(i)))
                                                               : int64_t(t.int32_data(int(i)));
      v.ints.push_back(wrap_to_type(ty, x));
    }
  }
  return v;
}

ChipData chip_data(const HostValue& v, const std::string& what) {
  ChipData c;
  int32_t ty = v.type;
  const auto dt = dtype_of_onnx(ty);
  if (!dt)
    throw Error(
        fmt::format("{}: {} values cannot be a chip tensor (float, float16, bfloat16, int8, uint8, int16, "
                    "int32, int64 narrowed to int32, bool)",
                    what, onnx_type_name(ty)));
  c.dtype = *dt;
  for (int64_t d : v.shape) {
    if (d == 0) throw Error(fmt::format("{}: an empty tensor cannot be a chip tensor", what));
    c.shape.push_back(uint32_t(d));
  }
  if (c.shape.empty()) c.shape = {1};
  c.bits.reserve(v.size());
  for (uint64_t i = 0; i < v.size(); ++i) {
    if (ty == TP::FLOAT) {
      c.bits.push_back(std::bit_cast<uint32_t>(float(v.floats[i])));
    } else if (ty == TP::BFLOAT16) {
      c.bits.push_back(std::bit_cast<uint32_t>(float(v.floats[i])) >> 16);
    } else if (ty == TP::FLOAT16) {
      c.bits.push_back(half_bits(v.floats[i]));
    } else {
      const int64_t x = v.ints[i];
      if (ty == TP::INT64 && (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()))
        throw Error(
            fmt::format("{}: int64 element {} = {} does not fit int32 (the chip's widest integer)", what, i, x));
      const unsigned bytes = isa::dtype_desc(c.dtype).bytes;
      c.bits.push_back(uint32_t(x) & (bytes == 4 ? 0xFFFFFFFFu : (1u << (8 * bytes)) - 1));
    }
  }
  return c;
}

}  // namespace tsp::compiler
