#pragma once
// What the engine tells an attached observer (waves, cosim, tracing). Calls
// happen in cycle order per queue; an engine without an observer pays one
// branch per event. Methods default to doing nothing.
#include <cstdint>
#include <vector>

#include "systemc/engine/types.hpp"

namespace tsp::model {

// One unit instruction as the model executed it: every stream value it read
// and every one it produced, and its SRAM accesses. This is the model's side of
// the cosim unit interface (docs/cosim.md): an RTL unit given `in` and
// `inputs` must produce `outputs`, each at its cycle.
struct UnitOp {
  uint32_t chip = 0;
  uint16_t queue = 0;
  uint32_t index = 0;  // instruction number in the queue (a REPEAT's repetitions: the repeated one)
  Cycle t = 0;         // issue cycle (superlane 0; superlane k sees it at t + k)
  isa::Instr in;       // as executed: a repetition's strided field advanced
  struct Input {
    isa::StreamRef s;
    Vec v;  // a copy: fabric storage may move while the instruction executes
  };
  struct Output {
    isa::StreamRef s;
    Cycle at = 0;            // present at the queue's position from this cycle (superlane 0)
    const Vec* v = nullptr;  // valid during on_unit_op only
  };
  struct Sram {
    uint16_t slice = 0;
    uint32_t address = 0;  // superlane 0's (GATHER/SCATTER: per-superlane addresses are an input)
    bool write = false;
    uint32_t banks = 0;  // bit b: bank b
    Cycle at = 0;        // cycle of the array access (superlane 0)
  };
  std::vector<Input> inputs;    // in the order the unit read them (operand field order, group LSB first)
  std::vector<Output> outputs;  // in the order the unit wrote them
  std::vector<Sram> sram;
};

class Observer {
 public:
  virtual ~Observer() = default;
  // Queue `queue` issues its instruction number `index` (a REPEAT's repetitions
  // report the repeated instruction's index, with the strided field advanced).
  virtual void on_issue(uint16_t /*queue*/, uint32_t /*index*/, Cycle /*t*/, const isa::Instr& /*in*/) {}
  // A value is put on stream `s` at floorplan `position`, present there from cycle `at`.
  virtual void on_stream_put(isa::StreamRef /*s*/, uint16_t /*position*/, Cycle /*at*/, uint16_t /*queue*/) {}
  // The SRAM array of `slice` is read or written at `address` in cycle `at`.
  virtual void on_sram(uint16_t /*slice*/, uint32_t /*address*/, Cycle /*at*/, bool /*write*/) {}
  // From own cycle `at` on, the chip's RDESKEW corrections total `shift`
  // cycles (ChipEngine::drift_shift()): told when an RDESKEW issues, at its end.
  virtual void on_drift(Cycle /*at*/, int64_t /*shift*/) {}
  // A MEM, VXM, MXM, SXM or C2C instruction has executed (after on_issue).
  // Only called for observers that ask for it: recording costs a copy per operand.
  virtual bool wants_unit_ops() const { return false; }
  virtual void on_unit_op(const UnitOp& /*op*/) {}
};

}  // namespace tsp::model
