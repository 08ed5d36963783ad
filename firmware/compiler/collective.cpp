#include "firmware/compiler/collective.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "firmware/compiler/kernels.hpp"
#include "firmware/compiler/schedule.hpp"

namespace tsp::compiler {
namespace {

uint16_t c2c_queue(const isa::Config& cfg, uint16_t port) { return *isa::find_queue(cfg, fmt::format("C2C.{}", port)); }
uint16_t position(const isa::Config& cfg, uint16_t queue) { return cfg.queue_table[queue].position; }

// A READ of plane i of a tensor placed at `p`, vector v, issued at `at`, onto `flow`.
Item read_item(const isa::Config& cfg, const Placement& p, unsigned i, uint32_t v, Cycle at, size_t flow) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  Item r;
  r.queue = slice_queue(cfg, static_cast<uint16_t>(p.slice + i));
  r.offset = at;
  r.instr = make_instr(isa::Op::READ, {{"addr", p.address + v}});
  r.streams.push_back({field_of(isa::Op::READ, "dst"), flow, 0});
  r.mem = MemAccess{static_cast<uint16_t>(p.slice + i), false, at + rd.sram_access, 1, p.address + v, 1};
  return r;
}

// A WRITE of plane i of a tensor placed at `p`, vector v, of a value put at position `from` in cycle `put`.
Item write_item(const isa::Config& cfg, const Placement& p, unsigned i, uint32_t v, uint16_t from, Cycle put,
                size_t flow) {
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  Item w;
  w.queue = slice_queue(cfg, static_cast<uint16_t>(p.slice + i));
  w.offset = put + std::abs(int(plane_position(cfg, p, i)) - int(from));
  w.instr = make_instr(isa::Op::WRITE, {{"addr", p.address + v}});
  w.streams.push_back({field_of(isa::Op::WRITE, "src"), flow, 0});
  w.mem = MemAccess{static_cast<uint16_t>(p.slice + i), true, w.offset + wr.sram_access, 1, p.address + v, 1};
  return w;
}

// A SEND on C2C queue q of the value `flow` carries, when it passes q; holds the link for a frame.
Item send_item(const isa::Config& cfg, uint16_t q, Cycle at, size_t flow) {
  Item snd;
  snd.queue = q;
  snd.offset = at;
  snd.instr = make_instr(isa::Op::SEND, {});
  snd.streams.push_back({field_of(isa::Op::SEND, "src"), flow, 0});
  snd.tx = cfg.c2c_frame_cycles;
  return snd;
}

// A RECV on C2C queue q at `at` whose value is written into plane i, vector
// v of a tensor placed at `p` (flow 0; more consumers may join it). Item 1 is the WRITE.
Chain recv_write(const isa::Config& cfg, uint16_t q, Cycle at, const Placement& p, unsigned i, uint32_t v,
                 const std::string& what) {
  const Cycle put = at + isa::op_desc(isa::Op::RECV).latency;
  const uint16_t from = position(cfg, q);
  Chain c;
  c.what = what;
  Item r;
  r.queue = q;
  r.offset = at;
  r.instr = make_instr(isa::Op::RECV, {});
  r.streams.push_back({field_of(isa::Op::RECV, "dst"), 0, 0});
  c.items.push_back(r);
  c.flows.push_back(Flow{{FlowPlane{from, put, {plane_position(cfg, p, i)}}}});
  c.items.push_back(write_item(cfg, p, i, v, from, put, 0));
  return c;
}

struct Receiver {
  uint32_t chip = 0;
  uint32_t y_vector = 0;
};

// One vector of one byte plane from a sender to its receivers.
struct Transfer {
  uint32_t sender = 0;
  unsigned plane = 0;
  uint32_t x_vector = 0;
  std::vector<Receiver> to;
};

class Collective {
 public:
  Collective(const std::vector<ChipCompile*>& chips, const std::vector<size_t>& ki,
             const std::vector<std::vector<DirectLink>>& links, const isa::Config& cfg)
      : chips_(chips), links_(links), cfg_(cfg), k_(*chips[0]->kernel(ki[0]).collective) {
    for (uint32_t c = 0; c < chips.size(); ++c) {
      x_.push_back(chips[c]->kernel(ki[c]).collective->x);
      y_.push_back(chips[c]->kernel(ki[c]).collective->y);
    }
    const Graph& g = chips[0]->graph();
    name_ = g.tensor(k_.y).name;
    planes_ = isa::dtype_desc(g.tensor(k_.x).dtype).bytes;
  }

  void run() {
    const auto P = static_cast<uint32_t>(chips_.size());
    const uint32_t lanes = cfg_.lanes;
    auto layout = [&](uint32_t c, TensorId t) { return chips_[c]->placement()[t].layout; };
    if (k_.op == GraphOp::AllGather) {
      // Chip s's block: its x, rows x m_s vectors; in y, row r's vectors from bounds[s] / lanes on. By rows:
      // its rows from first_row(s) on, every vector of each.
      const uint32_t yb = layout(0, y_[0]).blocks;
      const bool by_rows = k_.rows_per_index > 0;
      uint32_t most = 0;
      for (uint32_t s = 0; s < P; ++s) most = std::max(most, layout(s, x_[s]).vectors());
      for (unsigned i = 0; i < planes_; ++i)
        for (uint32_t v = 0; v < most; ++v)
          for (uint32_t s = 0; s < P; ++s) {
            const Layout lx = layout(s, x_[s]);
            if (v >= (by_rows ? lx.rows * lx.blocks : lx.vectors())) continue;
            const uint32_t yv = by_rows ? (k_.first_row(s) + v / lx.blocks) * yb + v % lx.blocks
                                        : v / lx.blocks * yb + k_.first_vector(s, lanes) + v % lx.blocks;
            Transfer t{s, i, v, {}};
            for (uint32_t d = 0; d < P; ++d)
              if (d != s) t.to.push_back({d, yv});
            send(t);
            local(s, i, v, yv);
          }
      return;
    }
    // Exchange of shift r: chip s's x is whole (rows x V vectors); its block
    // d = s + r (m_d vectors a row) goes to chip d's y (rows x m_d). Shift 0:
    // each chip copies its own block.
    const Layout lx = layout(0, x_[0]);
    auto first = [&](uint32_t d) { return k_.first_vector(d, lanes); };
    auto width = [&](uint32_t d) { return k_.block_vectors(d, lanes); };
    uint32_t widest = 0;
    for (uint32_t d = 0; d < P; ++d) widest = std::max(widest, width(d));
    for (unsigned i = 0; i < planes_; ++i)
      for (uint32_t r = 0; r < lx.rows; ++r)
        for (uint32_t b = 0; b < widest; ++b)
          for (uint32_t s = 0; s < P; ++s) {
            const uint32_t d = (s + k_.shift) % P;
            if (b >= width(d)) continue;
            const uint32_t xv = r * lx.blocks + first(d) + b, yv = r * width(d) + b;
            if (d == s)
              local(s, i, xv, yv);
            else
              send({s, i, xv, {{d, yv}}});
          }
  }

 private:
  uint16_t c2c_queue(uint16_t port) const { return compiler::c2c_queue(cfg_, port); }
  uint16_t pos(uint16_t queue) const { return position(cfg_, queue); }
  Item read_item(uint32_t chip, unsigned i, uint32_t v, Cycle at, size_t flow) const {
    return compiler::read_item(cfg_, chips_[chip]->placement()[x_[chip]], i, v, at, flow);
  }
  Item write_item(uint32_t chip, unsigned i, uint32_t v, uint16_t from, Cycle put, size_t flow) const {
    return compiler::write_item(cfg_, chips_[chip]->placement()[y_[chip]], i, v, from, put, flow);
  }

  // The sender's READ (one per direction that has receivers) and SENDs, and each receiver's RECV and WRITE.
  void send(const Transfer& t) {
    const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
    const uint32_t s = t.sender;
    const uint16_t ps = plane_position(cfg_, chips_[s]->placement()[x_[s]], t.plane);
    const auto what = fmt::format("{} {} plane {} from chip {}", op_name(k_.op), name_, t.plane, s);
    Chain send;
    send.what = what;
    std::vector<Chain> chains;
    std::vector<Scheduler*> on;
    std::vector<Cycle> arrive(t.to.size());
    Cycle read_at = 0;
    for (const bool east : {true, false}) {
      const size_t flow = send.flows.size();
      Flow f;
      f.planes.push_back({ps, read_at + rd.latency, {}});
      for (size_t j = 0; j < t.to.size(); ++j) {
        const uint16_t q = c2c_queue(links_[s][t.to[j].chip].port);
        if ((pos(q) > ps) != east) continue;
        const Item snd = send_item(cfg_, q, read_at + rd.latency + std::abs(int(pos(q)) - int(ps)), flow);
        f.planes[0].consumers.push_back(pos(q));
        send.items.push_back(snd);
        arrive[j] = snd.offset + links_[s][t.to[j].chip].hop;
      }
      if (f.planes[0].consumers.empty()) continue;
      send.items.push_back(read_item(s, t.plane, t.x_vector, read_at, flow));
      send.earliest = std::max(send.earliest, chips_[s]->kernel_scheduler().vector_ready(x_[s], t.plane, t.x_vector,
                                                                                         read_at + rd.sram_access));
      send.flows.push_back(f);
      ++read_at;  // the other direction's READ issues the next cycle on the same slice
    }
    chains.push_back(std::move(send));
    on.push_back(&chips_[s]->scheduler());
    std::vector<Cycle> write_access;
    for (size_t j = 0; j < t.to.size(); ++j) {
      const Receiver& d = t.to[j];
      chains.push_back(recv_write(cfg_, c2c_queue(links_[s][d.chip].peer_port), arrive[j],
                                  chips_[d.chip]->placement()[y_[d.chip]], t.plane, d.y_vector, what));
      write_access.push_back(chains.back().items[1].mem->c0);
      on.push_back(&chips_[d.chip]->scheduler());
    }
    const Cycle at = Scheduler::schedule_together(on, std::move(chains));
    for (size_t j = 0; j < t.to.size(); ++j)
      chips_[t.to[j].chip]->kernel_scheduler().written(y_[t.to[j].chip], t.plane, planes_, at + write_access[j]);
  }

  // Chip c's own block: plane i of x's vector v into y's vector yv.
  void local(uint32_t c, unsigned i, uint32_t v, uint32_t yv) {
    const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
    const uint16_t ps = plane_position(cfg_, chips_[c]->placement()[x_[c]], i);
    Chain local;
    local.what = fmt::format("{} {} plane {} on chip {} (its own)", op_name(k_.op), name_, i, c);
    local.items.push_back(read_item(c, i, v, 0, 0));
    local.earliest = chips_[c]->kernel_scheduler().vector_ready(x_[c], i, v, rd.sram_access);
    const uint16_t py = plane_position(cfg_, chips_[c]->placement()[y_[c]], i);
    local.flows.push_back(Flow{{FlowPlane{ps, rd.latency, {py}}}});
    local.items.push_back(write_item(c, i, yv, ps, rd.latency, 0));
    const Cycle w_at = local.items.back().mem->c0;
    const Cycle at = chips_[c]->scheduler().schedule(std::move(local));
    chips_[c]->kernel_scheduler().written(y_[c], i, planes_, at + w_at);
  }

  const std::vector<ChipCompile*>& chips_;
  const std::vector<std::vector<DirectLink>>& links_;
  const isa::Config& cfg_;
  const CollectiveKernel& k_;    // chip 0's: the op and the column blocks, the same on every chip
  std::vector<TensorId> x_, y_;  // per chip: its graphs differ where shapes do
  std::string name_;
  unsigned planes_ = 1;
};

}  // namespace

void schedule_handoff(ChipCompile& sender, TensorId x, const DirectLink& in, const std::vector<ChipCompile*>& chips,
                      const std::vector<size_t>& ki, uint32_t gateway,
                      const std::vector<std::vector<DirectLink>>& links, const isa::Config& cfg) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  const isa::OpDesc& rv = isa::op_desc(isa::Op::RECV);
  const auto P = static_cast<uint32_t>(chips.size());
  for (uint32_t c = 0; c < P; ++c) chips[c]->begin(ki[c]);
  std::vector<TensorId> y(P);
  for (uint32_t c = 0; c < P; ++c) y[c] = chips[c]->kernel(ki[c]).collective->y;
  const Placement& px = sender.placement()[x];
  const std::string& name = sender.graph().tensor(x).name;
  const unsigned planes = isa::dtype_desc(sender.graph().tensor(x).dtype).bytes;
  const uint16_t q_out = c2c_queue(cfg, in.port), q_in = c2c_queue(cfg, in.peer_port);
  for (unsigned i = 0; i < planes; ++i)
    for (uint32_t v = 0; v < px.layout.vectors(); ++v) {
      const auto what = fmt::format("handoff {} plane {} vector {}", name, i, v);
      std::vector<Chain> chain(P + 1);
      std::vector<Scheduler*> on;
      // The sender: READ, then SEND where the value passes its port.
      const uint16_t ps = plane_position(cfg, px, i);
      const Cycle at_port = rd.latency + std::abs(int(position(cfg, q_out)) - int(ps));
      chain[0].what = what;
      chain[0].flows.push_back(Flow{{FlowPlane{ps, rd.latency, {position(cfg, q_out)}}}});
      chain[0].items.push_back(read_item(cfg, px, i, v, 0, 0));
      chain[0].items.push_back(send_item(cfg, q_out, at_port, 0));
      chain[0].earliest = sender.kernel_scheduler().vector_ready(x, i, v, rd.sram_access);
      on.push_back(&sender.scheduler());
      // The gateway: RECV in the cycle the frame lands; the value is written and passes its other ports.
      const Cycle r_at = at_port + in.hop, put = r_at + rv.latency;
      const uint16_t p_in = position(cfg, q_in);
      Chain& gw = chain[1 + gateway];
      gw = recv_write(cfg, q_in, r_at, chips[gateway]->placement()[y[gateway]], i, v, what);
      for (uint32_t d = 0; d < P; ++d) {
        if (d == gateway) continue;
        const uint16_t q = c2c_queue(cfg, links[gateway][d].port);
        const Cycle s_at = put + std::abs(int(position(cfg, q)) - int(p_in));
        gw.flows[0].planes[0].consumers.push_back(position(cfg, q));
        gw.items.push_back(send_item(cfg, q, s_at, 0));
        // Each other chip of the stage: RECV and WRITE.
        chain[1 + d] = recv_write(cfg, c2c_queue(cfg, links[gateway][d].peer_port), s_at + links[gateway][d].hop,
                                  chips[d]->placement()[y[d]], i, v, what);
      }
      std::vector<Cycle> written(P);
      for (uint32_t d = 0; d < P; ++d) written[d] = chain[1 + d].items[1].mem->c0;
      for (uint32_t d = 0; d < P; ++d) on.push_back(&chips[d]->scheduler());
      const Cycle t = Scheduler::schedule_together(on, std::move(chain));
      for (uint32_t d = 0; d < P; ++d) chips[d]->kernel_scheduler().written(y[d], i, planes, t + written[d]);
    }
  for (uint32_t c = 0; c < P; ++c) chips[c]->end(ki[c]);
}

void schedule_collective(const std::vector<ChipCompile*>& chips, const std::vector<size_t>& ki,
                         const std::vector<std::vector<DirectLink>>& links, const isa::Config& cfg) {
  for (size_t c = 0; c < chips.size(); ++c) chips[c]->begin(ki[c]);
  Collective(chips, ki, links, cfg).run();
  for (size_t c = 0; c < chips.size(); ++c) chips[c]->end(ki[c]);
}

}  // namespace tsp::compiler
