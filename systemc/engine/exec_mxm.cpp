// MXM semantics (docs/numerics.md §7 for the arithmetic): LW loads weight rows
// into the shadow buffer, IW installs them after its latency (double
// buffering: ABCs meanwhile use the old set), ABC multiplies an activation
// vector by the installed weights into an accumulator slot, ACC emits a slot.
#include <fmt/format.h>

#include "common/numerics/convert.hpp"
#include "common/numerics/dtype.hpp"
#include "common/numerics/mxm.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/engine/engine_hot.hpp"

namespace tsp::model {
namespace {

unsigned width_of(isa::DType t) { return isa::dtype_desc(t).bytes; }
using isa::Op;
using isa::operand_index;
using num::is_float;

// Operand positions from the ISA table at compile time: a lookup by name per
// instruction was a tenth of a timing-only run.
constexpr size_t kLwType = operand_index(Op::LW, "type"), kLwStreams = operand_index(Op::LW, "nstreams"),
                 kLwRow = operand_index(Op::LW, "row"), kLwSrc = operand_index(Op::LW, "src");
constexpr size_t kAbcType = operand_index(Op::ABC, "type"), kAbcSlot = operand_index(Op::ABC, "slot"),
                 kAbcMode = operand_index(Op::ABC, "accmode"), kAbcSrc = operand_index(Op::ABC, "src");
constexpr size_t kAccType = operand_index(Op::ACC, "type"), kAccSlot = operand_index(Op::ACC, "slot"),
                 kAccDst = operand_index(Op::ACC, "dst");

uint16_t lane_bits(const Vec* const* group, isa::DType t, uint32_t lane) {
  if (width_of(t) == 2) return static_cast<uint16_t>(group[0]->bytes[lane] | group[1]->bytes[lane] << 8);
  const uint8_t b = group[0]->bytes[lane];  // 8-bit integers, extended once so the MAC loop is plain arithmetic
  return t == isa::DType::i8 ? static_cast<uint16_t>(int16_t(int8_t(b))) : b;
}

// ABC's arithmetic: the activation vector times the installed weights into accumulator slot `slot`.
void multiply(MxmPlane& p, uint32_t dim, const Vec* const* act, isa::DType type, num::AccMode mode, uint32_t slot) {
  const bool fl = is_float(type);
  // On the stack, cache-line aligned: a heap buffer's placement against
  // the weights decided whether its stores and their loads 4K-aliased,
  // which swung this loop's speed by 30% from one build to the next.
  uint32_t* acc = &p.acc[size_t(slot) * dim];
  alignas(64) uint32_t dot[isa::kMaxLanes];
  std::fill_n(dot, dim, 0u);
  for (uint32_t k = 0; k < dim; ++k) {  // k outer keeps each column's sum in increasing k order
    const uint16_t a = lane_bits(act, type, k);
    const uint16_t* wrow = &p.active.w[size_t(k) * dim];
    if (fl) {
      for (uint32_t n = 0; n < dim; ++n) dot[n] = num::mac_float(dot[n], type, a, p.active.type, wrow[n]);
    } else {
      const auto ak = uint32_t(int32_t(int16_t(a)));
      for (uint32_t n = 0; n < dim; ++n) dot[n] += ak * uint32_t(int32_t(int16_t(wrow[n])));
    }
  }
  for (uint32_t n = 0; n < dim; ++n)
    acc[n] = fl ? num::accumulate_float(acc[n], dot[n], mode)
                : uint32_t(num::accumulate_int(int32_t(acc[n]), int32_t(dot[n]), mode));
}

}  // namespace

void ChipEngine::prefetch_streams(const QueueRun& q, const isa::Instr& in, Cycle issue) const {
  const auto hint = [&](size_t field, unsigned width, Cycle at) {
    const auto base = isa::StreamRef::from_code(uint64_t(in.operand[field]));
    for (unsigned i = 0; i < width; ++i)
      fabric_.prefetch(isa::StreamRef{static_cast<uint8_t>(base.index + i), base.west}, q.desc->position, at);
  };
  switch (in.op) {
    case Op::READ:  // the slot it fills
      hint(operand_index(Op::READ, "dst"), 1, issue + in.desc().latency);
      break;
    case Op::LW:  // the slots it takes, in its issue cycle
      hint(kLwSrc, std::min<unsigned>(static_cast<unsigned>(in.operand[kLwStreams]), isa::kMaxStreams), issue);
      break;
    case Op::ABC:
      hint(kAbcSrc, width_of(static_cast<isa::DType>(in.operand[kAbcType])), issue);
      break;
    default:
      break;
  }
}

MxmPlane& ChipEngine::plane_of(const Exec& x) {
  const isa::QueueDesc& q = *x.q.desc;
  const uint32_t p = q.hemisphere * cfg_.mxm_planes_per_hemisphere + q.index / cfg_.mxm_queues_per_plane;
  MxmPlane& plane = planes_.at(p);
  if (plane.acc_written.empty()) {  // allocated on first use: most chips of a large system use few planes
    const size_t dim = cfg_.mxm_dim;
    if (!timing_only_) {  // values: none in a timing-only run
      plane.shadow.w.resize(dim * dim);
      plane.active.w.resize(dim * dim);
      plane.acc.resize(size_t(cfg_.mxm_acc_slots) * dim);
    }
    plane.acc_is_float.resize(cfg_.mxm_acc_slots);
    plane.acc_written.resize(cfg_.mxm_acc_slots);
    plane.abc_at.assign(cfg_.mxm_acc_slots, ~Cycle{0});
    plane.acc_at.assign(cfg_.mxm_acc_slots, ~Cycle{0});
  }
  if (plane.install_pending && x.t >= plane.install_at) {
    plane.active = plane.shadow;
    plane.install_pending = false;
    plane.shadow.loaded = false;  // the next LW starts a new set
  }
  return plane;
}

void ChipEngine::exec_mxm(const Exec& x) {
  MxmPlane& p = plane_of(x);
  const uint32_t dim = cfg_.mxm_dim;
  const auto stream = [&](size_t i) { return isa::StreamRef::from_code(uint64_t(x.in.operand[i])); };
  const auto field = [&](size_t i) { return x.in.operand[i]; };
  switch (x.in.op) {
    case isa::Op::LW: {
      const auto type = static_cast<isa::DType>(field(kLwType));
      const unsigned w = width_of(type);
      const auto nstreams = static_cast<unsigned>(field(kLwStreams));
      const auto row = static_cast<uint32_t>(field(kLwRow));
      if (p.install_pending)
        fail(x, fmt::format("LW overwrites the shadow weights that IW is installing until cycle {}", p.install_at));
      if (nstreams % w)
        fail(x, fmt::format("{} weights take {} streams a row: {} streams is not whole rows",
                            isa::kDTypes[size_t(type)].name, w, nstreams));
      if (p.shadow.loaded && p.shadow.type != type)
        fail(x, fmt::format("the shadow weight set holds {} rows; one set cannot mix types",
                            isa::kDTypes[size_t(p.shadow.type)].name));
      const Vec* rows[isa::kMaxStreams];
      read_streams(x, stream(kLwSrc), nstreams, rows);
      for (uint32_t r = 0; r < (timing_only_ ? 0 : nstreams / w); ++r)
        for (uint32_t n = 0; n < dim; ++n) p.shadow.w[size_t(row + r) * dim + n] = lane_bits(rows + r * w, type, n);
      p.shadow.type = type;
      p.shadow.loaded = true;
      break;
    }
    case isa::Op::IW:
      if (p.install_pending) fail(x, fmt::format("IW while the previous IW installs until cycle {}", p.install_at));
      if (!p.shadow.loaded) fail(x, "IW with no weights loaded by LW");
      p.install_pending = true;
      p.install_at = x.t + x.in.desc().latency;
      break;
    case isa::Op::ABC: {
      const auto type = static_cast<isa::DType>(field(kAbcType));
      const auto slot = static_cast<uint32_t>(field(kAbcSlot));
      const auto mode = field(kAbcMode) == 0 ? num::AccMode::set : num::AccMode::add;
      if (!p.active.loaded) fail(x, "ABC before any weights were installed (LW, then IW and its latency)");
      if (is_float(type) != is_float(p.active.type))
        fail(x, fmt::format("{} activations with {} weights: integer and float do not mix",
                            isa::kDTypes[size_t(type)].name, isa::kDTypes[size_t(p.active.type)].name));
      if (x.t < p.float_busy_until)
        fail(x, fmt::format("the array is busy with a float ABC until cycle {} (float runs at 1/{} rate)",
                            p.float_busy_until, cfg_.mxm_float_cycles));
      const Vec* act[isa::kMaxTypeBytes];
      read_streams(x, stream(kAbcSrc), width_of(type), act);
      const bool fl = is_float(type);
      if (mode == num::AccMode::add && p.acc_written[slot] && p.acc_is_float[slot] != fl)
        fail(x, fmt::format("slot {} holds {} sums; adding {} products to it is not defined", slot,
                            p.acc_is_float[slot] ? "f32" : "int32", fl ? "f32" : "int32"));
      if (mode == num::AccMode::add && !p.acc_written[slot])
        fail(x, fmt::format("ABC adds into accumulator slot {}, which no ABC has set", slot));
      if (p.acc_at[slot] == x.t)
        fail(x, fmt::format("ABC writes accumulator slot {} in the cycle an ACC reads it: their order is not defined",
                            slot));
      p.abc_at[slot] = x.t;
      if (!timing_only_) multiply(p, dim, act, type, mode, slot);
      p.acc_is_float[slot] = fl;
      p.acc_written[slot] = true;
      if (fl) p.float_busy_until = x.t + cfg_.mxm_float_cycles;
      stats_.macs += uint64_t(dim) * dim;
      break;
    }
    case isa::Op::ACC: {
      const auto type = static_cast<isa::DType>(field(kAccType));
      const auto slot = static_cast<uint32_t>(field(kAccSlot));
      if (!p.acc_written[slot]) fail(x, fmt::format("ACC of accumulator slot {}, which no ABC has written", slot));
      if (p.abc_at[slot] == x.t)
        fail(x, fmt::format("ACC reads accumulator slot {} in the cycle an ABC writes it: their order is not defined",
                            slot));
      p.acc_at[slot] = x.t;
      const isa::DType held = p.acc_is_float[slot] ? isa::DType::f32 : isa::DType::i32;
      const unsigned w = width_of(type);
      if (timing_only_) {
        no_results(x, stream(kAccDst), w);
        break;
      }
      Vec out[isa::kMaxTypeBytes];
      for (uint32_t n = 0; n < dim; ++n) {
        uint32_t v = p.acc[size_t(slot) * dim + n];
        if (held != type) v = num::convert(type, held, v, num::IntConvert::saturate);
        for (unsigned i = 0; i < w; ++i) out[i].bytes[n] = static_cast<uint8_t>(v >> (8 * i));
      }
      write_streams(x, stream(kAccDst), w, out);
      break;
    }
    default:
      fail(x, "not an MXM instruction");
  }
}

}  // namespace tsp::model
