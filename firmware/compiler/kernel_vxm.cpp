// A VXM kernel is a series of chains: every operand plane READ so that all
// planes meet at the VXM in the ALU's issue cycle, the ALU op, and one WRITE
// per result plane where the result passes its slice, one chain per run of
// the kernel's vectors (lower.hpp VectorRun: each operand with its own start
// and stride, 0 re-reading a broadcast row), cut into chunks where the result
// shares a slice with an operand.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>

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
  const uint16_t pv = static_cast<uint16_t>(cfg_.vxm_position);
  const Placement& out = place_[k.out];
  // A result sharing a slice with an operand shares that slice's queue: its
  // WRITE run must not start before the READ run ends, so the run is cut into
  // chunks no longer than the READ-to-WRITE distance on that slice.
  uint32_t chunk = std::numeric_limits<uint32_t>::max();
  const unsigned ob = isa::dtype_desc(g_.tensor(k.out).dtype).bytes;
  for (std::optional<TensorId> x : {std::optional<TensorId>(k.a), k.b, k.c}) {
    if (!x) continue;
    const Placement& p = place_[*x];
    const unsigned xb = isa::dtype_desc(g_.tensor(*x).dtype).bytes;
    for (unsigned i = 0; i < ob; ++i) {
      const unsigned s = out.slice + i;
      if (s < p.slice || s >= p.slice + xb) continue;
      const Cycle d = std::abs(int(plane_position(cfg_, out, i)) - int(pv));
      chunk = std::min<uint32_t>(chunk, uint32_t(rd.latency + isa::op_desc(k.op).latency + 2 * d));
    }
  }
  const bool split = k.runs.size() > 1 || k.runs[0].n > chunk || k.runs[0].out0 != 0 || k.runs[0].out_stride != 1;
  bool first = true;
  for (const VectorRun& whole : k.runs)
    for (uint32_t v0 = 0; v0 < whole.n; v0 += chunk) {
      VectorRun r = whole;
      r.n = std::min(chunk, whole.n - v0);
      r.out0 = uint32_t(whole.out0 + v0 * whole.out_stride);
      for (size_t i = 0; i < 3; ++i) r.in0[i] = uint32_t(whole.in0[i] + v0 * whole.in_stride[i]);
      vxm_run(k, split ? fmt::format("{} #{}", what, r.out0) : what, r, first, split);
      first = false;
    }
}

void KernelScheduler::vxm_run(const VxmKernel& k, const std::string& what, const VectorRun& run, bool first_run,
                              bool split) {
  vxm_steps({&k}, {run}, what, first_run, split);
}

void KernelScheduler::vxm_fused(const std::vector<const VxmKernel*>& steps, const std::string& what) {
  std::vector<VectorRun> runs;
  for (const VxmKernel* k : steps) runs.push_back(k->runs.at(0));
  vxm_steps(steps, runs, what, true, false);
}

// One chain of VXM ops: step s issues at the sum of the earlier steps' op
// latencies, its operands READ to meet it there; a step's result is put on a
// stream at the VXM and taken by the next step's ALU in its issue cycle (same
// position, no SRAM); the last step's result is WRITten where it passes.
void KernelScheduler::vxm_steps(const std::vector<const VxmKernel*>& steps, const std::vector<VectorRun>& runs,
                                const std::string& what, bool first_run, bool split) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  const uint16_t pv = static_cast<uint16_t>(cfg_.vxm_position);
  const VxmKernel& last = *steps.back();
  const Placement& out = place_[last.out];
  const uint32_t n = runs.back().n;
  Chain c;
  c.what = what;
  c.earliest = 0;
  Cycle issue = 0;           // this step's ALU issue, relative to the anchor
  size_t streamed_flow = 0;  // the previous step's result flow
  for (size_t s = 0; s < steps.size(); ++s) {
    const VxmKernel& k = *steps[s];
    const VectorRun& run = runs[s];
    const std::optional<TensorId> streamed = s ? std::optional<TensorId>(steps[s - 1]->out) : std::nullopt;
    // Operand flows (one READ run per plane); operands reading the same vectors
    // (one tensor, or a Reshape sharing its storage) are read once.
    std::vector<TensorId> operands;
    std::vector<size_t> which;             // index into a, b, c of each operand read
    std::array<size_t, 3> flow_of_slot{};  // the flow each of a, b, c reads
    const std::optional<TensorId> abc[] = {k.a, k.b, k.c};
    std::vector<size_t> flow_of_operand;
    for (size_t i = 0; i < 3; ++i) {
      if (!abc[i]) continue;
      if (abc[i] == streamed) {
        flow_of_slot[i] = streamed_flow;
        continue;
      }
      const Placement& pi = place_[*abc[i]];
      size_t f = 0;
      while (f < operands.size()) {
        const Placement& pf = place_[operands[f]];
        if (pf.slice == pi.slice && pf.address + run.in0[which[f]] == pi.address + run.in0[i] &&
            run.in_stride[which[f]] == run.in_stride[i])
          break;
        ++f;
      }
      if (f == operands.size()) {
        operands.push_back(*abc[i]);
        which.push_back(i);
        flow_of_operand.push_back(c.flows.size() + f);
      }
      flow_of_slot[i] = flow_of_operand[f];
    }
    for (size_t oi = 0; oi < operands.size(); ++oi) {
      const TensorId x = operands[oi];
      const Placement& p = place_[x];
      const uint32_t addr = p.address + run.in0[which[oi]];
      const int64_t stride = run.in_stride[which[oi]];
      const unsigned bytes = isa::dtype_desc(g_.tensor(x).dtype).bytes;
      Flow f;
      f.n = n;
      for (unsigned i = 0; i < bytes; ++i) {
        const uint16_t pos = plane_position(cfg_, p, i);
        const Cycle d = std::abs(int(pos) - int(pv));
        Item r;
        r.queue = slice_queue(cfg_, static_cast<uint16_t>(p.slice + i));
        r.offset = issue - (rd.latency + d);
        r.instr = make_instr(isa::Op::READ, {{"addr", addr}});
        r.streams.push_back({field_of(isa::Op::READ, "dst"), c.flows.size(), i});
        r.count = n;
        r.stride = stride;
        r.mem = MemAccess{static_cast<uint16_t>(p.slice + i), false, r.offset + rd.sram_access, n, addr, stride};
        // In order (stride 1 from the start): vector v read after vector v was written.
        const bool in_order = stride == 1 && addr == p.address;
        c.earliest = std::max(c.earliest, ready_anchor(x, i, r.offset + rd.sram_access, in_order));
        c.items.push_back(r);
        f.planes.push_back({pos, issue - d, {pv}});
      }
      c.flows.push_back(f);
    }

    // The ALU op.
    const isa::OpDesc& od = isa::op_desc(k.op);
    Item alu;
    alu.any_vxm = true;
    alu.offset = issue;
    alu.instr = make_instr(k.op, {{"type", static_cast<int64_t>(k.type)}});
    if (k.op == isa::Op::CVT) alu.instr.operand[field_of(k.op, "from")] = static_cast<int64_t>(k.from);
    const size_t out_flow = c.flows.size();
    alu.streams.push_back({field_of(k.op, "dst"), out_flow, 0});
    alu.streams.push_back({field_of(k.op, "a"), flow_of_slot[0], 0});
    if (k.b) alu.streams.push_back({field_of(k.op, "b"), flow_of_slot[1], 0});
    if (k.c) alu.streams.push_back({field_of(k.op, "c"), flow_of_slot[2], 0});
    alu.count = n;
    c.items.push_back(alu);
    const Cycle put = issue + od.latency;
    if (s + 1 < steps.size()) {  // into the next step's ALU, at the VXM
      Flow f;
      f.n = n;
      for (unsigned i = 0; i < isa::dtype_desc(g_.tensor(k.out).dtype).bytes; ++i) f.planes.push_back({pv, put, {pv}});
      c.flows.push_back(f);
      streamed_flow = out_flow;
      issue = put;
    }
  }

  // Result planes: put at the VXM after the last op's latency, written where they pass.
  const Cycle put = issue + isa::op_desc(last.op).latency;
  const size_t out_flow = c.flows.size();
  const unsigned out_bytes = isa::dtype_desc(g_.tensor(last.out).dtype).bytes;
  const uint32_t oaddr = out.address + runs.back().out0;
  Flow f;
  f.n = n;
  std::vector<Cycle> write_access(out_bytes);
  for (unsigned i = 0; i < out_bytes; ++i) {
    const uint16_t pos = plane_position(cfg_, out, i);
    const Cycle d = std::abs(int(pos) - int(pv));
    Item w;
    w.queue = slice_queue(cfg_, static_cast<uint16_t>(out.slice + i));
    w.offset = put + d;
    w.instr = make_instr(isa::Op::WRITE, {{"addr", oaddr}});
    w.streams.push_back({field_of(isa::Op::WRITE, "src"), out_flow, i});
    w.count = n;
    w.stride = runs.back().out_stride;
    w.mem = MemAccess{
        static_cast<uint16_t>(out.slice + i), true, w.offset + wr.sram_access, n, oaddr, runs.back().out_stride};
    write_access[i] = w.offset + wr.sram_access;
    c.items.push_back(w);
    f.planes.push_back({pv, put, {pos}});
  }
  c.flows.push_back(f);

  record_writes(last.out, s_.schedule(std::move(c)), write_access, n, first_run, split);
}

void KernelScheduler::record_writes(TensorId t, Cycle anchor, const std::vector<Cycle>& access, uint32_t n,
                                    bool first_run, bool split) {
  auto& ws = writes_[t];
  if (first_run) ws.assign(access.size(), PlaneWrites{0, 0, !split});
  for (size_t i = 0; i < access.size(); ++i) {
    if (first_run) ws[i].first = anchor + access[i];
    ws[i].last = std::max(ws[i].last, anchor + access[i] + n - 1);
  }
}

Cycle KernelScheduler::vector_ready(TensorId t, unsigned i, uint32_t v, Cycle access) const {
  if (const auto it = vector_writes_by_acc_.find(t);
      it != vector_writes_by_acc_.end() && it->second[i].at(v) != kNoFloor)
    return it->second[i][v] + 1 - access;
  if (!writes_[t].empty() && writes_[t][i].uniform) return writes_[t][i].first + v + 1 - access;
  return ready(t, i, access);
}

void KernelScheduler::written(TensorId t, unsigned i, unsigned planes, Cycle at) {
  auto& ws = writes_[t];
  if (ws.empty()) ws.assign(planes, PlaneWrites{at, at, false});
  ws[i].first = std::min(ws[i].first, at);
  ws[i].last = std::max(ws[i].last, at);
  ws[i].uniform = false;
}

}  // namespace tsp::compiler
