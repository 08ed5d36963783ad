// VXM semantics: queue VXM.k drives ALU k of every lane; common/numerics gives
// the bits of each lane's result (docs/numerics.md). Multi-byte values span a
// stream group, least significant byte on the lowest stream.
#include <fmt/format.h>

#include "common/numerics/vxm.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/engine/engine_hot.hpp"

namespace tsp::model {
namespace {

uint32_t lane_value(const Vec* const* group, unsigned width, uint32_t lane) {
  uint32_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= uint32_t(group[i]->bytes[lane]) << (8 * i);
  return v;
}

}  // namespace

void ChipEngine::exec_vxm(const Exec& x) {
  num::VxmOp op;
  op.op = x.in.op;
  if (x.in.has(operands::kType)) op.type = static_cast<isa::DType>(x.in.get(operands::kType));
  if (x.in.has(operands::kFrom)) op.from = static_cast<isa::DType>(x.in.get(operands::kFrom));
  if (x.in.has(operands::kShamt)) op.shamt = static_cast<uint8_t>(x.in.get(operands::kShamt));
  const bool has_b = x.in.has(operands::kB), has_c = x.in.has(operands::kC);
  const bool converts = x.in.op == isa::Op::CVT || x.in.op == isa::Op::CVTS;
  const unsigned out_w = isa::dtype_desc(op.type).bytes;
  const unsigned in_w = isa::dtype_desc(converts ? op.from : op.type).bytes;
  const auto stream = [&](const isa::OperandPositions& field) { return stream_of(x.in, field); };

  const Vec* a[isa::kMaxTypeBytes];
  const Vec* b[isa::kMaxTypeBytes];
  const Vec* c[isa::kMaxTypeBytes];
  read_streams(x, stream(operands::kA), in_w, a);
  if (has_b) read_streams(x, stream(operands::kB), in_w, b);
  if (has_c) read_streams(x, stream(operands::kC), in_w, c);
  if (timing_only_) {
    no_results(x, stream(operands::kDst), out_w);
    return;
  }
  Vec out[isa::kMaxTypeBytes];
  for (uint32_t l = 0; l < cfg_.lanes; ++l) {
    const uint32_t r =
        num::apply(op, lane_value(a, in_w, l), has_b ? lane_value(b, in_w, l) : 0, has_c ? lane_value(c, in_w, l) : 0);
    for (unsigned i = 0; i < out_w; ++i) out[i].bytes[l] = static_cast<uint8_t>(r >> (8 * i));
  }
  write_streams(x, stream(operands::kDst), out_w, out);
}

}  // namespace tsp::model
