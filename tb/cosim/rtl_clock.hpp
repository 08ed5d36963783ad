#pragma once
// One evaluation per clock cycle for Verilated models whose outputs are all
// registers (the VXM lane ALU, the MXM supercell).
//
// A Verilated model (Verilator 5.006) runs its input-driven combinational
// logic at every eval(), whatever changed: clocking it the usual way (clock
// low, eval; clock high, eval) derives its whole datapath twice per cycle.
// When every output is a register, the clock-low evaluation shows nothing
// new: the outputs still hold what the last rising edge stored. So
// clock_low() only lowers the clock input and clears the model's record of
// the clock's last value (the generated `__Vtrigrprev__TOP__clk_i`, which
// Verilator compares to detect an edge); the next eval() with the clock high
// sees the rising edge and derives the datapath once, from the inputs set
// for this cycle. Waves need the low phase's sample: `exact` evaluates it.
// A model without that member (another Verilator) falls back to the eval().
// The cosim regressions and planted-bug tests compare every output in value
// and cycle, so a missed edge shows as a divergence, never as a pass.
namespace tsp::cosim {

template <class M>
constexpr bool kFastClock = requires(M& m) { m.rootp->__Vtrigrprev__TOP__clk_i; };

template <class M>
void clock_low(M& m, bool exact) {
  m.clk_i = 0;
  if constexpr (kFastClock<M>) {
    if (!exact) {
      m.rootp->__Vtrigrprev__TOP__clk_i = 0;
      return;
    }
  }
  m.eval();
}

}  // namespace tsp::cosim
