#include "systemc/chip/tsp_chip.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "firmware/image/image.hpp"

namespace tsp::model {
namespace {

// "MEM.W.3" -> "mem_w_3": SystemC names allow neither dots nor upper case by convention.
std::string module_name(std::string_view queue_name) {
  std::string s(queue_name);
  for (char& c : s) c = c == '.' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Cycles from a SEND to the earliest moment its frame can reach a receiver:
// the shortest cable's hop less the receive window (frames land half a window
// early, and jitter may take them further within it).
Cycle link_lookahead(const isa::Config& cfg) {
  uint32_t hop = ~0u;
  for (const auto& cable : isa::kCables) hop = std::min(hop, isa::c2c_hop_cycles(cfg, cable));
  return hop - cfg.c2c_receive_window_cycles;
}

sc_core::sc_time nominal_cycles(const isa::Config& cfg, Cycle c) {
  return sc_core::sc_time(double(c) * 1e6 / cfg.clock_mhz, sc_core::SC_PS);
}

}  // namespace

TspChip::TspChip(sc_core::sc_module_name name, const isa::Config& cfg, uint32_t chip)
    : sc_module(name),
      cfg_(cfg),
      engine_(cfg, chip),
      host("host"),
      icu_("icu", engine_),
      streams_("streams", engine_),
      sram_bus_("sram_bus"),
      period_ps_(1e6 / cfg.clock_mhz) {
  host.register_b_transport(this, &TspChip::b_transport);
  host.register_get_direct_mem_ptr(this, &TspChip::get_direct_mem_ptr);
  sram_bus_.register_invalidate_direct_mem_ptr(this, &TspChip::invalidate_sram_dmi);
  for (uint16_t s = 0; s < cfg_.mem_slices; ++s) {
    mem_.push_back(std::make_unique<MemSliceModule>(module_name(isa::mem_slice_name(cfg_, s)).c_str(), engine_, s));
    sram_bus_.bind(mem_.back()->sram);  // target index s
  }
  vxm_ = std::make_unique<UnitModule>("vxm", engine_, queues_of(cfg_, isa::Unit::VXM));
  for (uint32_t h = 0; h < 2; ++h) {
    const char* side = h ? "e" : "w";
    for (uint32_t p = 0; p < cfg_.mxm_planes_per_hemisphere; ++p)
      mxm_.push_back(
          std::make_unique<UnitModule>(fmt::format("mxm_{}_{}", side, p).c_str(), engine_,
                                       queues_of(cfg_, isa::Unit::MXM, int(h), int(p), cfg_.mxm_queues_per_plane)));
    sxm_.push_back(std::make_unique<UnitModule>(fmt::format("sxm_{}", side).c_str(), engine_,
                                                queues_of(cfg_, isa::Unit::SXM, int(h))));
  }
  for (uint16_t l = 0; l < cfg_.c2c_links; ++l)
    c2c_.push_back(std::make_unique<C2cPort>(fmt::format("c2c_{}", l).c_str(), *this, l));
  SC_HAS_PROCESS(TspChip);
  SC_THREAD(run);
}

TspChip::~TspChip() = default;

void TspChip::end_of_elaboration() {
  for (auto& port : c2c_) {
    engine_.attach_link(port->link(), port->transmits() ? port.get() : nullptr, port->receives());
    linked_ |= port->transmits() || port->receives();
  }
  limit_global_quantum();
}

void TspChip::limit_global_quantum() const {
  // A vector sent in one quantum then lands beyond every chip's horizon, and
  // a receiver has seen every frame up to half a lookahead past its quantum.
  tlm::tlm_global_quantum& gq = tlm::tlm_global_quantum::instance();
  const sc_core::sc_time limit = nominal_cycles(cfg_, quantum());
  if (gq.get() == sc_core::SC_ZERO_TIME || gq.get() > limit) gq.set(limit);
}

Cycle TspChip::linked_quantum(const isa::Config& cfg, Cycle requested) {
  return std::min<Cycle>(requested, link_lookahead(cfg) / 2);
}

Cycle TspChip::quantum() const { return linked_ ? linked_quantum(cfg_, quantum_) : quantum_; }

void TspChip::set_clock(const ChipClock& clock) {
  engine_.set_clock(clock);
  period_ps_ = clock.period_ps(cfg_.clock_mhz);
}

sc_core::sc_time TspChip::cycles_to_time(Cycle c) const {
  // From the absolute cycle count each time, so rounding never accumulates.
  return sc_core::sc_time(double(c) * period_ps_, sc_core::SC_PS);
}

Cycle TspChip::cycle_at(const sc_core::sc_time& t) const {
  return capture_cycle(t.to_seconds() * 1e12, period_ps_);  // shared with the link waves
}

sc_core::sc_time TspChip::transfer_time(uint64_t bytes) const {
  return sc_core::sc_time(cfg_.host_latency_ns, sc_core::SC_NS) +
         sc_core::sc_time(double(bytes) * 1e3 / cfg_.host_mbytes_per_s, sc_core::SC_NS);
}

void TspChip::add_flip(const Flip& f) {
  flips_.push_back(f);
  if (f.slice < mem_.size()) mem_[f.slice]->forbid_dmi();  // DMI would bypass the fault
}

void TspChip::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t a = trans.get_address();
  trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  if (trans.get_byte_enable_ptr() || trans.get_streaming_width() < trans.get_data_length()) {
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (a < cfg_.sram_bytes)
    access_sram(trans, delay);
  else if (a >= hostmap::kRegs && a < hostmap::kRegsEnd)
    access_reg(trans);
  else if (a >= hostmap::kImage && a - hostmap::kImage + trans.get_data_length() <= hostmap::kImageWindow &&
           trans.is_write()) {
    const uint64_t off = a - hostmap::kImage;
    const uint8_t* data = trans.get_data_ptr();
    if (off == staged_.size()) {  // the usual burst, right after the last: appended, never zero-filled first
      staged_.insert(staged_.end(), data, data + trans.get_data_length());
    } else {
      if (staged_.size() < off + trans.get_data_length()) staged_.resize(off + trans.get_data_length());
      std::memcpy(staged_.data() + off, data, trans.get_data_length());
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  delay += transfer_time(trans.get_data_length());
}

void TspChip::access_sram(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t start = trans.get_address(), len = trans.get_data_length();
  const uint64_t end = start + len;
  if (end > cfg_.sram_bytes || end < start) return;
  uint8_t* const data = trans.get_data_ptr();
  bool dmi = true;
  for (uint64_t a = start; a < end;) {  // slice by slice, each through its own socket
    const auto slice = static_cast<uint16_t>(a / cfg_.mem_slice_bytes);
    const uint64_t local = a % cfg_.mem_slice_bytes;
    const auto n = static_cast<unsigned>(std::min(end - a, cfg_.mem_slice_bytes - local));
    trans.set_address(local);
    trans.set_data_ptr(data + (a - start));
    trans.set_data_length(n);
    trans.set_streaming_width(n);
    sram_bus_[slice]->b_transport(trans, delay);
    dmi &= trans.is_dmi_allowed();
    if (!trans.is_response_ok()) break;
    a += n;
  }
  trans.set_address(start);
  trans.set_data_ptr(data);
  trans.set_data_length(static_cast<unsigned>(len));
  trans.set_streaming_width(static_cast<unsigned>(len));
  trans.set_dmi_allowed(dmi);
}

bool TspChip::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint64_t a = trans.get_address();
  if (a >= cfg_.sram_bytes) return false;
  const auto slice = static_cast<uint16_t>(a / cfg_.mem_slice_bytes);
  const uint64_t base = uint64_t(slice) * cfg_.mem_slice_bytes;
  trans.set_address(a - base);
  const bool ok = sram_bus_[slice]->get_direct_mem_ptr(trans, dmi);
  trans.set_address(a);
  if (!ok) return false;
  dmi.set_start_address(dmi.get_start_address() + base);
  dmi.set_end_address(dmi.get_end_address() + base);
  dmi.set_read_latency(sc_core::sc_time(cfg_.host_latency_ns, sc_core::SC_NS));
  dmi.set_write_latency(sc_core::sc_time(cfg_.host_latency_ns, sc_core::SC_NS));
  return true;
}

void TspChip::invalidate_sram_dmi(int slice, sc_dt::uint64 start, sc_dt::uint64 end) {
  const uint64_t base = uint64_t(slice) * cfg_.mem_slice_bytes;
  host->invalidate_direct_mem_ptr(base + start, base + end);
}

void TspChip::access_reg(tlm::tlm_generic_payload& trans) {
  if (trans.get_data_length() != 8 || trans.get_address() % 8) return;
  uint64_t v = 0;
  const uint64_t a = trans.get_address();
  if (trans.is_write()) {
    std::memcpy(&v, trans.get_data_ptr(), 8);
    if (a == hostmap::kImageBytes) {
      staged_size_ = v;
      // Written before the bytes, it sizes the buffer once (bounded: the value is the host's).
      staged_.reserve(std::min<uint64_t>(v, uint64_t{1} << 28));
    } else if (a == hostmap::kCtrl && v == hostmap::kLoad) {
      load();
    } else if (a == hostmap::kCtrl && v == hostmap::kStart && status_ == hostmap::kLoaded) {
      if (barrier_) {
        status_ = hostmap::kArmed;
        barrier_->arm(start_);
      } else {
        status_ = hostmap::kRunning;
        start_.notify(sc_core::SC_ZERO_TIME);
      }
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

void TspChip::load() {
  try {
    if (staged_size_ > staged_.size())
      throw Error(fmt::format("image size register says {} bytes, only {} were written", staged_size_, staged_.size()));
    const image::Image img = image::parse({staged_.data(), staged_size_}, "<host image>");
    // A load consumes the staged bytes (576 chips kept 300 MB of them to the
    // end): another load needs them written again.
    std::vector<uint8_t>().swap(staged_);
    engine_.load(img);
    for (const Flip& f : flips_) engine_.add_flip(f);
    status_ = hostmap::kLoaded;
  } catch (const Error& e) {
    fail(e.what());
  }
}

void TspChip::fail(const std::string& why, const sc_core::sc_time& at) {
  if (status_ == hostmap::kError) return;  // the first error is the one to report
  error_ = why;
  error_time_ = at;
  status_ = hostmap::kError;
}

void TspChip::arrive(uint16_t link, const sc_core::sc_time& at, LinkFrame frame) {
  woken_.notify(sc_core::SC_ZERO_TIME);  // an idle chip looks again: a check to schedule, or a failure to stop at
  const std::string what = fmt::format("chip {}, link {}: a vector from {}", engine_.chip(), link, frame.from);
  // The system has started but this chip's thread has not woken yet (SystemC
  // runs the sender first at the start instant): the chip is running already.
  if (status_ == hostmap::kArmed && barrier_ && barrier_->armed() == barrier_->chips() &&
      sc_core::sc_time_stamp() >= barrier_->start_time()) {
    status_ = hostmap::kRunning;
    t0_ = barrier_->start_time();
  }
  if (status_ != hostmap::kRunning && status_ != hostmap::kDone) {
    fail(fmt::format("{} arrives before the chip's program started: no RECV can take it, so it would be lost", what),
         at);
    return;
  }
  const Cycle c = cycle_at(at - t0_);
  if (status_ == hostmap::kDone || engine_.done()) {  // nothing left to run, so no RECV either
    const Cycle end = engine_.end_cycle();
    fail(fmt::format("{} arrives in cycle {}, {}: no RECV can take it, so it would be lost", what, c,
                     c >= end ? fmt::format("after the chip's program ended in cycle {}", end)
                              : std::string("when the chip's program has no RECV left")),
         at);
    finished_.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  try {
    engine_.deliver(link, c, std::move(frame));
  } catch (const Error& e) {
    fail(e.what(), at);  // the run thread sees it after its current wait
  }
}

void TspChip::wait_until(const sc_core::sc_time& t) {
  if (t > sc_core::sc_time_stamp()) wait(t - sc_core::sc_time_stamp());
}

void TspChip::run() {
  for (;;) {
    wait(start_);
    if (status_ == hostmap::kArmed) status_ = hostmap::kRunning;
    t0_ = sc_core::sc_time_stamp();
    started_wall_ = std::chrono::steady_clock::now();
    ran_ = 0;
    qk_.reset();
    // SRAM is the program's until it ends: quanta need not settle it.
    engine_.set_settle_on_return(false);
    for (auto& m : mem_) m->revoke_dmi();
    try {
      // Each pass runs the cycles whose edges lie before the next boundary of
      // the global quantum, then lets SystemC time catch up. A link may fail
      // the chip while it waits (TspChip::arrive): stop there.
      while (status_ == hostmap::kRunning) {
        const sc_core::sc_time sync =
            sc_core::sc_time_stamp() + tlm::tlm_global_quantum::instance().compute_local_quantum();
        const Cycle limit = std::max(ran_ + 1, cycle_at(sync - t0_));
        if (engine_.run_until(limit)) break;
        ran_ = limit;
        if (on_quantum_) on_quantum_(ran_);
        // Nothing to do before a later quantum: sleep until the one that holds
        // the next event, or until a frame arrives, instead of waking at every
        // quantum (most chips of a large system idle most of the time). The
        // events still run in the same quantum's run_until, and every SEND
        // still executes no earlier in SystemC time than its cycle.
        if (const Cycle next = engine_.next_event();
            next != ChipEngine::kNever && time_of(next) > sync + tlm::tlm_global_quantum::instance().get()) {
          wait(time_of(next) - sc_core::sc_time_stamp(), woken_);
          qk_.reset();
          continue;
        }
        if (time_of(ran_) > sc_core::sc_time_stamp()) {
          qk_.set(time_of(ran_) - sc_core::sc_time_stamp());
          qk_.sync();
        }
      }
      if (status_ == hostmap::kRunning) {
        ran_ = engine_.end_cycle();
        wait_until(time_of(ran_));
      }
      if (status_ == hostmap::kRunning) status_ = hostmap::kDone;
    } catch (const Error& e) {
      fail(e.what(), time_of(engine_.now()));
    }
    engine_.set_settle_on_return(true);
    engine_.settle();
    finished_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace tsp::model
