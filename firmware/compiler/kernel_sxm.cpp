// A Permute is one chain per run of x's vectors: each byte plane of x READ to
// the SXM of x's hemisphere, the map (one i16 vector, re-read with stride 0)
// beside it, one PERMUTE per plane on its own SXM queue in the same cycle, and
// each result plane WRITten where it passes its slice.
#include <fmt/format.h>

#include <cstdlib>

#include "common/error.hpp"
#include "firmware/compiler/kernels.hpp"

namespace tsp::compiler {

void KernelScheduler::permute(const PermuteKernel& k, const std::string& what) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  const isa::OpDesc& pm = isa::op_desc(isa::Op::PERMUTE);
  const Placement& px = place_[k.x];
  const Placement& pmap = place_[k.map];
  const Placement& py = place_[k.y];
  const unsigned bytes = isa::dtype_desc(g_.tensor(k.x).dtype).bytes;
  const bool east = px.slice >= cfg_.mem_slices_per_hemisphere;
  if (bytes > cfg_.sxm_queues_per_hemisphere)
    throw Error(fmt::format("internal error: {}: {} byte planes but {} SXM queues", what, bytes,
                            cfg_.sxm_queues_per_hemisphere));
  std::vector<uint16_t> sxq(bytes);
  for (unsigned i = 0; i < bytes; ++i) sxq[i] = *isa::find_queue(cfg_, fmt::format("SXM.{}.{}", east ? 'E' : 'W', i));
  const uint16_t ps = cfg_.queue_table[sxq[0]].position;
  const uint32_t n = py.layout.vectors();  // one per row
  // A result sharing a slice with x or the map shares its queue: cut the run
  // into chunks no longer than the READ-to-WRITE distance there (as kernel_vxm.cpp).
  uint32_t chunk = n;
  for (const Placement* p : {&px, &pmap}) {
    const unsigned pb = p == &px ? bytes : 2;
    for (unsigned i = 0; i < bytes; ++i) {
      const unsigned s = py.slice + i;
      if (s < p->slice || s >= p->slice + pb) continue;
      const Cycle d = std::abs(int(plane_position(cfg_, py, i)) - int(ps));
      chunk = std::min<uint32_t>(chunk, uint32_t(rd.latency + pm.latency + 2 * d));
    }
  }
  for (uint32_t v0 = 0; v0 < n; v0 += chunk)
    permute_run(k, chunk < n ? fmt::format("{} #{}", what, v0) : what, v0, std::min(chunk, n - v0), sxq, v0 == 0,
                chunk < n);
}

void KernelScheduler::permute_run(const PermuteKernel& k, const std::string& what, uint32_t v0, uint32_t n,
                                  const std::vector<uint16_t>& sxq, bool first_run, bool split) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  const isa::OpDesc& pm = isa::op_desc(isa::Op::PERMUTE);
  const Placement& px = place_[k.x];
  const Placement& pmap = place_[k.map];
  const Placement& py = place_[k.y];
  const unsigned bytes = isa::dtype_desc(g_.tensor(k.x).dtype).bytes;
  const uint16_t ps = cfg_.queue_table[sxq[0]].position;
  Chain c;
  c.what = what;
  // Flows: 0 = the map (2 planes), 1 + i = x plane i, 1 + bytes + i = y plane i.
  auto read = [&](const Placement& p, unsigned i, uint32_t count, int64_t stride, size_t flow, TensorId t,
                  std::vector<FlowPlane>& planes) {
    const uint32_t addr = p.address + (stride ? k.x_block + v0 * stride : 0);
    const uint16_t pos = plane_position(cfg_, p, i);
    const Cycle d = std::abs(int(pos) - int(ps));
    Item r;
    r.queue = slice_queue(cfg_, static_cast<uint16_t>(p.slice + i));
    r.offset = -(rd.latency + d);
    r.instr = make_instr(isa::Op::READ, {{"addr", addr}});
    r.streams.push_back({field_of(isa::Op::READ, "dst"), flow, unsigned(planes.size())});
    r.count = count;
    r.stride = stride;
    r.mem = MemAccess{static_cast<uint16_t>(p.slice + i), false, r.offset + rd.sram_access, count, addr, stride};
    c.earliest = std::max(c.earliest, ready_anchor(t, i, r.offset + rd.sram_access, stride == 1 && addr == p.address));
    c.items.push_back(r);
    planes.push_back({pos, -d, {ps}});
  };
  c.earliest = std::numeric_limits<Cycle>::min() / 2;
  Flow fmap;
  fmap.n = n;
  for (unsigned i = 0; i < 2; ++i) read(pmap, i, n, 0, 0, k.map, fmap.planes);
  c.flows.push_back(fmap);
  for (unsigned i = 0; i < bytes; ++i) {
    Flow f;
    f.n = n;
    read(px, i, n, k.x_stride, 1 + i, k.x, f.planes);
    c.flows.push_back(f);
  }
  std::vector<Cycle> access(bytes);
  for (unsigned i = 0; i < bytes; ++i) {
    Item p;
    p.queue = sxq[i];
    p.instr = make_instr(isa::Op::PERMUTE, {});
    p.streams.push_back({field_of(isa::Op::PERMUTE, "dst"), 1 + bytes + i, 0});
    p.streams.push_back({field_of(isa::Op::PERMUTE, "src"), 1 + i, 0});
    p.streams.push_back({field_of(isa::Op::PERMUTE, "map"), 0, 0});
    p.count = n;
    c.items.push_back(p);
    const uint16_t pos = plane_position(cfg_, py, i);
    const Cycle d = std::abs(int(pos) - int(ps));
    Item w;
    w.queue = slice_queue(cfg_, static_cast<uint16_t>(py.slice + i));
    w.offset = pm.latency + d;
    w.instr = make_instr(isa::Op::WRITE, {{"addr", py.address + v0}});
    w.streams.push_back({field_of(isa::Op::WRITE, "src"), 1 + bytes + i, 0});
    w.count = n;
    w.stride = 1;
    w.mem = MemAccess{static_cast<uint16_t>(py.slice + i), true, w.offset + wr.sram_access, n, py.address + v0, 1};
    access[i] = w.offset + wr.sram_access;
    c.items.push_back(w);
  }
  for (unsigned i = 0; i < bytes; ++i) {
    Flow f;
    f.n = n;
    f.planes.push_back({ps, pm.latency, {plane_position(cfg_, py, i)}});
    c.flows.push_back(f);
  }
  record_writes(k.y, s_.schedule(std::move(c)), access, n, first_run, split);
}

}  // namespace tsp::compiler
