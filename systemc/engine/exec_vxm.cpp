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
  const isa::OpDesc& d = x.in.desc();
  num::VxmOp op;
  op.op = x.in.op;
  bool has_b = false, has_c = false;
  for (size_t i = 0; i < d.fields.size(); ++i) {
    const std::string_view name = d.fields[i].name;
    const auto v = x.in.operand[i];
    if (name == "type") op.type = static_cast<isa::DType>(v);
    if (name == "from") op.from = static_cast<isa::DType>(v);
    if (name == "shamt") op.shamt = static_cast<uint8_t>(v);
    has_b |= name == "b";
    has_c |= name == "c";
  }
  const bool converts = x.in.op == isa::Op::CVT || x.in.op == isa::Op::CVTS;
  const unsigned out_w = isa::dtype_desc(op.type).bytes;
  const unsigned in_w = isa::dtype_desc(converts ? op.from : op.type).bytes;
  const auto stream = [&](const char* name) { return isa::StreamRef::from_code(uint64_t(x.in.get(name))); };

  const Vec* a[isa::kMaxTypeBytes];
  const Vec* b[isa::kMaxTypeBytes];
  const Vec* c[isa::kMaxTypeBytes];
  read_streams(x, stream("a"), in_w, a);
  if (has_b) read_streams(x, stream("b"), in_w, b);
  if (has_c) read_streams(x, stream("c"), in_w, c);
  if (timing_only_) {
    no_results(x, stream("dst"), out_w);
    return;
  }
  Vec out[isa::kMaxTypeBytes];
  for (uint32_t l = 0; l < cfg_.lanes; ++l) {
    const uint32_t r =
        num::apply(op, lane_value(a, in_w, l), has_b ? lane_value(b, in_w, l) : 0, has_c ? lane_value(c, in_w, l) : 0);
    for (unsigned i = 0; i < out_w; ++i) out[i].bytes[l] = static_cast<uint8_t>(r >> (8 * i));
  }
  write_streams(x, stream("dst"), out_w, out);
}

}  // namespace tsp::model
