#pragma once
// Gather (axis 0) with indices known only at run time: out[i, ...] =
// data[idx[i], ...]. Every index selects whole vectors (VPI = the data's
// vectors per index), so the work is addressing, which the MEM's GATHER takes
// from a stream at run time: one address per superlane, in lane 0 of each.
// Expansion, all on the chip:
//   c = min(max(idx, 0), N - 1)        out-of-range indices are clamped (VXM);
//                                      indices known at compile time must be in range
//   b = c * VPI + base                 base: the data's SRAM address, a constant
//                                      filled in after placement
//   p = PERMUTE(b, lane i to every lane) for each of the M * VPI output vectors (SXM)
//   map = p + (k mod VPI)              vector k's address in every lane (VXM, i16)
//   y = GatherRows(data, map)          one GATHER per output vector and byte plane
// A gathered vector is a whole data vector, padding included, so gathered
// MatMul weights keep the zero padding of the data they come from.
#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

TensorId expand_gather(Graph& out, TensorId data, TensorId idx, const std::string& name, const Where& where,
                       const isa::Config& cfg);

}  // namespace tsp::compiler
