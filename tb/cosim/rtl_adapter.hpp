#pragma once
// The half every RTL adapter shares (tb/cosim/rtl_<unit>.cpp), under the
// RtlUnit interface (rtl_unit.hpp), so that each adapter keeps only what is
// particular to its unit: how it drives its RTL and what it compares.
//
//   context     the VerilatedContext its models live in: one per adapter,
//               picoseconds, tracing allowed (new_context()).
//   clock       run_until(): evaluates the RTL one chip cycle at a time and
//               skips idle stretches outside the wave window.
//   waves       trace() keeps the window [from, to] and calls trace_rtl();
//               dump_low()/dump_high() write a cycle's two FST samples.
//   divergence  the first one is kept (diverge(), take_divergence()); later
//               ones are dropped, so a wave re-run reports nothing new.
//   summary     rtl_cycles(), values_checked(), check_counts() from cycles_,
//               checked_ and checks_ (each check() counts its instruction).
//
// Worked example (the SXM adapter): start() calls new_context() and builds
// its tiles on it; check(op) calls run_until(op.t, busy, drive, edge), where
// drive(c) applies cycle c's inputs with the clock low and compares the
// outputs (diverge() on a difference) and edge(c) raises the clock; then it
// queues op's inputs and expectations and returns take_divergence().
#include <verilated.h>
#include <verilated_fst_c.h>

#include <memory>
#include <optional>

#include "systemc/waves/wave_layout.hpp"
#include "tb/cosim/rtl_coverage.hpp"
#include "tb/cosim/rtl_unit.hpp"

namespace tsp::cosim {

class RtlAdapter : public RtlUnit {
 public:
  void trace(VerilatedFstC& fst, model::Cycle from, model::Cycle to) final {
    fst_ = &fst;
    trace_from_ = from;
    trace_to_ = to;
    trace_rtl(fst);
  }
  uint64_t rtl_cycles() const final { return cycles_; }
  uint64_t values_checked() const final { return checked_; }
  CheckCounts check_counts() const final { return checks_; }
  void save_coverage() final {
    if (context_) cosim::save_coverage(*context_, name(), "");
  }

 protected:
  // Registers the RTL with `fst` (RtlUnit::trace: ports and registers of the
  // instance(s) the wave shows); the window is already set.
  virtual void trace_rtl(VerilatedFstC& fst) = 0;

  // A fresh context for the adapter's models. Destroy the models of the old
  // one first: Verilator hangs constructing a model after the context of an
  // earlier one went away while it lived (/work/shared/toolchain.md).
  VerilatedContext& new_context() {
    context_ = std::make_unique<VerilatedContext>();
    context_->timeunit(-12);
    context_->timeprecision(-12);
    context_->traceEverOn(true);
    return *context_;
  }
  VerilatedContext* context() const { return context_.get(); }

  // Chip cycles the wave records (inclusive), when a wave was asked for.
  bool tracing() const { return fst_ != nullptr; }
  bool in_window(model::Cycle c) const { return fst_ && c >= trace_from_ && c <= trace_to_; }
  model::Cycle trace_from() const { return trace_from_; }
  model::Cycle trace_to() const { return trace_to_; }
  // Cycle c's two samples: inputs applied with the clock low (at the cycle's
  // start), and after the rising edge (mid-cycle). Nothing outside the window.
  void dump_low(model::Cycle c) const {
    if (in_window(c)) fst_->dump(waves::cycle_ps(*cfg_, c));
  }
  void dump_high(model::Cycle c) const {
    if (in_window(c)) fst_->dump((waves::cycle_ps(*cfg_, c) + waves::cycle_ps(*cfg_, c + 1)) / 2);
  }
  // Where an idle stretch from `now` towards `t` ends: t, or the wave window's start.
  model::Cycle idle_until(model::Cycle now, model::Cycle t) const {
    return fst_ && now < trace_from_ ? std::min(t, trace_from_) : t;
  }

  // Evaluates cycles now_ .. t-1: drive(c) applies cycle c's inputs with the
  // clock low and compares outputs, edge(c) raises the clock. Cycles where
  // busy() is false and no wave is recorded are skipped. `stop`: return after
  // the cycle in which the first divergence showed.
  enum class AtDivergence : bool { go_on, stop };
  template <class Busy, class Drive, class Edge>
  void run_until(model::Cycle t, Busy busy, Drive drive, Edge edge, AtDivergence at = AtDivergence::go_on) {
    while (now_ < t && !(at == AtDivergence::stop && diverged())) {
      if (!busy() && !in_window(now_)) {
        now_ = idle_until(now_, t);
        continue;
      }
      drive(now_);
      dump_low(now_);
      edge(now_);
      dump_high(now_);
      ++now_;
    }
  }

  // Keeps the first divergence of the run.
  void diverge(Divergence d) {
    if (reported_) return;
    reported_ = true;
    first_ = std::move(d);
  }
  // The divergence found since the last call, if any (then nothing more is reported).
  std::optional<Divergence> take_divergence() { return std::exchange(first_, std::nullopt); }
  bool diverged() const { return first_.has_value(); }

  const isa::Config* cfg_ = nullptr;  // set by start()
  model::Cycle now_ = 0;              // the next cycle run_until() evaluates
  uint64_t cycles_ = 0;               // RTL clock cycles evaluated, summed over models
  uint64_t checked_ = 0;              // values compared
  CheckCounts checks_;             // instructions by how they were checked (RtlUnit::check_counts)

 private:
  std::unique_ptr<VerilatedContext> context_;  // a base member: outlives the adapter's models
  VerilatedFstC* fst_ = nullptr;
  model::Cycle trace_from_ = 0, trace_to_ = 0;
  std::optional<Divergence> first_;
  bool reported_ = false;
};

}  // namespace tsp::cosim
