#include "firmware/compiler/schedule.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"

namespace tsp::compiler {
namespace {

// How far past its bound a chain may be pushed before we call the program unschedulable.
constexpr Cycle kHorizon = 1'000'000;

bool runs_overlap(Cycle a, uint64_t na, Cycle b, uint64_t nb) { return a < b + Cycle(nb) && b < a + Cycle(na); }

}  // namespace

size_t field_of(isa::Op op, std::string_view name) {
  const auto& fields = isa::op_desc(op).fields;
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == name) return i;
  throw Error(fmt::format("internal error: {} has no operand '{}'", isa::op_desc(op).mnemonic, name));
}

isa::Instr make_instr(isa::Op op, std::initializer_list<std::pair<std::string_view, int64_t>> operands) {
  isa::Instr in{op, {}};
  for (const auto& [name, v] : operands) in.operand[field_of(op, name)] = v;
  return in;
}

bool Scheduler::fits(Chain& c, Cycle t, Fit& fit) const {
  std::vector<uint16_t>& vxm_choice = fit.queue;
  vxm_choice.assign(c.items.size(), 0);
  // Queues (and the ALU choice).
  for (size_t i = 0; i < c.items.size(); ++i) {
    const Item& it = c.items[i];
    const Cycle ti = t + it.offset;
    auto free_here = [&](uint16_t q) {
      if (!res_.queue_free(q, ti, it.span())) return false;
      for (size_t j = 0; j < i; ++j)
        if (vxm_choice[j] == q && runs_overlap(t + c.items[j].offset, c.items[j].span(), ti, it.span())) return false;
      return true;
    };
    bool found = false;
    if (it.any_vxm || it.any_sxm >= 0) {
      const isa::Unit unit = it.any_vxm ? isa::Unit::VXM : isa::Unit::SXM;
      for (uint16_t q = 0; q < cfg_.queue_table.size() && !found; ++q)
        if (cfg_.queue_table[q].unit == unit && (it.any_vxm || cfg_.queue_table[q].hemisphere == it.any_sxm) &&
            free_here(q)) {
          vxm_choice[i] = q;
          found = true;
        }
    } else if (free_here(it.queue)) {
      vxm_choice[i] = it.queue;
      found = true;
    }
    if (!found) return false;
    if (it.tx) {  // the link's transmitter, one frame per SEND
      if (!res_.tx_free(vxm_choice[i], ti, it.tx)) return false;
      for (size_t j = 0; j < i; ++j)
        if (c.items[j].tx && vxm_choice[j] == vxm_choice[i] &&
            runs_overlap(t + c.items[j].offset, c.items[j].tx, ti, it.tx))
          return false;
    }
  }
  // MEM ports and banks.
  std::vector<MemAccess>& mem = fit.mem;
  mem.clear();
  for (const Item& it : c.items) {
    if (!it.mem) continue;
    MemAccess a = *it.mem;
    a.c0 += t;
    if (!res_.mem_free(a)) return false;
    for (const MemAccess& b : mem)
      if (b.slice == a.slice && Resources::mem_clash(a, b, cfg_.mem_banks)) return false;
    mem.push_back(a);
  }
  // Streams: the first aligned group free over every plane's wavefronts and positions.
  std::vector<StreamUse>& uses = fit.uses;
  uses.clear();
  for (Flow& f : c.flows) {
    const unsigned bytes = static_cast<unsigned>(f.planes.size());
    bool east = false, west = false;
    for (const FlowPlane& p : f.planes)
      for (uint16_t q : p.consumers) (q < p.producer ? west : east) = true;
    if (east && west) throw Error(fmt::format("internal error: chain '{}' has a flow in both directions", c.what));
    f.west = west;
    bool found = false;
    for (unsigned base = 0; base + bytes <= cfg_.streams_per_direction && !found; base += bytes) {
      std::vector<StreamUse> mine;
      bool ok = true;
      for (unsigned i = 0; i < bytes && ok; ++i) {
        const FlowPlane& p = f.planes[i];
        StreamUse u;
        u.stream = static_cast<uint8_t>(base + i);
        u.west = west;
        const Cycle put = t + p.put;
        u.w0 = west ? put + p.producer : put - p.producer;
        u.n = f.n;
        u.pmin = u.pmax = p.producer;
        for (uint16_t q : p.consumers) {
          u.pmin = std::min(u.pmin, q);
          u.pmax = std::max(u.pmax, q);
        }
        ok = res_.stream_free(u);
        for (const StreamUse& v : uses) ok = ok && !Resources::stream_clash(u, v);
        mine.push_back(u);
      }
      if (ok) {
        f.base = static_cast<uint8_t>(base);
        uses.insert(uses.end(), mine.begin(), mine.end());
        found = true;
      }
    }
    if (!found) return false;
  }
  return true;
}

Cycle Scheduler::commit(Chain& c, Cycle t, const Fit& fit) {
  for (size_t i = 0; i < c.items.size(); ++i) {
    const Item& it = c.items[i];
    res_.take_queue(fit.queue[i], t + it.offset, it.span());
    if (it.tx) res_.take_tx(fit.queue[i], t + it.offset, it.tx);
  }
  for (const MemAccess& a : fit.mem) {
    res_.take_mem(a);
    last_access_ = std::max(last_access_, a.end() - 1);
  }
  for (const StreamUse& u : fit.uses) res_.take_stream(u);
  const auto chain_id = static_cast<uint32_t>(names_.size());
  names_.push_back(c.what);
  for (size_t i = 0; i < c.items.size(); ++i) {
    Item& it = c.items[i];
    for (const StreamField& s : it.streams) {
      const Flow& f = c.flows[s.flow];
      it.instr.operand[s.operand] = isa::StreamRef{static_cast<uint8_t>(f.base + s.plane), f.west}.code();
    }
    timed_.push_back({fit.queue[i], t + it.offset + it.skew, it.instr, it.count, it.stride, chain_id, it.interval});
  }
  return t;
}

Cycle Scheduler::prepare(Chain& c) {
  c.write_floor = floor_;
  if (chain_hook) chain_hook(c);
  Cycle lo = c.earliest;
  for (const Item& it : c.items) {
    lo = std::max(lo, -it.offset);
    if (it.mem && it.mem->write) lo = std::max(lo, c.write_floor - it.mem->c0);
  }
  for (const Flow& f : c.flows)
    for (const FlowPlane& p : f.planes) lo = std::max(lo, -p.put);
  return lo;
}

Cycle Scheduler::schedule(Chain c) {
  const Cycle lo = prepare(c);
  Fit fit;
  for (Cycle t = lo; t < lo + kHorizon; ++t)
    if (fits(c, t, fit)) return commit(c, t, fit);
  throw Error(fmt::format("cannot schedule {}: no free slot within {} cycles of cycle {}", c.what, kHorizon, lo));
}

Cycle Scheduler::schedule_together(const std::vector<Scheduler*>& chips, std::vector<Chain> chains) {
  Cycle lo = kNoFloor;
  for (size_t i = 0; i < chains.size(); ++i) lo = std::max(lo, chips[i]->prepare(chains[i]));
  std::vector<Fit> fit(chains.size());
  for (Cycle t = lo; t < lo + kHorizon; ++t) {
    size_t i = 0;
    while (i < chains.size() && chips[i]->fits(chains[i], t, fit[i])) ++i;
    if (i < chains.size()) continue;
    for (i = 0; i < chains.size(); ++i) chips[i]->commit(chains[i], t, fit[i]);
    return t;
  }
  throw Error(fmt::format("cannot schedule {}: no cycle within {} of cycle {} suits every chip", chains.at(0).what,
                          kHorizon, lo));
}

}  // namespace tsp::compiler
