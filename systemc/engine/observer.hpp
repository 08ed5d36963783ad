#pragma once
// What the engine tells an attached observer (waves, cosim, tracing). Calls
// happen in cycle order per queue; an engine without an observer pays one
// branch per event. Methods default to doing nothing.
#include <cstdint>

#include "systemc/engine/types.hpp"

namespace tsp::model {

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
};

}  // namespace tsp::model
