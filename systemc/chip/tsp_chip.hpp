#pragma once
// One TSP chip as a SystemC module (docs/model.md). Its children are the
// units' modules: icu, streams, one MEM slice module per slice (each a TLM-2.0
// SRAM target), vxm, the MXM planes, the two SXMs, and one C2C attachment
// point per link (optional tx/rx sockets). The host socket is PCIe: b_transport
// with its latency and bandwidth annotated, DMI into SRAM, the register map of
// host_map.hpp; its SRAM window is routed to the slices' sockets. A thread
// advances the cycle-exact engine in quanta of simulated time, temporally
// decoupled through the standard tlm_quantumkeeper: every chip synchronises
// on the boundaries of TLM's global quantum.
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "systemc/chip/c2c_port.hpp"
#include "systemc/chip/host_map.hpp"
#include "systemc/chip/mem_slice_module.hpp"
#include "systemc/chip/start_barrier.hpp"
#include "systemc/chip/unit_modules.hpp"
#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

class TspChip : public sc_core::sc_module {
  // First: the children below are built on them.
  const isa::Config& cfg_;
  ChipEngine engine_;

 public:
  tlm_utils::simple_target_socket<TspChip> host;

  TspChip(sc_core::sc_module_name name, const isa::Config& cfg, uint32_t chip);
  ~TspChip() override;

  // The units' modules.
  IcuModule& icu() { return icu_; }
  StreamFabricModule& streams() { return streams_; }
  MemSliceModule& mem_slice(uint16_t slice) { return *mem_.at(slice); }
  UnitModule& vxm() { return *vxm_; }
  UnitModule& mxm_plane(uint32_t plane) { return *mxm_.at(plane); }  // west planes first
  UnitModule& sxm(uint32_t hemisphere) { return *sxm_.at(hemisphere); }
  C2cPort& c2c(uint16_t link) { return *c2c_.at(link); }

  ChipEngine& engine() { return engine_; }
  hostmap::Status status() const { return status_; }
  const std::string& error() const { return error_; }          // set when status() == kError
  sc_core::sc_time error_time() const { return error_time_; }  // the system time the error happened at
  // Host wall-clock time at which this chip's run began (speed figures: loading excluded).
  std::chrono::steady_clock::time_point started_wall() const { return started_wall_; }
  const sc_core::sc_event& finished() const { return finished_; }
  // Cycles the engine runs between synchronisations with SystemC time: TLM's
  // global quantum, which each chip lowers at elaboration to at most this and,
  // with a link bound, to half the shortest link's lookahead (c2c_port.hpp).
  void set_quantum(Cycle cycles) { quantum_ = cycles; }
  Cycle quantum() const;  // this chip's limit on the global quantum, in nominal cycles
  // The quantum of a chip with a link bound, asked for `requested` cycles.
  static Cycle linked_quantum(const isa::Config& cfg, Cycle requested);
  // This chip's oscillator and the HAC root's (plesiochronous clocks).
  void set_clock(const ChipClock& clock);
  double period_ps() const { return period_ps_; }
  // Chips that start together (nullptr: this chip starts when its host says).
  void set_start_barrier(StartBarrier* barrier) { barrier_ = barrier; }
  // Called after each quantum with the cycles run so far (progress lines).
  void on_quantum(std::function<void(Cycle)> f) { on_quantum_ = std::move(f); }
  sc_core::sc_time cycles_to_time(Cycle c) const;
  // SystemC time of this chip's cycle `c` of the running program.
  sc_core::sc_time time_of(Cycle c) const { return t0_ + cycles_to_time(c); }
  // Injected fault: applied as part of the loaded program's run.
  void add_flip(const Flip& f);
  // A vector arriving on `link` at SystemC time `at` (from a C2cPort).
  void arrive(uint16_t link, const sc_core::sc_time& at, LinkFrame frame);

 private:
  void end_of_elaboration() override;
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  void invalidate_sram_dmi(int slice, sc_dt::uint64 start, sc_dt::uint64 end);
  void access_sram(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void access_reg(tlm::tlm_generic_payload& trans);
  sc_core::sc_time transfer_time(uint64_t bytes) const;
  Cycle cycle_at(const sc_core::sc_time& t) const;  // the cycle edge at or after t
  void limit_global_quantum() const;
  void load();
  void run();
  void wait_until(const sc_core::sc_time& t);
  void fail(const std::string& why, const sc_core::sc_time& at = sc_core::sc_time_stamp());

  IcuModule icu_;
  StreamFabricModule streams_;
  std::vector<std::unique_ptr<MemSliceModule>> mem_;
  std::unique_ptr<UnitModule> vxm_;
  std::vector<std::unique_ptr<UnitModule>> mxm_, sxm_;
  std::vector<std::unique_ptr<C2cPort>> c2c_;
  // The host socket's SRAM window, routed to mem_[i]->sram (target i = slice i).
  tlm_utils::multi_passthrough_initiator_socket<TspChip> sram_bus_;

  std::vector<uint8_t> staged_;  // image bytes written by the host
  uint64_t staged_size_ = 0;
  hostmap::Status status_ = hostmap::kIdle;
  std::string error_;
  sc_core::sc_time error_time_;
  std::chrono::steady_clock::time_point started_wall_{};
  std::vector<Flip> flips_;
  Cycle quantum_ = 1u << 16;
  double period_ps_;
  StartBarrier* barrier_ = nullptr;
  tlm_utils::tlm_quantumkeeper qk_;
  bool linked_ = false;  // some C2C port is bound
  Cycle ran_ = 0;
  sc_core::sc_time t0_;  // when the running program started
  std::function<void(Cycle)> on_quantum_;
  sc_core::sc_event start_, finished_;
  sc_core::sc_event woken_;  // a frame arrived: an idle chip's thread looks again (run())
};

}  // namespace tsp::model
