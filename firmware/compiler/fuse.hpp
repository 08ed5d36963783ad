#pragma once
// Elementwise fusion: VXM kernels whose results stream straight into the next
// VXM op (Lowered::stream_to) are scheduled as one chain (KernelScheduler::
// vxm_fused) when their placement allows it: every tensor the chain reads
// from SRAM, and its result, on slices of their own (their READ runs overlap
// in time, each slice has one read port) and enough streams for its flows.
// docs/compiler.md "Elementwise fusion".
#include <vector>

#include "firmware/compiler/lower.hpp"
#include "firmware/compiler/place.hpp"

namespace tsp::compiler {

// Per kernel: the fused chain that ends there (kernel indices in order, at
// least two), or empty. A kernel inside a chain (not its last) schedules nothing.
std::vector<std::vector<size_t>> plan_fusion(const Graph& g, const Lowered& low, const std::vector<Placement>& place,
                                             const isa::Config& cfg);

}  // namespace tsp::compiler
