#include "tests/support/planted_bugs.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

namespace tsp::compiler {
namespace {

bool has(const Chain& c, bool (*pred)(const Item&)) { return std::any_of(c.items.begin(), c.items.end(), pred); }
bool is_vxm(const Chain& c) {
  return has(c, [](const Item& i) { return i.any_vxm; });
}
// A Permute kernel names its SXM queues; a vector program lets the scheduler pick one.
bool is_permute(const Chain& c) {
  return has(c, [](const Item& i) { return i.instr.op == isa::Op::PERMUTE && i.any_sxm < 0; });
}
bool is_vec(const Chain& c) {
  return has(c, [](const Item& i) { return i.any_sxm >= 0; });
}

void skew_writes(Chain& c) {
  for (Item& i : c.items)
    if (i.instr.op == isa::Op::WRITE) i.skew = 1;
}

// Every byte plane of the first operand read as a row broadcast (stride 0) strides 1 instead.
bool stride_broadcast_row(Chain& c) {
  const auto row = std::find_if(c.items.begin(), c.items.end(), [](const Item& i) {
    return i.instr.op == isa::Op::READ && i.count > 1 && i.stride == 0;
  });
  if (row == c.items.end()) return false;
  const size_t flow = row->streams.at(0).flow;
  for (Item& i : c.items)
    if (i.instr.op == isa::Op::READ && i.streams.at(0).flow == flow) i.stride = i.mem->stride = 1;
  return true;
}

// The second ALU of a fused chain (fuse.hpp) issues one cycle after its
// operand passed the VXM. Returns whether the chain was a fused one.
bool late_fused_alu(Chain& c) {
  int alus = 0;
  for (Item& i : c.items)
    if (i.any_vxm && ++alus == 2) {
      ++i.offset;
      return true;
    }
  return false;
}

void late_write(Chain& c) {
  for (Item& i : c.items)
    if (i.instr.op == isa::Op::WRITE) ++i.offset, ++i.mem->c0;
}

}  // namespace

std::function<void(Chain&)> planted_bug(int n) {
  auto done = std::make_shared<bool>(false);  // each bug hits the first chain it fits, once
  switch (n) {
    case 1:
      return [done](Chain& c) {
        if (!*done && is_vxm(c)) skew_writes(c), *done = true;
      };
    case 2:
      return [done](Chain& c) {
        if (!*done && is_permute(c)) skew_writes(c), *done = true;
      };
    case 3:
      return [done](Chain& c) {
        if (!*done && is_vxm(c)) *done = stride_broadcast_row(c);
      };
    case 4:
      return [done](Chain& c) {
        if (!*done && is_vec(c)) late_write(c), *done = true;
      };
    case 5:
      return [](Chain& c) { c.write_floor = kNoFloor; };
    case 6:
      return [done](Chain& c) {
        if (!*done) *done = late_fused_alu(c);
      };
    default:
      throw std::invalid_argument("planted_bug: no bug " + std::to_string(n) + " (1 to " +
                                  std::to_string(kPlantedBugs) + ")");
  }
}

std::function<void(Chain&)> planted_recv(int cycles, std::string chain) {
  auto done = std::make_shared<bool>(false);
  return [done, cycles, chain](Chain& c) {
    if (c.what.rfind(chain, 0) != 0) return;
    for (Item& i : c.items)
      if (!*done && i.instr.op == isa::Op::RECV) i.skew = cycles, *done = true;
  };
}

std::function<void(Bound&)> planted_bound(uint64_t extra) {
  return [extra](Bound& b) {
    b.cycles += extra;
    for (BoundTerm& t : b.terms)
      if (t.name == b.binding) t.cycles += extra;
  };
}

}  // namespace tsp::compiler
