#pragma once
// A lower bound on the cycles of one chip's program, from the ISA table and
// the lowered kernels alone (no placement, no schedule): no legal schedule of
// these kernels on this configuration can be shorter. Each term is named
// (docs/compiler.md, "Lower bound"):
//   install   MXM weight install: every weight block's LW rows and IW latency
//             over the planes, and every weight vector over the chip's peak
//             LW stream rate
//   mxm       MXM compute: ABC issue slots (a float ABC holds the array
//             mxm_float_cycles) over the planes
//   mem       MEM: vector READs, WRITEs and GATHERs over the slices' queues
//   vxm       VXM: ALU ops over the ALU queues
//   sxm       SXM: ops over the SXM queues
//   path      the critical path: the longest dependency chain, every op at its
//             minimum latency (READ + nearest floorplan distance + op latency +
//             distance + WRITE, the scheduler's tables)
//   c2c       chip-to-chip transfers (the compiler emits none yet: 0)
// The bound is the largest term. Every term includes the program-length
// rules of docs/timing.md (the superlane stagger), so a tight schedule meets it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/compiler/ir.hpp"
#include "firmware/compiler/lower.hpp"

namespace tsp::compiler {

struct BoundTerm {
  std::string name;  // install mxm mem vxm sxm path c2c
  uint64_t cycles = 0;
  std::string how;  // the figures it came from, for reports
};

struct Bound {
  std::vector<BoundTerm> terms;  // in the order above
  uint64_t cycles = 0;           // the largest term
  std::string binding;           // its name
  uint64_t term(std::string_view name) const;
  // "bound 1234 cycles (path), achieved/bound 1.25"
  std::string summary(uint64_t achieved) const;
  // "bound terms:  install 311  mxm 164 ..."
  std::string terms_line() const;
};

// The bound of a lowered graph (lower.hpp) on `cfg`.
Bound lower_bound(const Graph& expanded, const Lowered& low, const isa::Config& cfg);
// Expands and lowers `source` (no placement or schedule) and bounds it: the
// bound of a graph too large to compile, such as one chip's share of a big layer.
Bound bound_only(const Graph& source, const isa::Config& cfg);

}  // namespace tsp::compiler
