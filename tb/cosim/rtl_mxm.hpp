#pragma once
// Cosim adapter of the MXM: every plane the program uses is mirrored by a
// grid of RTL supercells (rtl/mxm/tsp_mxm_cell.sv), one per (K block, N block)
// of lanes_per_superlane lanes, so an ABC runs through the real MAC tiles over
// the whole plane, chained along K in increasing block order, and lands in the
// RTL's accumulator slots at the end of each N column. Block (kb, nb) sees
// every instruction kb + nb cycles after issue (the systolic skew): output
// block nb is superlane nb and emits at ACC issue + LatAcc + nb, which is the
// model's superlane stagger, so ACC results are compared in data and cycle
// per superlane and lane.
// Plane latency vs tile latency: each tile adds one cycle, so an ABC issued at
// t is in its slot after the edge ending t + kblocks; an ACC samples its slot
// kblocks + 1 cycles after issue (the model's ABC latency 0: it sees every ABC
// issued up to its own cycle) and emits at LatAcc, which therefore must be at
// least kblocks + 2 (tsp1: 20 + 2 <= 24); start() refuses a configuration
// where it is not.
// Covered: i8/u8 and f16/bf16 weights and activations (any mix the model
// accepts), set/add slots, ACC as i32 or f32 of either kind of slot (the RTL
// converts on the way out): every ACC is compared in data and cycle, and
// every MXM instruction counts as compared in data and timing (LW, IW and ABC
// through the ACCs that read what they made). An ACC and an ABC of the same
// slot in one cycle is a model error (their order is not defined); of
// different slots they are independent.
// docs/rtl-mxm-sxm.md has the whole scheme.
// Waves: trace() adds every cell of every plane to the FST (scopes
// mxm_p<plane>_k<kblock>_n<nblock>), one dump per RTL cycle at the chip cycle.
// Several units tracing into one file must dump in non-decreasing time: each
// adapter dumps as it advances, so a checker that traces two units should
// advance them in step (they all use Verilator's default context).
#include <memory>

#include "tb/cosim/rtl_unit.hpp"

namespace tsp::cosim {

// planted: the RTL built with TSP_PLANT_BUG_MXM (weights installed one cycle early, and f32
// sums rounding ties away from zero: a float program's ABCs long after their IW show only the latter).
std::unique_ptr<RtlUnit> make_rtl_mxm(bool planted = false);

}  // namespace tsp::cosim
