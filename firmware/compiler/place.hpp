#pragma once
// Memory placement: every tensor gets `bytes` adjacent MEM slices of one
// hemisphere (byte plane i on slice + i, docs/timing.md "Tensor layout") and
// one address range shared by its planes. Consecutive tensors alternate
// hemispheres and rotate through the slices so that the operands of one
// kernel rarely share a slice's ports. By default nothing is ever freed, so
// every tensor can be read back after the run; with SRAM reuse a tensor may
// take addresses of tensors dead before its kernel (lifetimes in kernel
// order), and the scheduler keeps its writes after their last accesses
// (Placement::reuses, docs/compiler.md "SRAM reuse").
#include <algorithm>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "firmware/compiler/layout.hpp"
#include "firmware/compiler/lower.hpp"

namespace tsp::compiler {

struct Placement {
  uint16_t slice = 0;  // first slice (isa::mem_slice_of numbering)
  uint32_t address = 0;
  Layout layout;
  bool placed = false;
  // Striped MatMul weights: `groups` groups of column blocks (group g holds
  // blocks [group_block(g), group_block(g + 1)), read by one MXM plane, so that
  // planes load their weights from slices of their own), each of S stripes
  // (rows k = s mod S, local row k / S). Region g x S + s is at
  // stripe_slice/stripe_address[g x S + s]; region 0 is slice/address.
  std::vector<uint16_t> stripe_slice;
  std::vector<uint32_t> stripe_address;
  uint32_t groups = 1;
  // With SRAM reuse: the tensors (roots) whose addresses this one takes after
  // their last kernel; its writer's SRAM accesses must follow theirs.
  std::vector<TensorId> reuses;
  // Its addresses are taken by a later tensor: after the run they hold that one
  // (the image has no symbol for it).
  bool overwritten = false;
  // Streamed from one fused VXM op into the next (fuse.hpp): never written,
  // so the image has no symbol for it either.
  bool streamed = false;
  uint32_t regions() const { return stripe_slice.empty() ? 1 : uint32_t(stripe_slice.size()); }
  uint32_t stripes() const { return regions() / groups; }
  uint32_t group_block(uint32_t g) const { return uint32_t(uint64_t(layout.blocks) * g / groups); }
  uint32_t group_blocks(uint32_t g) const { return group_block(g + 1) - group_block(g); }
  // The hemisphere of group g's plane: the first half of the groups west (ChipCompile::schedule).
  uint32_t group_hemisphere(uint32_t g) const { return g * 2 / groups; }
  // Group g's columns [first, second).
  std::pair<uint32_t, uint32_t> group_columns(uint32_t g) const {
    return {group_block(g) * layout.lanes, std::min(layout.cols, group_block(g + 1) * layout.lanes)};
  }
  uint32_t group_of(uint32_t block) const {
    uint32_t g = 0;
    while (g + 1 < groups && group_block(g + 1) <= block) ++g;
    return g;
  }
  uint32_t region_vectors(uint32_t g) const { return layout.stored_rows / stripes() * group_blocks(g); }
  uint16_t region_slice(uint32_t i) const { return stripe_slice.empty() ? slice : stripe_slice[i]; }
  uint32_t region_address(uint32_t i) const { return stripe_address.empty() ? address : stripe_address[i]; }
  // The vector of row `row`, column block `block` within its region.
  uint32_t region_vector(uint32_t row, uint32_t block) const {
    const uint32_t g = group_of(block);
    return row / stripes() * group_blocks(g) + block - group_block(g);
  }
  uint32_t region_of(uint32_t row, uint32_t block) const { return group_of(block) * stripes() + row % stripes(); }
};

// Thrown when a tensor finds no room: compile() may retry with reuse.
struct SramFull : Error {
  using Error::Error;
};

// Never: every tensor keeps its addresses to the end. Always: each takes the
// lowest free range (a stress mode). Auto: fresh addresses first, then the
// range whose tenants died first; compile() uses it only for a program that
// does not fit with Never.
enum class SramReuse : uint8_t { Never, Always, Auto };

// Per tensor: the kernel that writes it (-1: loaded with the image) and the
// last kernel that reads or writes its storage (kernels.size(): a graph
// output, kept to the end; -1: nothing touches it). Keyed by storage root
// (Lowered::root).
struct Lifetime {
  int64_t birth = -1, death = -1;
};
std::vector<Lifetime> lifetimes(const Graph& g, const Lowered& low);

std::vector<Placement> place(const Graph& g, const Lowered& low, const isa::Config& cfg,
                             SramReuse mode = SramReuse::Never);

// Floorplan position of plane `i` of a tensor placed at `p`.
uint16_t plane_position(const isa::Config& cfg, const Placement& p, unsigned i);
// The queue id of MEM slice `slice`.
uint16_t slice_queue(const isa::Config& cfg, uint16_t slice);

}  // namespace tsp::compiler
