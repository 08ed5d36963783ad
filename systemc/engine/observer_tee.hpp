#pragma once
// Two observers on one engine (an engine has one observer slot): e.g. the wave
// recorder and functional coverage of one `tsp run`. Every call goes to both,
// `first` first; unit ops are recorded when either asks for them.
#include "systemc/engine/observer.hpp"

namespace tsp::model {

class ObserverTee final : public Observer {
 public:
  ObserverTee(Observer* first, Observer* second) : a_(first), b_(second) {}
  void on_issue(uint16_t q, uint32_t i, Cycle t, const isa::Instr& in) override {
    a_->on_issue(q, i, t, in);
    b_->on_issue(q, i, t, in);
  }
  void on_stream_put(isa::StreamRef s, uint16_t pos, Cycle at, uint16_t q) override {
    a_->on_stream_put(s, pos, at, q);
    b_->on_stream_put(s, pos, at, q);
  }
  void on_sram(uint16_t slice, uint32_t address, Cycle at, bool write) override {
    a_->on_sram(slice, address, at, write);
    b_->on_sram(slice, address, at, write);
  }
  void on_drift(Cycle at, int64_t shift) override {
    a_->on_drift(at, shift);
    b_->on_drift(at, shift);
  }
  bool wants_unit_ops() const override { return a_->wants_unit_ops() || b_->wants_unit_ops(); }
  void on_unit_op(const UnitOp& op) override {
    if (a_->wants_unit_ops()) a_->on_unit_op(op);
    if (b_->wants_unit_ops()) b_->on_unit_op(op);
  }

 private:
  Observer* a_;
  Observer* b_;
};

}  // namespace tsp::model
