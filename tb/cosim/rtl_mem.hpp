#pragma once
// The MEM unit's cosim adapter: rtl/mem/tsp_mem_word.sv (one superlane's
// 16-byte words of one slice) Verilated, one instance per (slice, superlane)
// the program touches, created on first use (so tsp1's 88 x 20 fit: untouched
// ones cost nothing) and preloaded through the backdoor with the image's SRAM
// segments. Superlane k of an access issued at t runs on its instance at
// SRAM cycle + k, the chip's stagger, so every instance counts chip cycles.
//
// Mirrored per instance: READ, WRITE, GATHER, SCATTER at their SRAM cycle
// (UnitOp::Sram::at + k) with the addresses and write data of the op; checked:
// every read word, lane by lane, on the cycle the model puts it on its stream
// (UnitOp::Output::at + k), no bank conflict where the model saw none, no
// uncorrectable word where the model read one, and at the end the number of
// corrected single-bit errors. Injected flips go to both, at the same place
// in the instruction order as the model applies them (docs/cosim.md).
#include <memory>

#include "tb/cosim/rtl_units.hpp"

namespace tsp::cosim {

// ctx.planted selects the variant built with TSP_PLANT_BUG_MEM.
std::unique_ptr<RtlUnit> make_rtl_mem(const UnitContext& ctx);

}  // namespace tsp::cosim
