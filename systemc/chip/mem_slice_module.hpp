#pragma once
// One MEM slice as a TLM-2.0 target: its SRAM at slice-local byte addresses
// (byte `lane` of vector `address` is at address * vector_bytes + lane), by
// b_transport, transport_dbg and DMI. The chip's router (TspChip's sram_bus)
// sends each part of a host SRAM access to its slice's socket and translates
// DMI grants and revocations. The bytes are the engine's (ChipEngine::slice):
// no copy, no second state.
#include <tlm_utils/simple_target_socket.h>

#include <systemc>
#include <tlm>

#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

class MemSliceModule : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<MemSliceModule> sram;

  MemSliceModule(sc_core::sc_module_name name, ChipEngine& engine, uint16_t slice);
  uint16_t slice() const { return slice_; }
  uint64_t bytes() const;
  // A bit flip is planned in this slice: DMI would bypass it, so no more DMI
  // (pointers already granted are revoked).
  void forbid_dmi();
  void revoke_dmi();  // grants end (a program starts); new ones may follow when it is over

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  bool copy(tlm::tlm_generic_payload& trans);  // false: outside the slice
  uint64_t page_bytes() const;

  ChipEngine& engine_;
  uint16_t slice_;
  bool dmi_ = true;
};

}  // namespace tsp::model
