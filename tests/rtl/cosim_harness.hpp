#pragma once
// Runs an image on the model with an RtlUnit checking one unit: an observer
// forwards each of that unit's instructions (model::UnitOp) to the adapter, as
// `tsp cosim` does, and keeps the first divergence.
#include <gtest/gtest.h>

#include <optional>

#include "firmware/image/image.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "tb/cosim/rtl_unit.hpp"

namespace tsp::test {

struct CosimRun {
  std::optional<cosim::Divergence> first;
  uint64_t ops = 0;
};

class ForwardUnitOps final : public model::Observer {
 public:
  ForwardUnitOps(cosim::RtlUnit& rtl, const isa::Config& cfg, isa::Unit unit) : rtl_(rtl), cfg_(cfg), unit_(unit) {}
  bool wants_unit_ops() const override { return true; }
  void on_unit_op(const model::UnitOp& op) override {
    if (cfg_.queue_table[op.queue].unit != unit_) return;
    ++run.ops;
    std::optional<cosim::Divergence> d;
    if (late_by && op.in.op == late_op) {  // a model whose result comes later than the RTL's
      model::UnitOp late = op;
      for (auto& o : late.outputs) o.at += late_by;
      d = rtl_.check(late);
    } else {
      d = rtl_.check(op);
    }
    if (d && !run.first) run.first = d;
  }
  CosimRun run;
  // Tests of the timing check: shift the model's result cycle of every `late_op` by `late_by`.
  isa::Op late_op = isa::Op::NOP;
  uint64_t late_by = 0;

 private:
  cosim::RtlUnit& rtl_;
  const isa::Config& cfg_;
  isa::Unit unit_;
};

inline CosimRun cosim_run(const image::Image& img, cosim::RtlUnit& rtl, isa::Unit unit, isa::Op late_op = isa::Op::NOP,
                          uint64_t late_by = 0) {
  model::ChipEngine e(img, 0);
  rtl.start(e);
  ForwardUnitOps fwd(rtl, e.config(), unit);
  fwd.late_op = late_op;
  fwd.late_by = late_by;
  e.set_observer(&fwd);
  EXPECT_TRUE(e.run_until(~0ull));
  if (auto d = rtl.finish(); d && !fwd.run.first) fwd.run.first = d;
  return fwd.run;
}

inline std::string describe(const std::optional<cosim::Divergence>& d) {
  if (!d) return "no divergence";
  return d->what + " at cycle " + std::to_string(d->cycle) + " superlane " + std::to_string(d->superlane) + " lane " +
         std::to_string(d->lane) + " " + d->stream + ": expected " + d->expected + ", actual " + d->actual;
}

}  // namespace tsp::test
