#pragma once
// The cosim "unit" interface: one small abstract class that every Verilated
// RTL unit adapter implements (tb/cosim/rtl_<unit>.cpp). The model's side of
// the same seam is model::UnitOp (systemc/engine/observer.hpp): for each unit
// instruction the engine publishes the operands it read and the results it
// produced; the checker hands that op to the adapter of the unit that owns
// the queue, which drives its RTL with the same instruction and operands and
// reports the first difference in data or timing. docs/cosim.md has the
// contract, the call order and a worked example.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "systemc/engine/chip_engine.hpp"
#include "systemc/engine/observer.hpp"

class VerilatedFstC;

namespace tsp::cosim {

// An instruction as the checker names it in reports (a UnitOp's identity).
struct OpRef {
  uint16_t queue = 0;
  uint32_t index = 0;
  model::Cycle t = 0;
  isa::Instr in;
};

// The first place where RTL and model disagree.
struct Divergence {
  std::string what;        // "result", "latency", "read data", "issue", ... named after the ISA field or port
  model::Cycle cycle = 0;  // chip cycle at which the difference shows
  uint32_t superlane = 0;
  uint32_t lane = 0;     // within the superlane (0..15)
  std::string stream;    // the stream (or port) compared, e.g. "E5"; empty when not a stream
  std::string expected;  // the model's value, hex
  std::string actual;    // the RTL's value, hex
  // The instruction that diverged, when a unit compares a result after the
  // check() of its op returned (pipelined results, finish()); empty: the op
  // being checked.
  std::optional<OpRef> op;
};

// A divergence on stream `s`, for an op's result compared after its check() (`op`) or during it (nullptr).
inline Divergence stream_divergence(std::string what, model::Cycle cycle, uint32_t superlane, uint32_t lane,
                                    isa::StreamRef s, std::string expected, std::string actual, const OpRef* op) {
  return Divergence{std::move(what),     cycle,
                    superlane,           lane,
                    isa::stream_name(s), std::move(expected),
                    std::move(actual),   op ? std::optional<OpRef>(*op) : std::nullopt};
}

class RtlUnit {
 public:
  virtual ~RtlUnit() = default;
  // The name used by `tsp cosim --rtl` ("vxm", "mxm", "sxm", "mem", "icu").
  virtual std::string_view name() const = 0;
  // Called once after the image is loaded into `chip` and before it runs:
  // size the RTL for the chip's configuration and preload state the program
  // does not write itself (SRAM segments, for MEM).
  virtual void start(const model::ChipEngine& chip) = 0;
  // Called for every instruction issued by a queue of this unit, in issue
  // order, once the model has executed it. Drives the RTL with `op.in` and
  // `op.inputs` in chip-cycle time (the RTL clock counts chip cycles: idle
  // stretches may be skipped) and compares what the RTL produces, data and
  // cycle, with `op.outputs`. Returns the first difference, or nothing.
  virtual std::optional<Divergence> check(const model::UnitOp& op) = 0;
  // A queue issued instruction `index` at `t` (model::Observer::on_issue):
  // called on every chosen unit for every issue of every queue, ICU and unit
  // instructions alike, before that instruction's check(). The ICU uses it.
  virtual std::optional<Divergence> check_issue(uint16_t /*queue*/, uint32_t /*index*/, model::Cycle /*t*/,
                                                const isa::Instr& /*in*/) {
    return std::nullopt;
  }
  // Called at the end of a run that did not diverge (and at the end of a wave
  // re-run, whose divergences are ignored): results still in the RTL's
  // pipeline are compared here (they must have been produced by the cycle the
  // model says), and whole-run counters.
  virtual std::optional<Divergence> finish() { return std::nullopt; }
  // Waves: called at most once, after start() and before the first check(),
  // when a wave is asked for; the caller opens `fst` afterwards. Register the
  // RTL (ports and pipeline registers; for a unit with several instances, the
  // one serving UnitContext::focus) with `fst` and dump every RTL cycle from
  // `from` to `to` (chip cycles, inclusive; idle cycles in between included) at
  // time waves::cycle_ps(cfg, cycle) (clock low, the cycle's inputs applied)
  // and half a cycle later (after the rising edge), timescale 1 ps (the
  // VerilatedContext's timeunit and timeprecision -12). finish() dumps up to
  // `to`. The name given to the Verilated model's constructor is its FST scope.
  virtual void trace(VerilatedFstC& fst, model::Cycle from, model::Cycle to) = 0;
  // Signal groups for the .gtkw of that wave: group name ("ports", "pipeline")
  // and the full FST names of its signals (e.g. "MEM_W_1_sl0.rd_en_i",
  // "MEM_W_1_sl0.tsp_mem_word.valid_q[1:0]").
  struct WaveGroup {
    std::string name;
    std::vector<std::string> signals;
  };
  virtual std::vector<WaveGroup> wave_groups() const { return {}; }
  // RTL clock cycles evaluated and values compared so far (for the summary).
  virtual uint64_t rtl_cycles() const = 0;
  virtual uint64_t values_checked() const = 0;
  // What was compared, by kind (e.g. {"write words", 12}), and what was not
  // (empty: nothing skipped), for the summary; a unit that gives neither prints
  // only its values.
  struct Count {
    std::string what;
    uint64_t n = 0;
  };
  virtual std::vector<Count> compared() const { return {}; }
  virtual std::vector<Count> skipped() const { return {}; }
};

}  // namespace tsp::cosim
