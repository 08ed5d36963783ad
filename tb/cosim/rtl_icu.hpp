#pragma once
// The ICU's cosim adapter: one Verilated queue sequencer (rtl/icu/tsp_icu_queue.sv)
// for each queue the image gives a program, loaded from the chip at start(),
// clocked in lock-step in chip cycles and compared issue by issue with the
// model's queues (check_issue: cycle, instruction index and the effective
// word, a repetition's strided field advanced). A SYNC-parked sequencer is
// released in the cycle after the model's NOTIFY. finish() checks that no
// sequencer issues anything more and that each one is done exactly when the
// model's queue ends (ChipEngine::queue_end). Every ICU divergence has what
// "issue", "notify" or "done", the queue and port in `stream`, and the
// instruction index and word (or the end cycle) in hex; one the RTL issued on
// another queue than the model's current one names that instruction in `op`.
// Registered in rtl_units.cpp as "icu" (make_rtl_icu).
#include <memory>

#include "tb/cosim/rtl_adapter.hpp"
#include "tb/cosim/rtl_units.hpp"

namespace tsp::cosim {

class RtlIcu final : public RtlAdapter {
 public:
  // ctx.planted: the sequencer built with TSP_PLANT_BUG_ICU (REPEAT's stride
  // applied k-1 times); ctx.focus: the queue whose sequencer trace() records.
  explicit RtlIcu(const UnitContext& ctx);
  ~RtlIcu() override;
  std::string_view name() const override { return "icu"; }
  // Keeps `chip` for finish(): it must outlive this adapter's last call.
  void start(const model::ChipEngine& chip) override;
  std::optional<Divergence> check(const model::UnitOp&) override { return std::nullopt; }
  std::optional<Divergence> check_issue(uint16_t queue, uint32_t index, model::Cycle t, const isa::Instr& in) override;
  std::optional<Divergence> finish() override;
  std::vector<WaveGroup> wave_groups() const override;

 private:
  // After start(): registers the focus queue's sequencer (every one without a
  // focus; scope: the queue's name, dots as underscores).
  void trace_rtl(VerilatedFstC& fst) override;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tsp::cosim
