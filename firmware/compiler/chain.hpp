#pragma once
// A chain: instructions on several queues with fixed cycle offsets from one
// anchor cycle, joined by stream flows (a READ feeding an ALU feeding WRITEs).
// Each item is a run: the instruction issued `count` times one cycle apart,
// its strided field advanced by `stride` each time (a REPEAT in the image).
// The scheduler (schedule.hpp) picks the anchor, the streams and the ALU.
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "firmware/compiler/resources.hpp"

namespace tsp::compiler {

// One byte plane of a flow: put at `producer` in cycle anchor + put, read at each of `consumers`.
struct FlowPlane {
  uint16_t producer = 0;
  Cycle put = 0;
  std::vector<uint16_t> consumers;
};

// A stream group of `planes.size()` streams carrying `n` values on consecutive
// wavefronts (values `interval` cycles apart reserve the whole span: n = span).
struct Flow {
  std::vector<FlowPlane> planes;
  uint32_t n = 1;
  // Chosen by the scheduler:
  uint8_t base = 0;
  bool west = false;
};

struct StreamField {
  size_t operand = 0;  // index into Instr::operand
  size_t flow = 0;     // the flow whose stream group this field names
  unsigned plane = 0;  // which stream of the group (a WRITE takes one plane)
};

// Index of operand `name` in `op`'s field list (throws if the op has none).
size_t field_of(isa::Op op, std::string_view name);
// An instruction with the named operands set; stream fields are set later.
isa::Instr make_instr(isa::Op op, std::initializer_list<std::pair<std::string_view, int64_t>> operands);

struct Item {
  uint16_t queue = 0;
  bool any_vxm = false;  // the scheduler picks the VXM ALU queue
  int8_t any_sxm = -1;   // >= 0: the scheduler picks an SXM queue of this hemisphere
  Cycle offset = 0;
  isa::Instr instr;
  std::vector<StreamField> streams;
  uint32_t count = 1;
  uint32_t interval = 1;  // cycles between repetitions (a float ABC occupies the array for several)
  int64_t stride = 0;
  uint64_t span() const { return 1 + uint64_t(count - 1) * interval; }  // issue slots from first to last
  std::optional<MemAccess> mem;                                         // c0 relative to the anchor
  uint32_t tx = 0;  // a SEND: cycles it holds its link's transmitter (a frame)
  Cycle skew =
      0;  // emitted this many cycles off the modelled issue cycle: set only by a test's chain hook (a planted bug)
};

// No lower bound on a cycle: before anything.
inline constexpr Cycle kNoFloor = std::numeric_limits<Cycle>::min() / 2;

struct Chain {
  std::string what;  // for reports: "add c (VXM)"
  std::vector<Item> items;
  std::vector<Flow> flows;
  Cycle earliest = 0;  // lower bound on the anchor (dependencies)
  // SRAM reuse: no WRITE's array access before this cycle (set by the
  // scheduler from Scheduler::set_write_floor before the chain hook sees it).
  Cycle write_floor = kNoFloor;
};

// A scheduled run, ready for code generation.
struct Timed {
  uint16_t queue = 0;
  Cycle t = 0;
  isa::Instr instr;
  uint32_t count = 1;
  int64_t stride = 0;
  uint32_t chain = 0;
  uint32_t interval = 1;
  uint64_t span() const { return 1 + uint64_t(count - 1) * interval; }  // index of the chain it came from
};

}  // namespace tsp::compiler
