#pragma once
// The collectives of the system compiler, scheduled on every chip at once, as
// transfers of one vector of one byte plane: a READ on the sender whose value
// passes its C2C edges, a SEND on the port to each receiver when it passes,
// and on each receiver a RECV in the cycle the frame lands (SEND + the link's
// hop: exact clocks) whose value is written where the result keeps it. A
// SEND holds its port's transmitter for a frame (Item::tx). The sender's and
// every receiver's chain share one anchor (Scheduler::schedule_together), so
// each RECV sits at its frame's arrival by construction. A chip's own block is
// a READ into a WRITE on that chip.
//   AllGather: each vector of each chip's block goes to every other chip.
//   Exchange of shift r: each chip s sends its x's block s + r to chip s + r
//   (every chip to a different peer, over P links at once; r = 0: a copy).
//   Handoff: a whole tensor from a chip of an earlier pipeline stage over the
//   link between the nodes to one chip of this stage, which writes it and
//   forwards it from its stream to the others (RECV straight into SENDs).
#include <vector>

#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/tensor_parallel.hpp"

namespace tsp::compiler {

// Kernel ki[c] of every chip c: the same collective on each (chip c's block
// is its own), at the kernel where each chip's graph reaches it.
void schedule_collective(const std::vector<ChipCompile*>& chips, const std::vector<size_t>& ki,
                         const std::vector<std::vector<DirectLink>>& links, const isa::Config& cfg);

// A Handoff (kernel ki[c] of every chip c of a stage): tensor x of `sender`,
// a chip of an earlier stage, over link `in` to chips[gateway], which writes
// each vector and sends it on to the stage's other chips (links among them).
void schedule_handoff(ChipCompile& sender, TensorId x, const DirectLink& in, const std::vector<ChipCompile*>& chips,
                      const std::vector<size_t>& ki, uint32_t gateway,
                      const std::vector<std::vector<DirectLink>>& links, const isa::Config& cfg);

}  // namespace tsp::compiler
