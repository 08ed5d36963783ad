#pragma once
// Cosim adapter of the SXM: each SXM queue is mirrored by one RTL superlane
// tile (rtl/sxm/tsp_sxm_superlane.sv, a Verilated model of its own) per
// superlane of the chip, and an instruction issued at t is presented to
// superlane k's tile in cycle t + k, the chip's superlane stagger. Every
// tile's output lanes are compared with the model's, stream by stream, at the
// model's cycle plus k: data and latency per superlane and lane.
// Ops that cross superlanes (SHIFTUP/SHIFTDN, PERMUTE, ROTATE) read the whole
// source vector through each tile's crossbar port; each tile still produces
// only its own lanes, so every superlane and lane is checked by its own tile.
// (One Verilated model per superlane rather than one array of all superlanes:
// Verilator specialises every instance of a top's submodules and an array of
// 20 compiled to 20 MB of C++; one tile is 1.4 MB and is shared.)
// Covered: SHIFTUP, SHIFTDN, SELECT, PERMUTE, DISTRIBUTE, ROTATE, TRANSPOSE.
// docs/rtl-mxm-sxm.md has the whole scheme.
// Waves: trace() adds every tile of every SXM queue to the FST (scopes
// sxm_q<queue>_sl<superlane>), one dump per RTL cycle at the chip cycle.
#include <memory>

#include "tb/cosim/rtl_unit.hpp"

namespace tsp::cosim {

// planted: the RTL built with TSP_PLANT_BUG_SXM (TRANSPOSE swaps lanes 14 and 15).
std::unique_ptr<RtlUnit> make_rtl_sxm(bool planted = false);

}  // namespace tsp::cosim
