#pragma once
// The SystemC faces of the chip's units (docs/model.md): the module tree an
// architect sees under a chip (icu, streams, mem_w_0.., vxm, mxm_w_0.., sxm_w,
// sxm_e, c2c_0.., host). Each unit module names the instruction queues that
// drive it and counts what they issued. State and semantics live in the
// event-driven engine (one scheduler for the whole chip is what keeps the cost
// per instruction, not per cycle x unit); MEM slices and C2C links have their
// own modules with TLM-2.0 sockets (mem_slice_module.hpp, c2c_port.hpp).
#include <cstdint>
#include <systemc>
#include <vector>

#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

class UnitModule : public sc_core::sc_module {
 public:
  UnitModule(sc_core::sc_module_name name, const ChipEngine& engine, std::vector<uint16_t> queues);
  // Queue ids (isa::Config::queue_table) that issue to this unit.
  const std::vector<uint16_t>& queues() const { return queues_; }
  // Instructions those queues issued so far (REPEAT repetitions count).
  uint64_t issued() const;

 protected:
  const ChipEngine& engine_;

 private:
  std::vector<uint16_t> queues_;
};

// The instruction control unit: every queue of the chip.
class IcuModule : public UnitModule {
 public:
  IcuModule(sc_core::sc_module_name name, const ChipEngine& engine);
  struct QueueState {
    size_t instructions = 0;  // in the loaded program (0: the image gives the queue none)
    uint64_t issued = 0;
    Cycle end = 0;  // the cycle after its last occupied slot, once run
  };
  QueueState state(uint16_t queue) const;
};

// The 2 x streams_per_direction streams along the floorplan.
class StreamFabricModule : public sc_core::sc_module {
 public:
  StreamFabricModule(sc_core::sc_module_name name, const ChipEngine& engine);
  // The value stream `s` holds at floorplan `position` in cycle `t`, nullptr
  // if none: what a monitor sees on the wire (valid until the engine runs on).
  const Vec* value(isa::StreamRef s, uint16_t position, Cycle t) const;

 private:
  const ChipEngine& engine_;
};

// A unit made of the queues of one kind, optionally one hemisphere and one
// group (an MXM plane is mxm_queues_per_plane consecutive queues).
std::vector<uint16_t> queues_of(const isa::Config& cfg, isa::Unit unit, int hemisphere = -1, int group = -1,
                                uint32_t group_size = 1);

}  // namespace tsp::model
