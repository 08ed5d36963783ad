#include "systemc/chip/tsp_chip.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "firmware/image/image.hpp"

namespace tsp::model {

TspChip::TspChip(sc_core::sc_module_name name, const isa::Config& cfg, uint32_t chip)
    : sc_module(name), host("host"), cfg_(cfg), engine_(cfg, chip) {
  host.register_b_transport(this, &TspChip::b_transport);
  host.register_get_direct_mem_ptr(this, &TspChip::get_direct_mem_ptr);
  SC_HAS_PROCESS(TspChip);
  SC_THREAD(run);
}

sc_core::sc_time TspChip::cycles_to_time(Cycle c) const {
  // From the absolute cycle count each time, so rounding never accumulates.
  return sc_core::sc_time(double(c) * 1e6 / cfg_.clock_mhz, sc_core::SC_PS);
}

sc_core::sc_time TspChip::transfer_time(uint64_t bytes) const {
  return sc_core::sc_time(cfg_.host_latency_ns, sc_core::SC_NS) +
         sc_core::sc_time(double(bytes) * 1e3 / cfg_.host_mbytes_per_s, sc_core::SC_NS);
}

void TspChip::add_flip(const Flip& f) {
  flips_.push_back(f);
  // DMI pointers bypass the fault map: make the host ask again.
  host->invalidate_direct_mem_ptr(0, ~uint64_t{0});
}

void TspChip::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t a = trans.get_address();
  trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  if (trans.get_byte_enable_ptr() || trans.get_streaming_width() < trans.get_data_length()) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (a < cfg_.sram_bytes)
    access_sram(trans);
  else if (a >= hostmap::kRegs && a < hostmap::kRegsEnd)
    access_reg(trans);
  else if (a >= hostmap::kImage && a - hostmap::kImage + trans.get_data_length() <= hostmap::kImageWindow &&
           trans.is_write()) {
    const uint64_t off = a - hostmap::kImage;
    if (staged_.size() < off + trans.get_data_length()) staged_.resize(off + trans.get_data_length());
    std::memcpy(staged_.data() + off, trans.get_data_ptr(), trans.get_data_length());
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  delay += transfer_time(trans.get_data_length());
}

void TspChip::access_sram(tlm::tlm_generic_payload& trans) {
  uint64_t a = trans.get_address();
  const uint64_t end = a + trans.get_data_length();
  if (end > cfg_.sram_bytes || end < a) return;
  uint8_t* data = trans.get_data_ptr();
  const uint64_t slice_bytes = cfg_.mem_slice_bytes;
  while (a < end) {  // page by page: pages are contiguous, slices are not one allocation
    const auto slice = static_cast<uint16_t>(a / slice_bytes);
    const auto address = static_cast<uint32_t>(a % slice_bytes / cfg_.vector_bytes);
    const uint64_t page_bytes = uint64_t(MemSlice::kPageVectors) * cfg_.vector_bytes;
    const uint64_t in_page = a % slice_bytes % page_bytes;
    const uint64_t n = std::min(end - a, page_bytes - in_page);
    uint8_t* page = engine_.slice(slice).page(address) + in_page;
    if (trans.is_write())
      std::memcpy(page, data, n);
    else
      std::memcpy(data, page, n);
    data += n;
    a += n;
  }
  trans.set_dmi_allowed(flips_.empty());
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void TspChip::access_reg(tlm::tlm_generic_payload& trans) {
  if (trans.get_data_length() != 8 || trans.get_address() % 8) return;
  uint64_t v = 0;
  const uint64_t a = trans.get_address();
  if (trans.is_write()) {
    std::memcpy(&v, trans.get_data_ptr(), 8);
    if (a == hostmap::kImageBytes) {
      staged_size_ = v;
    } else if (a == hostmap::kCtrl && v == hostmap::kLoad) {
      load();
    } else if (a == hostmap::kCtrl && v == hostmap::kStart && status_ == hostmap::kLoaded) {
      status_ = hostmap::kRunning;
      start_.notify(sc_core::SC_ZERO_TIME);
    } else {
      trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
      return;
    }
  } else {
    const RunStats& s = engine_.stats();
    uint64_t instructions = 0;
    for (uint64_t n : s.instructions) instructions += n;
    switch (a) {
      case hostmap::kStatus:
        v = status_;
        break;
      case hostmap::kCycles:
        v = status_ == hostmap::kDone ? engine_.end_cycle() : ran_;
        break;
      case hostmap::kInstructions:
        v = instructions;
        break;
      case hostmap::kEccCorrected:
        v = s.ecc_corrected;
        break;
      default:
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    std::memcpy(trans.get_data_ptr(), &v, 8);
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool TspChip::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint64_t a = trans.get_address();
  if (a >= cfg_.sram_bytes || !flips_.empty()) return false;
  // Grant the page holding the address: SRAM is allocated page by page.
  const uint64_t page_bytes = uint64_t(MemSlice::kPageVectors) * cfg_.vector_bytes;
  const uint64_t start = a - a % cfg_.mem_slice_bytes % page_bytes;
  const auto slice = static_cast<uint16_t>(a / cfg_.mem_slice_bytes);
  const auto address = static_cast<uint32_t>(a % cfg_.mem_slice_bytes / cfg_.vector_bytes);
  dmi.set_dmi_ptr(engine_.slice(slice).page(address));
  dmi.set_start_address(start);
  dmi.set_end_address(std::min(start + page_bytes, (uint64_t(slice) + 1) * cfg_.mem_slice_bytes) - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(sc_core::sc_time(cfg_.host_latency_ns, sc_core::SC_NS));
  dmi.set_write_latency(sc_core::sc_time(cfg_.host_latency_ns, sc_core::SC_NS));
  return true;
}

void TspChip::load() {
  try {
    if (staged_size_ > staged_.size())
      throw Error(fmt::format("image size register says {} bytes, only {} were written", staged_size_, staged_.size()));
    const image::Image img = image::parse({staged_.data(), staged_size_}, "<host image>");
    engine_.load(img);
    for (const Flip& f : flips_) engine_.add_flip(f);
    status_ = hostmap::kLoaded;
  } catch (const Error& e) {
    error_ = e.what();
    status_ = hostmap::kError;
  }
}

void TspChip::wait_until(const sc_core::sc_time& t) {
  if (t > sc_core::sc_time_stamp()) wait(t - sc_core::sc_time_stamp());
}

void TspChip::run() {
  for (;;) {
    wait(start_);
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    ran_ = 0;
    try {
      while (!engine_.run_until(ran_ + quantum_)) {
        ran_ += quantum_;
        if (on_quantum_) on_quantum_(ran_);
        wait_until(t0 + cycles_to_time(ran_));
      }
      ran_ = engine_.end_cycle();
      wait_until(t0 + cycles_to_time(ran_));
      status_ = hostmap::kDone;
    } catch (const Error& e) {
      error_ = e.what();
      status_ = hostmap::kError;
    }
    finished_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace tsp::model
