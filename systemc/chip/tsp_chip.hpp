#pragma once
// One TSP chip as a SystemC module: a TLM-2.0 target socket for the host
// (b_transport with PCIe latency and bandwidth annotated, DMI into SRAM), and a
// thread that advances the cycle-exact engine in quanta of simulated time.
#include <tlm_utils/simple_target_socket.h>

#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "systemc/chip/host_map.hpp"
#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

class TspChip : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<TspChip> host;

  TspChip(sc_core::sc_module_name name, const isa::Config& cfg, uint32_t chip);

  ChipEngine& engine() { return engine_; }
  hostmap::Status status() const { return status_; }
  const std::string& error() const { return error_; }  // set when status() == kError
  const sc_core::sc_event& finished() const { return finished_; }
  // Cycles the engine runs between synchronisations with SystemC time.
  void set_quantum(Cycle cycles) { quantum_ = cycles; }
  // Called after each quantum with the cycles run so far (progress lines).
  void on_quantum(std::function<void(Cycle)> f) { on_quantum_ = std::move(f); }
  sc_core::sc_time cycles_to_time(Cycle c) const;
  // Injected fault: applied as part of the loaded program's run.
  void add_flip(const Flip& f);

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  void access_sram(tlm::tlm_generic_payload& trans);
  void access_reg(tlm::tlm_generic_payload& trans);
  sc_core::sc_time transfer_time(uint64_t bytes) const;
  void load();
  void run();
  void wait_until(const sc_core::sc_time& t);

  const isa::Config& cfg_;
  ChipEngine engine_;
  std::vector<uint8_t> staged_;  // image bytes written by the host
  uint64_t staged_size_ = 0;
  hostmap::Status status_ = hostmap::kIdle;
  std::string error_;
  std::vector<Flip> flips_;
  Cycle quantum_ = 1u << 16;
  Cycle ran_ = 0;
  std::function<void(Cycle)> on_quantum_;
  sc_core::sc_event start_, finished_;
};

}  // namespace tsp::model
