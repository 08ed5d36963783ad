#include "firmware/compiler/place.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace tsp::compiler {

uint16_t slice_queue(const isa::Config& cfg, uint16_t slice) {
  return *isa::find_queue(cfg, isa::mem_slice_name(cfg, slice));
}

uint16_t plane_position(const isa::Config& cfg, const Placement& p, unsigned i) {
  return cfg.queue_table[slice_queue(cfg, static_cast<uint16_t>(p.slice + i))].position;
}

std::vector<Placement> place(const Graph& g, const Lowered& low, const isa::Config& cfg) {
  std::vector<Placement> out(g.tensors().size());
  std::vector<uint32_t> used(cfg.mem_slices, 0);  // next free address per slice
  const uint32_t half = cfg.mem_slices_per_hemisphere;
  // Candidate first slices in the order W0, E0, W1, E1, ...; `cursor` rotates through them.
  std::vector<uint16_t> order;
  for (uint32_t i = 0; i < half; ++i) {
    order.push_back(static_cast<uint16_t>(i));
    order.push_back(static_cast<uint16_t>(half + i));
  }
  // Operands read in lockstep by one chain must not share a slice: their READs
  // would want the slice's one read port in the same cycles, forever (`must`).
  // A result should not share its operands' slices either: its WRITEs follow
  // the READs at offsets fixed by the floorplan, and planes one slice apart
  // differ in bank parity, so some plane would always hit a read's bank
  // (`prefer`; given up only when the SRAM has no other room).
  std::vector<std::vector<TensorId>> must(g.tensors().size()), prefer(g.tensors().size());
  for (const Kernel& k : low.kernels) {
    if (!k.vxm) continue;
    const VxmKernel& v = *k.vxm;
    if (v.b && *v.b != v.a) {
      must[v.a].push_back(*v.b);
      must[*v.b].push_back(v.a);
    }
    for (std::optional<TensorId> in : {std::optional<TensorId>(v.a), v.b})
      if (in) {
        prefer[v.out].push_back(*in);
        prefer[*in].push_back(v.out);
      }
  }
  auto overlaps = [&](const std::vector<TensorId>& others, uint16_t first, unsigned bytes) {
    for (TensorId o : others) {
      const Placement& q = out[o];
      if (!q.placed) continue;
      const unsigned ob = isa::dtype_desc(g.tensor(o).dtype).bytes;
      if (first < q.slice + ob && q.slice < first + bytes) return true;
    }
    return false;
  };
  size_t cursor = 0;
  for (size_t t = 0; t < g.tensors().size(); ++t) {
    const Tensor& ten = g.tensor(static_cast<TensorId>(t));
    Placement& p = out[t];
    p.layout = layout_of(ten, cfg.lanes, low.pad_rows[t]);
    const unsigned bytes = isa::dtype_desc(ten.dtype).bytes;
    const uint32_t n = p.layout.vectors();
    bool ok = false;
    for (size_t tries = 0; tries < 2 * order.size() && !ok; ++tries) {
      const uint16_t first = order[(cursor + tries) % order.size()];
      if (first % half + bytes > half) continue;  // planes must stay in one hemisphere
      if (overlaps(must[t], first, bytes)) continue;
      if (tries < order.size() && overlaps(prefer[t], first, bytes)) continue;
      uint32_t addr = 0;
      for (unsigned i = 0; i < bytes; ++i) addr = std::max(addr, used[first + i]);
      if (uint64_t(addr) + n > cfg.mem_addresses) continue;
      p.slice = first;
      p.address = addr;
      p.placed = ok = true;
      for (unsigned i = 0; i < bytes; ++i) used[first + i] = addr + n;
      cursor = (cursor + tries + 1) % order.size();
    }
    if (!ok)
      throw Error(fmt::format("{}: error: tensor '{}' ({} vectors x {} byte planes) does not fit in the SRAM of {}",
                              ten.where.str(), ten.name, n, bytes, cfg.name));
  }
  return out;
}

}  // namespace tsp::compiler
