// GatherRows (gather.hpp) on the MEM: per byte plane of the data, one chain of
// READs of the map's two planes (the i16 addresses) flowing to the data plane's
// slice, a GATHER run there, and a WRITE run of the result plane. The GATHER's
// array access hits banks known only at run time, so it is reserved against
// every bank. Items that share a slice (and so a queue) cut the runs into
// chunks no longer than the distance between their offsets.
#include <fmt/format.h>

#include <cstdlib>

#include "firmware/compiler/kernels.hpp"

namespace tsp::compiler {

void KernelScheduler::gather(const GatherKernel& k, const std::string& what) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  const isa::OpDesc& ga = isa::op_desc(isa::Op::GATHER);
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  const Placement& pd = place_[k.data];
  const Placement& pm = place_[k.map];
  const Placement& py = place_[k.y];
  const uint32_t vectors = py.layout.rows * py.layout.blocks;  // not MatMul padding rows: those stay zero
  const unsigned bytes = isa::dtype_desc(g_.tensor(k.data).dtype).bytes;
  auto& ws = writes_[k.y];
  ws.assign(bytes, PlaneWrites{0, std::numeric_limits<Cycle>::min() / 2, false});
  for (unsigned p = 0; p < bytes; ++p) {
    const auto sd = static_cast<uint16_t>(pd.slice + p), sy = static_cast<uint16_t>(py.slice + p);
    const uint16_t posd = plane_position(cfg_, pd, p), posy = plane_position(cfg_, py, p);
    // Offsets from the GATHER's issue: the map arrives at the data slice as it issues.
    struct At {
      uint16_t queue;
      Cycle offset;
    };
    std::vector<At> at;
    for (unsigned j = 0; j < 2; ++j)
      at.push_back({slice_queue(cfg_, static_cast<uint16_t>(pm.slice + j)),
                    -(rd.latency + std::abs(int(plane_position(cfg_, pm, j)) - int(posd)))});
    at.push_back({slice_queue(cfg_, sd), 0});
    at.push_back({slice_queue(cfg_, sy), ga.latency + std::abs(int(posy) - int(posd))});
    uint32_t chunk = vectors;
    for (size_t a = 0; a < at.size(); ++a)
      for (size_t b = a + 1; b < at.size(); ++b)
        if (at[a].queue == at[b].queue)
          chunk = std::min<uint32_t>(chunk, uint32_t(std::max<Cycle>(1, std::abs(at[a].offset - at[b].offset))));
    for (uint32_t v0 = 0; v0 < vectors; v0 += chunk) {
      const uint32_t n = std::min(chunk, vectors - v0);
      Chain c;
      c.what = fmt::format("{} plane {} #{}", what, p, v0);
      Flow fm;
      fm.n = n;
      for (unsigned j = 0; j < 2; ++j) {
        Item r;
        r.queue = at[j].queue;
        r.offset = at[j].offset;
        r.instr = make_instr(isa::Op::READ, {{"addr", pm.address + v0}});
        r.streams.push_back({field_of(isa::Op::READ, "dst"), 0, j});
        r.count = n;
        r.stride = 1;
        r.mem = MemAccess{static_cast<uint16_t>(pm.slice + j), false, r.offset + rd.sram_access, n, pm.address + v0, 1};
        c.earliest = std::max(c.earliest, ready_anchor(k.map, j, r.offset + rd.sram_access, false));
        c.items.push_back(r);
        fm.planes.push_back({plane_position(cfg_, pm, j), r.offset + rd.latency, {posd}});
      }
      c.flows.push_back(fm);
      Item gi;
      gi.queue = at[2].queue;
      gi.instr = make_instr(isa::Op::GATHER, {});
      gi.streams.push_back({field_of(isa::Op::GATHER, "map"), 0, 0});
      gi.streams.push_back({field_of(isa::Op::GATHER, "dst"), 1, 0});
      gi.count = n;
      gi.mem = MemAccess{sd, false, ga.sram_access, n, 0, 0};
      gi.mem->any_bank = true;
      c.earliest = std::max(c.earliest, ready_anchor(k.data, p, ga.sram_access, false));
      c.items.push_back(gi);
      Item w;
      w.queue = at[3].queue;
      w.offset = at[3].offset;
      w.instr = make_instr(isa::Op::WRITE, {{"addr", py.address + v0}});
      w.streams.push_back({field_of(isa::Op::WRITE, "src"), 1, 0});
      w.count = n;
      w.stride = 1;
      w.mem = MemAccess{sy, true, w.offset + wr.sram_access, n, py.address + v0, 1};
      c.items.push_back(w);
      Flow fo;
      fo.n = n;
      fo.planes.push_back({posd, ga.latency, {posy}});
      c.flows.push_back(fo);
      const Cycle t = s_.schedule(std::move(c));
      ws[p].last = std::max(ws[p].last, t + at[3].offset + wr.sram_access + n - 1);
    }
  }
}

}  // namespace tsp::compiler
