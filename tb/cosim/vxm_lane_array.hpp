#pragma once
// The VXM ALUs of one VXM queue across the chip (superlanes x lanes ALUs; the
// instruction travels north one superlane per cycle, so superlane k executes
// an instruction issued at t at t + k), built from Verilated lane ALUs
// (rtl/vxm/tsp_vxm_alu.sv) with the northward instruction registers in C++:
// Verilator 5.006 emits code per instance for the ALU's datapath, so a
// Verilated 32-lane array does not build in CI time, while one compiled ALU
// serves any number of lanes. This is the VXM's only statement of that
// wiring: the SystemVerilog array and superlane that restated it were never
// simulated and were removed (docs/coverage.md, "Lint-only RTL").
// Per cycle: issue() and operand() set the inputs, settle() evaluates, done()
// and result() read what shows this cycle, clock() is the rising edge.
//
// Speed (docs/cosim.md "Speed"): a Verilated model runs its whole
// combinational datapath (every op's, EXP/RSQRT/TANH included) at every
// eval(), whatever changed. So only superlanes with work are evaluated: one
// with an instruction this cycle or a result still in its pipeline (an idle
// ALU's pipeline holds nothing valid, and a clock edge with valid_i low would
// leave it so). And unless a wave records the array, each ALU is evaluated
// once per cycle, at the rising edge: its outputs are registers (done_o,
// res_o), so the clock-low evaluation only re-derived the same datapath; the
// edge is armed by clearing the model's record of the clock's last value
// (rtl_clock.hpp).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tb/cosim/rtl_clock.hpp"
#include "tsp/isa_gen.hpp"
#include "verilated.h"

class VerilatedFstC;

namespace tsp::cosim {

// The deepest VXM pipeline, as the RTL derives it (tsp_isa_pkg::VxmMaxLatency).
constexpr unsigned vxm_max_latency() {
  unsigned m = 0;
  for (const auto& d : isa::kOps)
    if (d.unit == isa::Unit::VXM) m = std::max<unsigned>(m, d.latency);
  return m;
}

struct VxmInstr {
  bool valid = false;
  uint8_t op = 0, type = 0, from = 0, shamt = 0;
};

template <class Alu>
class VxmLaneArray {
 public:
  static constexpr unsigned kMaxLat = vxm_max_latency();

  // `ctx`: shared by every model that traces into one FST (Verilator requires it).
  VxmLaneArray(VerilatedContext& ctx, unsigned superlanes, unsigned lanes, const std::string& name)
      : superlanes_(superlanes), lanes_(lanes), north_(superlanes), drain_(superlanes, 0), active_(superlanes, 0) {
    ctx.traceEverOn(true);
    for (unsigned k = 0; k < superlanes; ++k)
      for (unsigned l = 0; l < lanes; ++l) {
        names_.push_back(name + "_sl" + std::to_string(k) + "_l" + std::to_string(l));
        auto m = std::make_unique<Alu>(&ctx, names_.back().c_str());
        m->clk_i = 0;
        m->rst_ni = 0;
        m->eval();
        m->rst_ni = 1;
        m->eval();
        alus_.push_back(std::move(m));
      }
  }
  ~VxmLaneArray() {
    for (auto& m : alus_) m->final();
  }
  unsigned superlanes() const { return superlanes_; }
  unsigned lanes() const { return lanes_; }
  const char* model_name() const { return alus_.front()->modelName(); }  // which variant (rtl_coverage.hpp)

  // The instruction superlane 0 executes this cycle.
  void issue(const VxmInstr& in) { north_[0] = in; }
  // Superlane k's operands of lane l this cycle (the lane's stream-group bytes, LSB first).
  void operand(unsigned k, unsigned l, uint32_t a, uint32_t b, uint32_t c) {
    Alu& m = alu(k, l);
    m.a_i = a;
    m.b_i = b;
    m.c_i = c;
  }
  void settle() {
    for (unsigned k = 0; k < superlanes_; ++k) {
      const VxmInstr& in = north_[k];
      active_[k] = exact_ || in.valid || drain_[k] > 0;
      if (!active_[k]) continue;
      for (unsigned l = 0; l < lanes_; ++l) {
        Alu& m = alu(k, l);
        m.valid_i = in.valid;
        m.op_i = in.op;
        m.type_i = in.type;
        m.from_i = in.from;
        m.shamt_i = in.shamt;
        clock_low(m, exact_);
      }
    }
  }
  // Superlane k has work this cycle (an instruction, or a result in flight).
  bool active(unsigned k) const { return active_[k]; }
  // Lane l of superlane k shows, on stage s (1..kMaxLat), the result of the
  // op it was given s cycles ago.
  bool done(unsigned k, unsigned l, unsigned s) const { return (alu(k, l).done_o >> (s - 1)) & 1u; }
  bool any_done(unsigned k) const {
    for (unsigned l = 0; l < lanes_; ++l)
      if (alu(k, l).done_o) return true;
    return false;
  }
  uint32_t result(unsigned k, unsigned l, unsigned s) const { return alu(k, l).res_o[s - 1]; }
  // Rising edge: every ALU with work clocks, the instruction moves one superlane north.
  void clock() {
    for (unsigned k = 0; k < superlanes_; ++k) {
      if (!active_[k]) continue;
      for (unsigned l = 0; l < lanes_; ++l) {
        Alu& m = alu(k, l);
        m.clk_i = 1;
        m.eval();
      }
      ++evaluated_;
      drain_[k] = north_[k].valid ? kMaxLat : drain_[k] - (drain_[k] > 0);
    }
    for (unsigned k = superlanes_ - 1; k > 0; --k) north_[k] = north_[k - 1];
    north_[0] = VxmInstr{};
  }
  // Superlane cycles evaluated so far (each: `lanes` ALUs clocked).
  uint64_t evaluated() const { return evaluated_; }
  // Registers superlane k's ALUs (one model per lane) with `fst`.
  void trace(VerilatedFstC& fst, unsigned k) {
    exact_ = true;  // every ALU, both clock phases: what the wave shows is what the RTL does
    for (unsigned l = 0; l < lanes_; ++l) alu(k, l).trace(&fst, 99);
  }
  // The FST scope of lane l of superlane k.
  std::string scope(unsigned k, unsigned l) const { return names_[size_t(k) * lanes_ + l]; }

 private:
  Alu& alu(unsigned k, unsigned l) { return *alus_[size_t(k) * lanes_ + l]; }
  const Alu& alu(unsigned k, unsigned l) const { return *alus_[size_t(k) * lanes_ + l]; }

  unsigned superlanes_, lanes_;
  std::vector<std::unique_ptr<Alu>> alus_;
  std::vector<std::string> names_;
  std::vector<VxmInstr> north_;  // north_[k]: the instruction superlane k executes this cycle
  std::vector<unsigned> drain_;  // cycles superlane k's pipeline still holds a result for
  std::vector<uint8_t> active_;  // superlane k evaluated this cycle
  bool exact_ = false;           // a wave records the array: every ALU, both phases, every cycle
  uint64_t evaluated_ = 0;
};

}  // namespace tsp::cosim
