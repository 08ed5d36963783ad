#pragma once
// One VXM lane: the result bits of an opcode on its operand bits
// (docs/numerics.md). Operands and the result are the lane's value zero-extended
// to 32 bits; only the low lane_bits(type) bits of an operand are read.
// Decode once per instruction into a VxmOp, then call apply() per lane: no
// allocation, no virtual calls, no exceptions.
#include <cstdint>

#include "tsp/isa_gen.hpp"

namespace tsp::num {

struct VxmOp {
  isa::Op op = isa::Op::MOV;
  isa::DType type = isa::DType::i8;
  isa::DType from = isa::DType::i8;  // CVT / CVTS source type
  uint8_t shamt = 0;                 // SHLI / SHRI / SRAI
};

// True when the ISA table allows `type` for `op` and op is a VXM op; apply()
// returns 0 for any other combination.
bool vxm_supports(isa::Op op, isa::DType type);

// a, b, c: operand bits (c is SEL's condition). Unused operands are ignored.
uint32_t apply(const VxmOp& op, uint32_t a, uint32_t b = 0, uint32_t c = 0);

}  // namespace tsp::num
