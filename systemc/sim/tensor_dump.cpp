#include "systemc/sim/tensor_dump.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "common/numerics/int_ops.hpp"

namespace tsp::model {

std::vector<uint32_t> read_tensor(ChipEngine& chip, const image::Symbol& sym) {
  const isa::Config& cfg = chip.config();
  const unsigned bytes = isa::dtype_desc(sym.dtype).bytes;
  if (sym.slice + bytes > cfg.mem_slices)
    throw Error(fmt::format("tensor {}: its {} byte planes would run past the last slice", sym.name, bytes));
  std::vector<uint32_t> out(size_t(sym.vectors) * cfg.lanes, 0);
  for (unsigned b = 0; b < bytes; ++b)
    for (uint32_t v = 0; v < sym.vectors; ++v) {
      Vec vec;
      chip.slice(static_cast<uint16_t>(sym.slice + b)).read(sym.address + v, vec);
      for (uint32_t l = 0; l < cfg.lanes; ++l) out[size_t(v) * cfg.lanes + l] |= uint32_t(vec.bytes[l]) << (8 * b);
    }
  return out;
}

std::string format_tensor(const image::Symbol& sym, const std::vector<uint32_t>& bits) {
  const auto& t = isa::dtype_desc(sym.dtype);
  std::string shape, values;
  for (uint32_t d : sym.shape) shape += fmt::format("{}{}", shape.empty() ? "" : ", ", d);
  for (uint32_t x : bits) {
    std::string v;
    switch (sym.dtype) {
      case isa::DType::f16:
        v = fmt::format("{:g}", num::to_double<num::kF16>(x));
        break;
      case isa::DType::bf16:
        v = fmt::format("{:g}", num::to_double<num::kBF16>(x));
        break;
      case isa::DType::f32:
        v = fmt::format("{:g}", num::to_double<num::kF32>(x));
        break;
      default:
        v = fmt::format("{}", num::IntType{8 * t.bytes, t.is_signed}.value(x));
    }
    values += (values.empty() ? "" : ", ") + v;
  }
  return fmt::format("{} ({}, [{}]) = [{}]", sym.name, t.name, shape, values);
}

}  // namespace tsp::model
