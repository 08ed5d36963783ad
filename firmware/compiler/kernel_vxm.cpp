// A VXM kernel is one chain: every operand plane READ so that all planes meet
// at the VXM in the ALU's issue cycle, the ALU op, and one WRITE per result
// plane where the result passes its slice. Each run covers all vectors.
#include <fmt/format.h>

#include <cstdlib>

#include "firmware/compiler/kernels.hpp"

namespace tsp::compiler {

Cycle KernelScheduler::ready_anchor(TensorId t, unsigned i, Cycle access, bool in_order) const {
  if (writes_[t].empty()) return std::numeric_limits<Cycle>::min() / 2;
  const PlaneWrites& w = writes_[t][i];
  // A READ's array access must come at least one cycle after the WRITE's.
  return (in_order && w.uniform ? w.first : w.last) + 1 - access;
}

void KernelScheduler::vxm(const VxmKernel& k, const std::string& what) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  const uint16_t pv = static_cast<uint16_t>(cfg_.vxm_position);
  const Placement& out = place_[k.out];
  const uint32_t n = out.layout.vectors();
  Chain c;
  c.what = what;
  c.earliest = 0;

  // Operand flows (one READ run per plane); a repeated operand is read once.
  std::vector<TensorId> operands{k.a};
  if (k.b && *k.b != k.a) operands.push_back(*k.b);
  for (TensorId x : operands) {
    const Placement& p = place_[x];
    const unsigned bytes = isa::dtype_desc(g_.tensor(x).dtype).bytes;
    Flow f;
    f.n = n;
    for (unsigned i = 0; i < bytes; ++i) {
      const uint16_t pos = plane_position(cfg_, p, i);
      const Cycle d = std::abs(int(pos) - int(pv));
      Item r;
      r.queue = slice_queue(cfg_, static_cast<uint16_t>(p.slice + i));
      r.offset = -(rd.latency + d);
      r.instr = make_instr(isa::Op::READ, {{"addr", p.address}});
      r.streams.push_back({field_of(isa::Op::READ, "dst"), c.flows.size(), i});
      r.count = n;
      r.stride = 1;
      r.mem = MemAccess{static_cast<uint16_t>(p.slice + i), false, r.offset + rd.sram_access, n, p.address, 1};
      c.earliest = std::max(c.earliest, ready_anchor(x, i, r.offset + rd.sram_access, true));
      c.items.push_back(r);
      f.planes.push_back({pos, -d, {pv}});
    }
    c.flows.push_back(f);
  }

  // The ALU op.
  const isa::OpDesc& od = isa::op_desc(k.op);
  Item alu;
  alu.any_vxm = true;
  alu.offset = 0;
  alu.instr = make_instr(k.op, {{"type", static_cast<int64_t>(k.type)}});
  if (k.op == isa::Op::CVT) alu.instr.operand[field_of(k.op, "from")] = static_cast<int64_t>(k.from);
  const size_t out_flow = c.flows.size();
  alu.streams.push_back({field_of(k.op, "dst"), out_flow, 0});
  alu.streams.push_back({field_of(k.op, "a"), 0, 0});
  if (k.b) alu.streams.push_back({field_of(k.op, "b"), *k.b == k.a ? 0u : 1u, 0});
  alu.count = n;
  c.items.push_back(alu);

  // Result planes: put at the VXM after the op's latency, written where they pass.
  const unsigned out_bytes = isa::dtype_desc(g_.tensor(k.out).dtype).bytes;
  Flow f;
  f.n = n;
  std::vector<Cycle> write_access(out_bytes);
  for (unsigned i = 0; i < out_bytes; ++i) {
    const uint16_t pos = plane_position(cfg_, out, i);
    const Cycle d = std::abs(int(pos) - int(pv));
    Item w;
    w.queue = slice_queue(cfg_, static_cast<uint16_t>(out.slice + i));
    w.offset = od.latency + d + (mutant == 1 ? 1 : 0);
    w.instr = make_instr(isa::Op::WRITE, {{"addr", out.address}});
    w.streams.push_back({field_of(isa::Op::WRITE, "src"), out_flow, i});
    w.count = n;
    w.stride = 1;
    w.mem = MemAccess{static_cast<uint16_t>(out.slice + i), true, w.offset + wr.sram_access, n, out.address, 1};
    write_access[i] = w.offset + wr.sram_access;
    c.items.push_back(w);
    f.planes.push_back({pv, od.latency, {pos}});
  }
  c.flows.push_back(f);

  const Cycle t = s_.schedule(std::move(c));
  auto& ws = writes_[k.out];
  ws.clear();
  for (unsigned i = 0; i < out_bytes; ++i) ws.push_back({t + write_access[i], t + write_access[i] + n - 1, true});
}

}  // namespace tsp::compiler
