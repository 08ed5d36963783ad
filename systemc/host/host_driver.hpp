#pragma once
// The host side of PCIe: loads a program image into a chip over TLM-2.0 (the
// initial SRAM through the SRAM window to the MEM slices' sockets, the
// programs through the staging window), starts it, waits for it and reads its counters back. Time spent on the link
// is annotated by the chip's target socket and honoured here with wait().
// It never stops the simulation: sc_start() returns once every chip is idle.
#include <tlm_utils/simple_initiator_socket.h>

#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "firmware/image/image.hpp"
#include "systemc/chip/tsp_chip.hpp"

namespace tsp::model {

class HostDriver : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<HostDriver> pcie;

  struct Result {
    hostmap::Status status = hostmap::kIdle;
    std::string error;
    uint64_t cycles = 0, instructions = 0, ecc_corrected = 0;
    sc_core::sc_time load_time, run_time;
  };

  // `chip` is the target bound to `pcie`: its finished() event ends the wait.
  HostDriver(sc_core::sc_module_name name, std::vector<uint8_t> image_bytes, TspChip& chip);
  // The same for an image already parsed: the host writes `sram` (this chip's
  // initial SRAM) and stages `programs` (the image without SRAM), so a system
  // of N chips does not parse the whole image N times.
  HostDriver(sc_core::sc_module_name name, std::shared_ptr<const std::vector<uint8_t>> programs,
             const std::vector<image::SramSegment>& sram, TspChip& chip);
  const Result& result() const { return result_; }
  bool finished() const { return finished_; }  // the host has read the result (or failed)

  // Plain accesses over the socket (used by the thread, and by tests).
  void write(uint64_t address, const void* data, uint64_t bytes);
  void read(uint64_t address, void* data, uint64_t bytes);
  uint64_t read_reg(uint64_t address);
  void write_reg(uint64_t address, uint64_t value);

 private:
  void run();
  // Writes this chip's initial SRAM through the SRAM window; returns the image
  // to stage without it (or the whole image if it does not parse).
  std::vector<uint8_t> write_sram_segments();
  void write_sram(const std::vector<image::SramSegment>& sram);
  void transport(tlm::tlm_command cmd, uint64_t address, void* data, uint64_t bytes);

  std::vector<uint8_t> image_;
  std::shared_ptr<const std::vector<uint8_t>> programs_;  // with sram_: an image parsed by the caller
  const std::vector<image::SramSegment>* sram_ = nullptr;
  TspChip& chip_;
  Result result_;
  bool finished_ = false;
};

}  // namespace tsp::model
