#pragma once
// Lane-level facts about an element type, read from the generated ISA table
// (widths, float or int, signedness) so nothing here restates isa.toml.
#include <cstdint>

#include "tsp/isa_gen.hpp"

namespace tsp::num {

constexpr const isa::DTypeDesc& desc(isa::DType t) { return isa::kDTypes[static_cast<unsigned>(t)]; }
constexpr unsigned lane_bits(isa::DType t) { return 8u * desc(t).bytes; }
constexpr uint32_t lane_mask(isa::DType t) { return lane_bits(t) >= 32 ? 0xFFFFFFFFu : (1u << lane_bits(t)) - 1; }
constexpr bool is_float(isa::DType t) { return desc(t).is_float; }

}  // namespace tsp::num

#include "common/numerics/int_ops.hpp"

namespace tsp::num {

constexpr IntType int_type(isa::DType t) { return {int(lane_bits(t)), desc(t).is_signed}; }

}  // namespace tsp::num
