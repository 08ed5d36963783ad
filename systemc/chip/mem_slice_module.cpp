#include "systemc/chip/mem_slice_module.hpp"

#include <algorithm>
#include <cstring>

namespace tsp::model {

MemSliceModule::MemSliceModule(sc_core::sc_module_name name, ChipEngine& engine, uint16_t slice)
    : sc_module(name), sram("sram"), engine_(engine), slice_(slice) {
  sram.bind(*this);
}

uint64_t MemSliceModule::bytes() const { return engine_.config().mem_slice_bytes; }

uint64_t MemSliceModule::page_bytes() const { return uint64_t(MemSlice::kPageVectors) * engine_.config().vector_bytes; }

void MemSliceModule::revoke_dmi() { sram->invalidate_direct_mem_ptr(0, bytes() - 1); }

void MemSliceModule::forbid_dmi() {
  dmi_ = false;
  sram->invalidate_direct_mem_ptr(0, bytes() - 1);
}

bool MemSliceModule::copy(tlm::tlm_generic_payload& trans) {
  uint64_t a = trans.get_address();
  const uint64_t end = a + trans.get_data_length();
  if (end > bytes() || end < a) return false;
  uint8_t* data = trans.get_data_ptr();
  if (engine_.timing_only()) {  // no data: writes are dropped, reads see zero (docs/timing-only.md)
    if (!trans.is_write()) std::memset(data, 0, end - a);
    return true;
  }
  const uint32_t vector_bytes = engine_.config().vector_bytes;
  MemSlice& slice = engine_.slice(slice_);
  while (a < end) {  // page by page: a slice is allocated in pages
    const uint64_t in_page = a % page_bytes();
    const uint64_t n = std::min(end - a, page_bytes() - in_page);
    uint8_t* page = slice.page(static_cast<uint32_t>(a / vector_bytes)) + in_page;
    if (trans.is_write())
      std::memcpy(page, data, n);
    else
      std::memcpy(data, page, n);
    data += n;
    a += n;
  }
  return true;
}

void MemSliceModule::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& /*delay*/) {
  engine_.settle();  // a running chip defers it to the first outside access
  // The host's time is the PCIe link's, annotated by the chip's host socket.
  if (trans.get_byte_enable_ptr() || trans.get_streaming_width() < trans.get_data_length()) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (!copy(trans)) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  trans.set_dmi_allowed(dmi_);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

tlm::tlm_sync_enum MemSliceModule::nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                                   sc_core::sc_time& delay) {
  if (phase != tlm::BEGIN_REQ) {  // nothing of ours is outstanding for any other phase to refer to
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  b_transport(trans, delay);
  phase = tlm::END_RESP;
  return tlm::TLM_COMPLETED;
}

unsigned int MemSliceModule::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint64_t a = trans.get_address();
  if (a >= bytes()) return 0;
  engine_.settle();
  trans.set_data_length(static_cast<unsigned>(std::min<uint64_t>(trans.get_data_length(), bytes() - a)));
  copy(trans);
  return trans.get_data_length();
}

bool MemSliceModule::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint64_t a = trans.get_address();
  // No DMI while a program runs: its stream references and late WRITEs need
  // every outside access to pass through settle() (TspChip revokes grants at start).
  if (a >= bytes() || !dmi_ || !engine_.settles_on_return() || engine_.timing_only()) return false;
  engine_.settle();
  // The page holding the address: SRAM is allocated page by page.
  const uint64_t start = a - a % page_bytes();
  dmi.set_dmi_ptr(engine_.slice(slice_).page(static_cast<uint32_t>(a / engine_.config().vector_bytes)));
  dmi.set_start_address(start);
  dmi.set_end_address(std::min(start + page_bytes(), bytes()) - 1);
  dmi.allow_read_write();
  return true;
}

}  // namespace tsp::model
