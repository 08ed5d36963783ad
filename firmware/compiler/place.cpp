#include "firmware/compiler/place.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "common/error.hpp"

namespace tsp::compiler {

uint16_t slice_queue(const isa::Config& cfg, uint16_t slice) {
  return *isa::find_queue(cfg, isa::mem_slice_name(cfg, slice));
}

uint16_t plane_position(const isa::Config& cfg, const Placement& p, unsigned i) {
  return cfg.queue_table[slice_queue(cfg, static_cast<uint16_t>(p.slice + i))].position;
}

std::vector<Lifetime> lifetimes(const Graph& g, const Lowered& low) {
  std::vector<Lifetime> life(g.tensors().size());
  const auto end = static_cast<int64_t>(low.kernels.size());
  for (size_t i = 0; i < low.kernels.size(); ++i) {
    const Node& n = *low.kernels[i].node;
    const auto k = static_cast<int64_t>(i);
    // A fused chain reads every step's operands when its last kernel runs (fuse.hpp).
    size_t reads_at = i;
    while (low.stream_to[reads_at] >= 0) reads_at = size_t(low.stream_to[reads_at]);
    for (TensorId t : n.inputs) life[low.root[t]].death = std::max(life[low.root[t]].death, int64_t(reads_at));
    Lifetime& o = life[low.root[n.output]];
    if (low.root[n.output] == n.output) o.birth = k;
    o.death = std::max(o.death, k);
  }
  for (size_t t = 0; t < g.tensors().size(); ++t) {
    const Tensor& ten = g.tensor(static_cast<TensorId>(t));
    // Padding rows of a computed MatMul weight are zeroed by the image (codegen): loaded at the start.
    if (ten.kind != TensorKind::Value || low.pad_rows[t] > 1) life[low.root[t]].birth = -1;
    if (ten.output) life[low.root[t]].death = end;
  }
  return life;
}

namespace {

// The address ranges of one slice and whose they are; two tensors may share
// addresses only when their lifetimes are disjoint.
struct Held {
  uint32_t begin, end;
  Lifetime life;
  TensorId t;
};
bool lives_overlap(const Lifetime& a, const Lifetime& b) { return a.birth <= b.death && b.birth <= a.death; }

// Who follows whom at shared addresses: the later tensor's writer waits for
// the earlier one's last access, and the earlier one is overwritten.
void mark_reuse(std::vector<Placement>& out, const std::vector<std::vector<Held>>& held, const Lowered& low) {
  for (const auto& slice : held)
    for (const Held& a : slice)
      for (const Held& b : slice)
        if (a.begin < b.end && b.begin < a.end && a.life.death < b.life.birth) {
          auto& r = out[b.t].reuses;
          if (std::find(r.begin(), r.end(), a.t) == r.end()) r.push_back(a.t);
          out[a.t].overwritten = true;
        }
  for (size_t t = 0; t < out.size(); ++t)  // aliases share their root's fate
    if (low.root[t] != t) {
      out[t].reuses = out[low.root[t]].reuses;
      out[t].overwritten = out[low.root[t]].overwritten;
    }
}

}  // namespace

std::vector<Placement> place(const Graph& g, const Lowered& low, const isa::Config& cfg, SramReuse mode) {
  const bool reuse = mode != SramReuse::Never;
  std::vector<Placement> out(g.tensors().size());
  std::vector<uint32_t> used(cfg.mem_slices, 0);  // one past the highest address ever taken, per slice
  std::vector<std::vector<Held>> held(cfg.mem_slices);
  const std::vector<Lifetime> life = lifetimes(g, low);
  const uint32_t half = cfg.mem_slices_per_hemisphere;
  // Candidate first slices in the order W0, E0, W1, E1, ...; `cursor` rotates through them.
  std::vector<uint16_t> order, outer;  // outer: from SXM.W inwards, then from SXM.E
  for (uint32_t i = 0; i < half; ++i) {
    order.push_back(static_cast<uint16_t>(i));
    order.push_back(static_cast<uint16_t>(half + i));
  }
  for (uint32_t i = 0; i < half; ++i) outer.push_back(static_cast<uint16_t>(half - 1 - i));
  for (uint32_t i = 0; i < half; ++i) outer.push_back(static_cast<uint16_t>(2 * half - 1 - i));
  // Operands read in lockstep by one chain must not share a slice: their READs
  // would want the slice's one read port in the same cycles, forever (`must`).
  // A result should not share its operands' slices either: its WRITEs follow
  // the READs at offsets fixed by the floorplan, and planes one slice apart
  // differ in bank parity, so some plane would always hit a read's bank
  // (`prefer`; given up only when the SRAM has no other room).
  // Rules bind storage: a Reshape's result is its input's (low.root).
  std::vector<std::vector<TensorId>> must(g.tensors().size()), prefer(g.tensors().size());
  auto apart = [&](std::vector<std::vector<TensorId>>& rule, TensorId x, TensorId y) {
    x = low.root[x], y = low.root[y];
    if (x == y) return;
    rule[x].push_back(y);
    rule[y].push_back(x);
  };
  for (const Kernel& k : low.kernels)
    for (const VecKernel& v : k.vec) {
      // A vector program reads its inputs in lockstep: apart. Its result
      // should be apart too (else its runs are cut into short chunks).
      for (TensorId x : v.in) {
        for (TensorId y : v.in)
          if (x != y) apart(must, x, y);
        apart(prefer, x, v.out);
      }
    }
  for (const Kernel& k : low.kernels)
    if (k.gather) {  // shared slices only cut its runs short (kernel_gather.cpp)
      const TensorId t[] = {k.gather->data, k.gather->map, k.gather->y};
      for (TensorId x : t)
        for (TensorId y : t)
          if (x != y) apart(prefer, x, y);
    }
  for (const Kernel& k : low.kernels) {
    if (k.sxm) {  // x and the map in lockstep; the result better apart (else chunked)
      apart(must, k.sxm->x, k.sxm->map);
      apart(prefer, k.sxm->x, k.sxm->y);
      apart(prefer, k.sxm->map, k.sxm->y);
    }
    if (!k.vxm) continue;
    const VxmKernel& v = *k.vxm;
    const std::optional<TensorId> ins[] = {v.a, v.b, v.c};
    for (const auto& x : ins)
      for (const auto& y : ins)
        if (x && y) apart(must, *x, *y);
    // Better apart (see below); a result sharing an operand's slice is cut into
    // chunks (kernel_vxm.cpp), and the reservation tables keep ports and banks.
    for (const auto& in : ins)
      if (in) apart(prefer, *in, v.out);
  }
  // A MatMul's weights stream through LWs while its ABCs read the activations
  // and its ACCs write the result: better on other slices (the 70B-shaped
  // layer's activations on a slice of the up projection's weights serialised
  // two planes: 40,545 -> 45,352 cycles).
  for (const Kernel& k : low.kernels)
    for (const MatMulKernel& m : k.mxm) {
      apart(prefer, m.x, m.w);
      apart(prefer, m.y, m.w);
    }
  // Weights that two MatMuls may load side by side: each LW reads all of its stripes in lockstep.
  for (const auto& [a, b] : low.weights_apart) apart(prefer, a, b);
  auto overlaps = [&](const std::vector<TensorId>& others, uint16_t first, unsigned bytes) {
    for (TensorId o : others) {
      const Placement& q = out[o];
      if (!q.placed) continue;
      const unsigned ob = isa::dtype_desc(g.tensor(o).dtype).bytes;
      for (uint32_t r = 0; r < q.regions(); ++r)
        if (first < q.region_slice(r) + ob && q.region_slice(r) < first + bytes) return true;
    }
    return false;
  };
  // A VXM result sharing a slice with one of its operands: that slice reads the
  // operand's vector k at r0 + k and writes the result's at r0 + gap + k, gap =
  // READ latency + op latency + WRITE's array offset - READ's + 2 x the slice's
  // distance to the VXM. Choose the result's address so that the two never hit
  // one bank: (operand address + gap - result address) mod banks != 0.
  std::vector<std::optional<isa::Op>> bank_gap(g.tensors().size());
  std::vector<std::vector<TensorId>> operands_of(g.tensors().size());
  for (const Kernel& k : low.kernels)
    if (k.vxm) {
      bank_gap[k.vxm->out] = k.vxm->op;
      operands_of[k.vxm->out].push_back(low.root[k.vxm->a]);
      if (k.vxm->b) operands_of[k.vxm->out].push_back(low.root[*k.vxm->b]);
      if (k.vxm->c) operands_of[k.vxm->out].push_back(low.root[*k.vxm->c]);
    }
  auto bank_safe = [&](size_t t, uint16_t first, unsigned bytes, uint32_t addr) {
    const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
    const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
    const int64_t base_gap = rd.latency + isa::op_desc(*bank_gap[t]).latency + wr.sram_access - rd.sram_access;
    for (uint32_t a = addr; a < addr + cfg.mem_banks; ++a) {
      bool ok = true;
      for (TensorId o : operands_of[t]) {
        const Placement& q = out[o];
        const unsigned ob = isa::dtype_desc(g.tensor(o).dtype).bytes;
        for (unsigned i = 0; i < bytes; ++i) {
          const uint16_t s = static_cast<uint16_t>(first + i);
          if (s < q.slice || s >= q.slice + ob) continue;
          const int64_t d = std::abs(int(cfg.queue_table[slice_queue(cfg, s)].position) - int(cfg.vxm_position));
          const int64_t diff = int64_t(q.address) + base_gap + 2 * d - int64_t(a);
          ok = ok && ((diff % cfg.mem_banks) + cfg.mem_banks) % cfg.mem_banks != 0;
        }
      }
      if (ok) return a;
    }
    return addr;  // no address helps (two operands disagree): the scheduler will report it
  };
  // Without reuse: above everything ever placed on the slices (bank-safe if need be).
  auto fresh = [&](size_t t, uint16_t first, unsigned bytes, uint32_t n) -> std::optional<uint32_t> {
    uint32_t addr = 0;
    for (unsigned i = 0; i < bytes; ++i) addr = std::max(addr, used[first + i]);
    if (bank_gap[t]) addr = bank_safe(t, first, bytes, addr);
    if (uint64_t(addr) + n > cfg.mem_addresses) return std::nullopt;
    return addr;
  };
  // With reuse, a range free on every plane's slice over t's lifetime: Always
  // takes the lowest (a stress mode: as much reuse as possible); Auto takes
  // fresh addresses while there are any, then the range whose earlier tenants
  // died first, so that t's writer rarely waits for their last reads.
  auto free_range = [&](size_t t, uint16_t first, unsigned bytes, uint32_t n) -> std::optional<uint32_t> {
    if (mode == SramReuse::Auto)
      if (const auto a = fresh(t, first, bytes, n)) return a;
    std::vector<const Held*> near;
    for (unsigned i = 0; i < bytes; ++i)
      for (const Held& h : held[first + i]) near.push_back(&h);
    std::vector<uint32_t> starts{0};
    for (const Held* h : near)
      if (lives_overlap(h->life, life[t])) starts.push_back(h->end);
    std::sort(starts.begin(), starts.end());
    std::optional<uint32_t> best;
    int64_t best_cost = 0;
    for (uint32_t c : starts) {
      const uint32_t addr = bank_gap[t] ? bank_safe(t, first, bytes, c) : c;
      if (uint64_t(addr) + n > cfg.mem_addresses) continue;
      bool clash = false;
      int64_t cost = -1;  // the last kernel of the tenants this range follows
      for (const Held* h : near)
        if (h->begin < addr + n && addr < h->end) {
          clash = clash || lives_overlap(h->life, life[t]);
          if (h->life.death < life[t].birth) cost = std::max(cost, h->life.death);
        }
      if (clash || (best && cost >= best_cost)) continue;
      best = addr, best_cost = cost;
      if (mode == SramReuse::Always) break;
    }
    return best;
  };
  size_t cursor = 0, outer_cursor = 0;
  for (size_t t = 0; t < g.tensors().size(); ++t) {
    const Tensor& ten = g.tensor(static_cast<TensorId>(t));
    Placement& p = out[t];
    p.layout = layout_of(ten, cfg.lanes, low.pad_rows[t]);
    p.layout.splat = low.splat_store[t];
    if (low.root[t] != t) {  // shares its input's storage (same vectors: lower.cpp checked)
      const Layout l = p.layout;
      p = out[low.root[t]];
      p.layout = l;
      continue;
    }
    // Image data that no kernel reads and no one reads back (an f32 weight split
    // into f16 parts on the host, compose.cpp) has no lifetime: it takes no SRAM.
    if (life[t].death < 0) continue;
    const unsigned bytes = isa::dtype_desc(ten.dtype).bytes;
    const uint32_t S = low.stripes[t], G = low.groups[t];
    p.groups = G;
    for (uint32_t region = 0; region < G * S; ++region) {
      const uint32_t n = p.layout.stored_rows / S * p.group_blocks(region / S);
      const uint32_t hemisphere = p.group_hemisphere(region / S);
      bool ok = false;
      // Four rounds: width-aligned groups first (tensors of one width then tile
      // the slices without fragments), and the `prefer` rules (apart from the
      // result's operands, groups near their planes) given up last.
      const std::vector<uint16_t>& cand = low.near_sxm[t] ? outer : order;
      size_t& cur = low.near_sxm[t] ? outer_cursor : cursor;
      for (size_t tries = 0; tries < 4 * cand.size() && !ok; ++tries) {
        const uint16_t first = cand[(cur + tries) % cand.size()];
        const size_t round = tries / cand.size();
        if (first % half + bytes > half) continue;  // planes must stay in one hemisphere
        if (round % 2 == 0 && (first % half) % bytes) continue;
        if (overlaps(must[t], first, bytes)) continue;
        bool own = false;  // stripes are read in lockstep, groups side by side: apart from each other
        for (uint16_t s0 : p.stripe_slice) own = own || (first < s0 + bytes && s0 < first + bytes);
        if (own) continue;
        if (round < 2 && (overlaps(prefer[t], first, bytes) || (G > 1 && first / half != hemisphere))) continue;
        const std::optional<uint32_t> found = reuse ? free_range(t, first, bytes, n) : fresh(t, first, bytes, n);
        if (!found) continue;
        const uint32_t addr = *found;
        if (region == 0) {
          p.slice = first;
          p.address = addr;
        }
        if (G * S > 1) {
          p.stripe_slice.push_back(first);
          p.stripe_address.push_back(addr);
        }
        p.placed = ok = true;
        for (unsigned i = 0; i < bytes; ++i) {
          used[first + i] = std::max(used[first + i], addr + n);
          if (reuse) held[first + i].push_back({addr, addr + n, life[t], static_cast<TensorId>(t)});
        }
        cur = (cur + tries + 1) % cand.size();
      }
      if (!ok)
        throw SramFull(
            fmt::format("{}: error: tensor '{}' ({} vectors x {} byte planes) does not fit in the SRAM of {} "
                        "on slices apart from the operands it is read or written with{}",
                        ten.where.str(), ten.name, n, bytes, cfg.name,
                        reuse ? ", even reusing the addresses of dead tensors" : ""));
    }
  }
  if (reuse) mark_reuse(out, held, low);
  return out;
}

}  // namespace tsp::compiler
