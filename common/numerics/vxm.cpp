#include "common/numerics/vxm.hpp"

#include "common/numerics/convert.hpp"
#include "common/numerics/dtype.hpp"
#include "common/numerics/float_ops.hpp"
#include "common/numerics/int_ops.hpp"
#include "common/numerics/transcendental.hpp"
#include "firmware/isa/isa.hpp"

namespace tsp::num {
namespace {

using isa::DType;
using isa::Op;

constexpr uint32_t mask_of(bool b) { return b ? 0xFFFFFFFFu : 0u; }

uint32_t int_lane(Op op, IntType t, uint32_t a, uint32_t b, unsigned shamt) {
  switch (op) {
    case Op::ADD:
      return iadd(t, a, b);
    case Op::ADDS:
      return iadds(t, a, b);
    case Op::SUB:
      return isub(t, a, b);
    case Op::SUBS:
      return isubs(t, a, b);
    case Op::MUL:
      return imul(t, a, b);
    case Op::MULS:
      return imuls(t, a, b);
    case Op::MIN:
      return imin(t, a, b);
    case Op::MAX:
      return imax(t, a, b);
    case Op::ABS:
      return iabs(t, a);
    case Op::NEG:
      return ineg(t, a);
    case Op::RELU:
      return irelu(t, a);
    case Op::CMPEQ:
      return mask_of(icmp_eq(t, a, b));
    case Op::CMPLT:
      return mask_of(icmp_lt(t, a, b));
    case Op::CMPLE:
      return mask_of(icmp_le(t, a, b));
    case Op::SHL:
      return ishl(t, a, shift_amount_mod_width(t, b));
    case Op::SHR:
      return ishr(t, a, shift_amount_mod_width(t, b));
    case Op::SRA:
      return isra(t, a, shift_amount_mod_width(t, b));
    case Op::SHLI:
      return ishl(t, a, shamt);
    case Op::SHRI:
      return ishr(t, a, shamt);
    case Op::SRAI:
      return isra(t, a, shamt);
    case Op::AND:
      return a & b;
    case Op::OR:
      return a | b;
    case Op::XOR:
      return a ^ b;
    case Op::NOT:
      return ~a;
    case Op::TANH:
      return t.bits == 16 ? q12_tanh(uint16_t(a)) : 0;
    default:
      return 0;
  }
}

template <FloatFormat F>
uint32_t float_lane(Op op, uint32_t a, uint32_t b) {
  switch (op) {
    case Op::ADD:
      return fadd<F>(a, b);
    case Op::SUB:
      return fsub<F>(a, b);
    case Op::MUL:
      return fmul<F>(a, b);
    case Op::MIN:
      return fmin<F>(a, b);
    case Op::MAX:
      return fmax<F>(a, b);
    case Op::ABS:
      return fabs_bits<F>(a);
    case Op::NEG:
      return fneg<F>(a);
    case Op::RELU:
      return frelu<F>(a);
    case Op::CMPEQ:
      return mask_of(fcmp_eq<F>(a, b));
    case Op::CMPLT:
      return mask_of(fcmp_lt<F>(a, b));
    case Op::CMPLE:
      return mask_of(fcmp_le<F>(a, b));
    case Op::EXP:
      return F == kF32 ? f32_exp(a) : via_f32<F>(f32_exp, a);
    case Op::RSQRT:
      return F == kF32 ? f32_rsqrt(a) : via_f32<F>(f32_rsqrt, a);
    case Op::TANH:
      return F == kF32 ? f32_tanh(a) : via_f32<F>(f32_tanh, a);
    default:
      return 0;
  }
}

}  // namespace

bool vxm_supports(Op op, DType type) {
  const isa::OpDesc& d = isa::op_desc(op);
  return d.unit == isa::Unit::VXM && (d.type_mask >> unsigned(type) & 1u) != 0;
}

uint32_t apply(const VxmOp& op, uint32_t a, uint32_t b, uint32_t c) {
  if (!vxm_supports(op.op, op.type)) return 0;
  // A conversion reads `a` at the source's width (convert() masks it): masking
  // by the destination first would drop the high bytes of a narrowing CVT.
  if (op.op == Op::CVT) return convert(op.type, op.from, a, IntConvert::wrap);
  if (op.op == Op::CVTS) return convert(op.type, op.from, a, IntConvert::saturate);
  const uint32_t mask = lane_mask(op.type);
  a &= mask;
  b &= mask;
  switch (op.op) {
    case Op::MOV:
      return a;  // a bit copy: no flush, NaN payloads kept
    case Op::SEL:
      return (c & mask) != 0 ? a : b;
    default:
      break;
  }
  switch (op.type) {
    case DType::f16:
      return float_lane<kF16>(op.op, a, b) & mask;
    case DType::bf16:
      return float_lane<kBF16>(op.op, a, b) & mask;
    case DType::f32:
      return float_lane<kF32>(op.op, a, b);
    default:
      return int_lane(op.op, int_type(op.type), a, b, op.shamt) & mask;
  }
}

}  // namespace tsp::num
