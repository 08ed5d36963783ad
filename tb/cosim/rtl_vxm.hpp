#pragma once
// Cosim adapter of the VXM RTL (rtl/vxm/tsp_vxm_alu.sv): one lane-ALU
// array per VXM queue, all clocked together in chip cycles (idle stretches are
// skipped). Each VXM instruction the model executed is presented to its
// queue's array at its issue cycle t; superlane k gets its 16 lanes of every
// input stream at t + k, as the instruction travels north; every lane's result
// must show at the model's result cycle + k with the model's bytes. Any
// configuration: the arrays are built from Verilated lane ALUs
// (tb/cosim/vxm_lane_array.hpp).
#include <memory>

#include "tb/cosim/rtl_units.hpp"

namespace tsp::cosim {

// ctx.planted: drive the RTL built with TSP_PLANT_BUG_VXM (for the self-test);
// ctx.focus: the queue and superlane whose ALUs trace() records.
std::unique_ptr<RtlUnit> make_rtl_vxm(const UnitContext& ctx);

}  // namespace tsp::cosim
