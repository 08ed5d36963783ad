#pragma once
// The collectives of the system compiler, scheduled on every chip at once.
// An AllGather (lower.hpp) moves each vector of each chip's block, plane by
// plane: a READ of the block whose value passes the chip's C2C edges, a SEND
// on the port to each other chip when it passes, and on each receiver a RECV
// in the cycle the frame lands (SEND + the link's hop: exact clocks) whose
// value is written where the gathered tensor keeps that block. A sender's
// port holds its transmitter for a frame (Item::tx). The sender's and every
// receiver's chain share one anchor (Scheduler::schedule_together), so each
// RECV sits at its frame's arrival by construction.
#include <vector>

#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/tensor_parallel.hpp"

namespace tsp::compiler {

// Kernel `ki` of every chip (the same AllGather on each, chip c's block at index c).
void schedule_all_gather(const std::vector<ChipCompile*>& chips, size_t ki,
                         const std::vector<std::vector<DirectLink>>& links, const isa::Config& cfg);

}  // namespace tsp::compiler
