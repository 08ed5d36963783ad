#pragma once
// Memory placement: every tensor gets `bytes` adjacent MEM slices of one
// hemisphere (byte plane i on slice + i, docs/timing.md "Tensor layout") and
// one address range shared by its planes. Consecutive tensors alternate
// hemispheres and rotate through the slices so that the operands of one
// kernel rarely share a slice's ports. Nothing is ever freed (no WAR hazards).
#include <vector>

#include "firmware/compiler/layout.hpp"
#include "firmware/compiler/lower.hpp"

namespace tsp::compiler {

struct Placement {
  uint16_t slice = 0;  // first slice (isa::mem_slice_of numbering)
  uint32_t address = 0;
  Layout layout;
  bool placed = false;
  // Striped MatMul weights: stripe s (rows k = s mod S, local row k / S) at
  // stripe_slice[s] / stripe_address[s]; stripe 0 is slice/address.
  std::vector<uint16_t> stripe_slice;
  std::vector<uint32_t> stripe_address;
  uint32_t stripes() const { return stripe_slice.empty() ? 1 : uint32_t(stripe_slice.size()); }
  uint32_t stripe_vectors() const { return layout.vectors() / stripes(); }
};

std::vector<Placement> place(const Graph& g, const Lowered& low, const isa::Config& cfg);

// Floorplan position of plane `i` of a tensor placed at `p`.
uint16_t plane_position(const isa::Config& cfg, const Placement& p, unsigned i);
// The queue id of MEM slice `slice`.
uint16_t slice_queue(const isa::Config& cfg, uint16_t slice);

}  // namespace tsp::compiler
