#pragma once
// Cosim adapter of the SXM: each SXM queue is mirrored by one RTL array of
// superlane tiles (rtl/sxm/tsp_sxm_array.sv, sized for the largest
// configuration), and an instruction issued at t is presented to superlane k's
// tile in cycle t + k, the chip's superlane stagger. Every tile's output lanes
// are compared with the model's, stream by stream, at the model's cycle plus
// k: data and latency per superlane and lane.
// Ops that cross superlanes (SHIFTUP/SHIFTDN, PERMUTE, ROTATE) read the whole
// source vector through each tile's crossbar port; each tile still produces
// only its own lanes, so every superlane and lane is checked by its own tile.
// Covered: SHIFTUP, SHIFTDN, SELECT, PERMUTE, DISTRIBUTE, ROTATE, TRANSPOSE.
#include <memory>

#include "tb/cosim/rtl_unit.hpp"

namespace tsp::cosim {

// planted: the RTL built with TSP_PLANT_BUG_SXM (TRANSPOSE swaps lanes 14 and 15).
std::unique_ptr<RtlUnit> make_rtl_sxm(bool planted = false);

}  // namespace tsp::cosim
