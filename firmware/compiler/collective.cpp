#include "firmware/compiler/collective.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "firmware/compiler/kernels.hpp"
#include "firmware/compiler/schedule.hpp"

namespace tsp::compiler {
namespace {

struct Ends {
  const isa::Config& cfg;
  uint16_t c2c_queue(uint16_t port) const { return *isa::find_queue(cfg, fmt::format("C2C.{}", port)); }
  uint16_t pos(uint16_t queue) const { return cfg.queue_table[queue].position; }
};

// A WRITE of plane `i` of y at vector `v`, taking a value put at `from` in cycle `put` (chain-relative).
Item write_item(const isa::Config& cfg, const Placement& y, unsigned i, uint32_t v, uint16_t from, Cycle put,
                size_t flow) {
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  const uint16_t py = plane_position(cfg, y, i);
  Item w;
  w.queue = slice_queue(cfg, static_cast<uint16_t>(y.slice + i));
  w.offset = put + std::abs(int(py) - int(from));
  w.instr = make_instr(isa::Op::WRITE, {{"addr", y.address + v}});
  w.streams.push_back({field_of(isa::Op::WRITE, "src"), flow, 0});
  w.mem = MemAccess{static_cast<uint16_t>(y.slice + i), true, w.offset + wr.sram_access, 1, y.address + v, 1};
  return w;
}

}  // namespace

void schedule_all_gather(const std::vector<ChipCompile*>& chips, size_t ki,
                         const std::vector<std::vector<DirectLink>>& links, const isa::Config& cfg) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  const isa::OpDesc& rv = isa::op_desc(isa::Op::RECV);
  const Ends ends{cfg};
  const auto P = static_cast<uint32_t>(chips.size());
  const AllGatherKernel& k0 = *chips[0]->kernel(ki).all_gather;
  const Graph& g0 = chips[0]->graph();
  const std::string name = g0.tensor(k0.y).name;
  const Layout lx = chips[0]->placement()[k0.x].layout, ly = chips[0]->placement()[k0.y].layout;
  const unsigned planes = isa::dtype_desc(g0.tensor(k0.x).dtype).bytes;
  for (ChipCompile* c : chips) c->begin(ki);
  std::vector<Scheduler*> scheds;
  for (ChipCompile* c : chips) scheds.push_back(&c->scheduler());
  for (unsigned i = 0; i < planes; ++i)
    for (uint32_t v = 0; v < lx.vectors(); ++v) {
      const uint32_t row = v / lx.blocks, block = v % lx.blocks;
      for (uint32_t s = 0; s < P; ++s) {
        const AllGatherKernel& k = *chips[s]->kernel(ki).all_gather;
        const Placement& px = chips[s]->placement()[k.x];
        const uint32_t yv = row * ly.blocks + k.index * lx.blocks + block;  // where block k.index sits in y
        const uint16_t ps = plane_position(cfg, px, i);
        const uint16_t xq = slice_queue(cfg, static_cast<uint16_t>(px.slice + i));
        const auto what = fmt::format("allgather {} plane {} vector {} from chip {}", name, i, yv, s);
        // The sender: one READ per direction that has ports, SENDs where the value passes them.
        Chain send;
        send.what = what;
        std::vector<Chain> chains;
        std::vector<Scheduler*> on;
        std::vector<std::pair<uint32_t, Cycle>> arrive;  // receiver, its RECV's offset
        Cycle read_at = 0;
        for (const bool east : {true, false}) {
          std::vector<uint32_t> to;
          for (uint32_t d = 0; d < P; ++d) {
            if (d == s) continue;
            const uint16_t pp = ends.pos(ends.c2c_queue(links[s][d].port));
            if ((pp > ps) == east) to.push_back(d);
          }
          if (to.empty()) continue;
          const size_t flow = send.flows.size();
          Flow f;
          f.planes.push_back({ps, read_at + rd.latency, {}});
          Item r;
          r.queue = xq;
          r.offset = read_at;
          r.instr = make_instr(isa::Op::READ, {{"addr", px.address + v}});
          r.streams.push_back({field_of(isa::Op::READ, "dst"), flow, 0});
          r.mem = MemAccess{static_cast<uint16_t>(px.slice + i), false, read_at + rd.sram_access, 1, px.address + v, 1};
          send.earliest = std::max(send.earliest, chips[s]->kernel_scheduler().ready(k.x, i, read_at + rd.sram_access));
          send.items.push_back(r);
          for (uint32_t d : to) {
            const uint16_t q = ends.c2c_queue(links[s][d].port);
            Item snd;
            snd.queue = q;
            snd.offset = read_at + rd.latency + std::abs(int(ends.pos(q)) - int(ps));
            snd.instr = make_instr(isa::Op::SEND, {});
            snd.streams.push_back({field_of(isa::Op::SEND, "src"), flow, 0});
            snd.tx = cfg.c2c_frame_cycles;
            f.planes[0].consumers.push_back(ends.pos(q));
            send.items.push_back(snd);
            arrive.emplace_back(d, snd.offset + links[s][d].hop);
          }
          send.flows.push_back(f);
          ++read_at;  // the other direction's READ issues the next cycle on the same slice
        }
        chains.push_back(std::move(send));
        on.push_back(scheds[s]);
        std::vector<Cycle> write_access;
        for (const auto& [d, r_at] : arrive) {
          const Placement& py = chips[d]->placement()[k0.y];
          const uint16_t q = ends.c2c_queue(links[s][d].peer_port);
          Chain recv;
          recv.what = what;
          Item r;
          r.queue = q;
          r.offset = r_at;
          r.instr = make_instr(isa::Op::RECV, {});
          r.streams.push_back({field_of(isa::Op::RECV, "dst"), 0, 0});
          recv.items.push_back(r);
          const Cycle put = r_at + rv.latency;
          const uint16_t py_pos = plane_position(cfg, py, i);
          recv.flows.push_back(Flow{{FlowPlane{ends.pos(q), put, {py_pos}}}});
          recv.items.push_back(write_item(cfg, py, i, yv, ends.pos(q), put, 0));
          write_access.push_back(recv.items.back().offset + wr.sram_access);
          chains.push_back(std::move(recv));
          on.push_back(scheds[d]);
        }
        const Cycle t = Scheduler::schedule_together(on, std::move(chains));
        for (size_t j = 0; j < arrive.size(); ++j)
          chips[arrive[j].first]->kernel_scheduler().written(k0.y, i, planes, t + write_access[j]);
        // The sender's own block: a READ into a WRITE on its own chip.
        Chain local;
        local.what = what + " (its own)";
        Item r;
        r.queue = xq;
        r.instr = make_instr(isa::Op::READ, {{"addr", px.address + v}});
        r.streams.push_back({field_of(isa::Op::READ, "dst"), 0, 0});
        r.mem = MemAccess{static_cast<uint16_t>(px.slice + i), false, rd.sram_access, 1, px.address + v, 1};
        local.earliest = chips[s]->kernel_scheduler().ready(k.x, i, rd.sram_access);
        local.items.push_back(r);
        const Placement& py = chips[s]->placement()[k.y];
        local.flows.push_back(Flow{{FlowPlane{ps, rd.latency, {plane_position(cfg, py, i)}}}});
        local.items.push_back(write_item(cfg, py, i, yv, ps, rd.latency, 0));
        const Cycle w_at = local.items.back().offset + wr.sram_access;
        const Cycle lt = scheds[s]->schedule(std::move(local));
        chips[s]->kernel_scheduler().written(k.y, i, planes, lt + w_at);
      }
    }
  for (ChipCompile* c : chips) c->end(ki);
}

}  // namespace tsp::compiler
