// A vector program (vecop.hpp) on the SXM: its rows are cut into runs whose
// vector indices each advance by a fixed stride; a run is one chain of a READ
// run per operand (planes of distinct tensors, so distinct slices), the SXM op
// on any queue of the result's hemisphere, and a WRITE run of the result
// plane, with offsets from the ISA table's latencies and floorplan distances.
#include <fmt/format.h>

#include <cstdlib>

#include "common/error.hpp"
#include "firmware/compiler/kernels.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

// REPEAT's stride field is a signed 16-bit immediate.
bool stride_fits(int64_t s) { return s >= -32768 && s <= 32767; }

bool same_kind(const VecRow& a, const VecRow& b) {
  if (a.op != b.op || a.lanes != b.lanes) return false;
  for (unsigned o = 0; o < a.operands(); ++o)
    if (a.in[o].input != b.in[o].input) return false;
  return true;
}

}  // namespace

// The SXM hemisphere a kernel uses: the one with the shorter way from its
// farthest operand plane there plus the way back to its result plane.
int8_t KernelScheduler::sxm_hemisphere(const VecKernel& k) const {
  Cycle best = std::numeric_limits<Cycle>::max();
  int8_t pick = 0;
  for (int8_t h = 0; h < 2; ++h) {
    const int ps = cfg_.queue_table[*isa::find_queue(cfg_, h ? "SXM.E.0" : "SXM.W.0")].position;
    Cycle in = 0;
    for (size_t i = 0; i < k.in.size(); ++i)
      for (unsigned j = 0; j < 2 && k.plane[i] + j < isa::dtype_desc(g_.tensor(k.in[i]).dtype).bytes; ++j)
        in = std::max<Cycle>(in, std::abs(int(plane_position(cfg_, place_[k.in[i]], k.plane[i] + j)) - ps));
    const Cycle cost = in + std::abs(int(plane_position(cfg_, place_[k.out], k.out_plane)) - ps);
    if (cost < best) best = cost, pick = h;
  }
  return pick;
}

uint16_t KernelScheduler::sxm_position(int8_t hemisphere) const {
  return cfg_.queue_table[*isa::find_queue(cfg_, hemisphere ? "SXM.E.0" : "SXM.W.0")].position;
}

void KernelScheduler::vec(const VecKernel& k, const std::string& what) {
  const auto& rows = k.spec->rows;
  for (size_t i = 0, run = 0; i < rows.size(); ++run) {
    const VecRow& r0 = rows[i];
    int64_t so = 0;
    std::array<int64_t, 3> si{};
    size_t j = i + 1;
    if (j < rows.size() && same_kind(r0, rows[j])) {
      so = int64_t(rows[j].out) - r0.out;
      for (unsigned o = 0; o < r0.operands(); ++o) si[o] = int64_t(rows[j].in[o].vector) - r0.in[o].vector;
      auto follows = [&](const VecRow& p, const VecRow& q) {
        if (!same_kind(r0, q) || int64_t(q.out) - p.out != so) return false;
        for (unsigned o = 0; o < r0.operands(); ++o)
          if (int64_t(q.in[o].vector) - p.in[o].vector != si[o]) return false;
        return true;
      };
      bool fits = stride_fits(so);
      for (unsigned o = 0; o < r0.operands(); ++o) fits = fits && stride_fits(si[o]);
      if (fits)
        while (j < rows.size() && follows(rows[j - 1], rows[j])) ++j;
      else
        so = 0, si = {};
    }
    // A result plane on an operand's slice shares that slice's queue: the WRITE
    // run may only start after the READ run, so cut the run into chunks no
    // longer than the READ-to-WRITE distance there.
    const Placement& out = place_[k.out];
    const auto oslice = static_cast<uint16_t>(out.slice + k.out_plane);
    uint32_t chunk = uint32_t(j - i);
    for (unsigned o = 0; o < r0.operands(); ++o) {
      const Placement& p = place_[k.in.at(r0.in[o].input)];
      const unsigned first = p.slice + k.plane[r0.in[o].input], nplanes = r0.op == isa::Op::PERMUTE && o == 1 ? 2 : 1;
      if (oslice < first || oslice >= first + nplanes) continue;
      const Cycle d = std::abs(int(plane_position(cfg_, out, k.out_plane)) - int(sxm_position(sxm_hemisphere(k))));
      chunk = std::min<uint32_t>(chunk,
                                 uint32_t(isa::op_desc(isa::Op::READ).latency + isa::op_desc(r0.op).latency + 2 * d));
    }
    for (uint32_t c0 = 0; c0 < j - i; c0 += chunk) {
      VecRow first = r0;
      first.out = uint32_t(int64_t(r0.out) + so * c0);
      for (unsigned o = 0; o < r0.operands(); ++o) first.in[o].vector = uint32_t(int64_t(r0.in[o].vector) + si[o] * c0);
      vec_run(k, first, std::min<uint32_t>(chunk, uint32_t(j - i) - c0), so, si, fmt::format("{} #{}", what, run + c0));
    }
    i = j;
  }
}

void KernelScheduler::vec_run(const VecKernel& k, const VecRow& r0, uint32_t n, int64_t out_stride,
                              const std::array<int64_t, 3>& in_stride, const std::string& what) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  const Placement& out = place_[k.out];
  const auto oslice = static_cast<uint16_t>(out.slice + k.out_plane);
  const int8_t hemi = sxm_hemisphere(k);
  const uint16_t ps = sxm_position(hemi);
  Chain c;
  c.what = what;
  // Vector k of a READ run of plane `plane` of `t` is read at anchor + access + k,
  // at least a cycle after it was written.
  auto ready = [&](TensorId t, unsigned plane, Cycle access, const VecOperand& first, int64_t stride) {
    const auto& vw = vector_writes_[t];
    if (vw.empty()) {
      c.earliest = std::max(c.earliest, ready_anchor(t, plane, access, false));
      return;
    }
    for (uint32_t i = 0; i < n; ++i)
      c.earliest = std::max(c.earliest, vw.at(plane).at(size_t(int64_t(first.vector) + stride * i)) + 1 - (access + i));
  };
  for (unsigned o = 0; o < r0.operands(); ++o) {
    for (unsigned p = 0; p < o; ++p)
      if (r0.in[p].input == r0.in[o].input)
        throw Error(fmt::format("internal error: {} reads one tensor twice in lockstep", what));
    const TensorId t = k.in.at(r0.in[o].input);
    const unsigned plane = k.plane[r0.in[o].input];
    const Placement& p = place_[t];
    const auto slice = static_cast<uint16_t>(p.slice + plane);
    const int64_t addr = int64_t(p.address) + r0.in[o].vector;
    // PERMUTE's map is an i16 group: both planes, on adjacent streams.
    const unsigned nplanes = r0.op == isa::Op::PERMUTE && o == 1 ? 2 : 1;
    Flow f;
    f.n = n;
    for (unsigned j = 0; j < nplanes; ++j) {
      const auto sj = static_cast<uint16_t>(slice + j);
      const uint16_t pj = plane_position(cfg_, p, plane + j);
      const Cycle dj = std::abs(int(pj) - int(ps));
      Item r;
      r.queue = slice_queue(cfg_, sj);
      r.offset = -(rd.latency + dj);
      r.instr = make_instr(isa::Op::READ, {{"addr", addr}});
      r.streams.push_back({field_of(isa::Op::READ, "dst"), o, j});
      r.count = n;
      r.stride = in_stride[o];
      r.mem = MemAccess{sj, false, r.offset + rd.sram_access, n, addr, in_stride[o]};
      ready(t, plane + j, r.offset + rd.sram_access, r0.in[o], in_stride[o]);
      c.items.push_back(r);
      f.planes.push_back({pj, -dj, {ps}});
    }
    c.flows.push_back(f);
  }
  const isa::OpDesc& od = isa::op_desc(r0.op);
  Item op;
  op.any_sxm = hemi;
  const bool shift = r0.op == isa::Op::SHIFTUP || r0.op == isa::Op::SHIFTDN;
  op.instr = shift ? make_instr(r0.op, {{"lanes", r0.lanes}}) : make_instr(r0.op, {});
  const size_t out_flow = c.flows.size();
  op.streams.push_back({field_of(r0.op, "dst"), out_flow, 0});
  if (r0.op == isa::Op::PERMUTE) {
    op.streams.push_back({field_of(r0.op, "src"), 0, 0});
    op.streams.push_back({field_of(r0.op, "map"), 1, 0});
  } else if (r0.op == isa::Op::SELECT) {
    op.streams.push_back({field_of(r0.op, "a"), 0, 0});
    op.streams.push_back({field_of(r0.op, "b"), 1, 0});
    op.streams.push_back({field_of(r0.op, "c"), 2, 0});
  } else {
    op.streams.push_back({field_of(r0.op, "src"), 0, 0});
  }
  op.count = n;
  c.items.push_back(op);

  const uint16_t pos = plane_position(cfg_, out, k.out_plane);
  const Cycle d = std::abs(int(pos) - int(ps));
  const int64_t oaddr = int64_t(out.address) + r0.out;
  Item w;
  w.queue = slice_queue(cfg_, oslice);
  w.offset = od.latency + d;
  w.instr = make_instr(isa::Op::WRITE, {{"addr", oaddr}});
  w.streams.push_back({field_of(isa::Op::WRITE, "src"), out_flow, 0});
  w.count = n;
  w.stride = out_stride;
  w.mem = MemAccess{oslice, true, w.offset + wr.sram_access, n, oaddr, out_stride};
  const Cycle access = w.offset + wr.sram_access;
  c.items.push_back(w);
  Flow f;
  f.n = n;
  f.planes.push_back({ps, od.latency, {pos}});
  c.flows.push_back(f);

  const Cycle t = s_.schedule(std::move(c));
  auto& ws = writes_[k.out];
  if (ws.empty())
    ws.assign(isa::dtype_desc(g_.tensor(k.out).dtype).bytes,
              PlaneWrites{0, std::numeric_limits<Cycle>::min() / 2, false});
  ws[k.out_plane].last = std::max(ws[k.out_plane].last, t + access + n - 1);
  auto& vw = vector_writes_[k.out];
  if (vw.empty())
    vw.assign(ws.size(), std::vector<Cycle>(layout_of(g_.tensor(k.out), cfg_.lanes).vectors(),
                                            std::numeric_limits<Cycle>::max() / 2));
  for (uint32_t i = 0; i < n; ++i) vw[k.out_plane].at(size_t(int64_t(r0.out) + out_stride * i)) = t + access + i;
}

}  // namespace tsp::compiler
