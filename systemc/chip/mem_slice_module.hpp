#pragma once
// One MEM slice as a TLM-2.0 target: its SRAM at slice-local byte addresses
// (byte `lane` of vector `address` is at address * vector_bytes + lane), by
// b_transport, transport_dbg and DMI. The chip's router (TspChip's sram_bus)
// sends each part of a host SRAM access to its slice's socket and translates
// DMI grants and revocations. The bytes are the engine's (ChipEngine::slice):
// no copy, no second state.
//
// The module is its socket's forward interface itself: a simple_target_socket
// brings a payload event queue and two events per slice, which made building
// 576 chips' 50,000 slices the largest part of elaborating racks8.

#include <systemc>
#include <tlm>

#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

class MemSliceModule : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<> sram;

  MemSliceModule(sc_core::sc_module_name name, ChipEngine& engine, uint16_t slice);
  uint16_t slice() const { return slice_; }
  uint64_t bytes() const;
  // A bit flip is planned in this slice: DMI would bypass it, so no more DMI
  // (pointers already granted are revoked).
  void forbid_dmi();
  void revoke_dmi();  // grants end (a program starts); new ones may follow when it is over

  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) override;
  // The base protocol's early completion: a BEGIN_REQ is served at once
  // through b_transport and returns TLM_COMPLETED with its delay.
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;

 private:
  bool copy(tlm::tlm_generic_payload& trans);  // false: outside the slice
  uint64_t page_bytes() const;

  ChipEngine& engine_;
  uint16_t slice_;
  bool dmi_ = true;
};

}  // namespace tsp::model
