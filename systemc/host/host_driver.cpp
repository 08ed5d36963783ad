#include "systemc/host/host_driver.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "common/error.hpp"
#include "firmware/image/image.hpp"

namespace tsp::model {
namespace {
constexpr uint64_t kBurst = 4096;  // bytes per PCIe write burst when staging an image
}

HostDriver::HostDriver(sc_core::sc_module_name name, std::vector<uint8_t> image_bytes, TspChip& chip)
    : sc_module(name), pcie("pcie"), image_(std::move(image_bytes)), chip_(chip) {
  SC_HAS_PROCESS(HostDriver);
  SC_THREAD(run);
}

HostDriver::HostDriver(sc_core::sc_module_name name, std::shared_ptr<const std::vector<uint8_t>> programs,
                       const std::vector<image::SramSegment>& sram, TspChip& chip)
    : sc_module(name), pcie("pcie"), programs_(std::move(programs)), sram_(&sram), chip_(chip) {
  SC_HAS_PROCESS(HostDriver);
  SC_THREAD(run);
}

void HostDriver::write_sram(const std::vector<image::SramSegment>& sram) {
  // Initial SRAM goes through the host socket's SRAM window to the MEM
  // slices' TLM targets, as a user's own initiator would write it.
  const isa::Config& cfg = chip_.engine().config();
  for (const image::SramSegment& seg : sram) {
    const uint64_t base =
        hostmap::kSram + uint64_t(seg.slice) * cfg.mem_slice_bytes + uint64_t(seg.address) * cfg.vector_bytes;
    for (uint64_t off = 0; off < seg.bytes.size(); off += kBurst)
      write(base + off, seg.bytes.data() + off, std::min<uint64_t>(kBurst, seg.bytes.size() - off));
  }
}

void HostDriver::transport(tlm::tlm_command cmd, uint64_t address, void* data, uint64_t bytes) {
  tlm::tlm_generic_payload t;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  t.set_command(cmd);
  t.set_address(address);
  t.set_data_ptr(static_cast<unsigned char*>(data));
  t.set_data_length(static_cast<unsigned>(bytes));
  t.set_streaming_width(static_cast<unsigned>(bytes));
  pcie->b_transport(t, delay);
  if (t.is_response_error())
    throw Error(fmt::format("host: {} of {} bytes at 0x{:x} failed: {}",
                            cmd == tlm::TLM_WRITE_COMMAND ? "write" : "read", bytes, address, t.get_response_string()));
  wait(delay);
}

void HostDriver::write(uint64_t address, const void* data, uint64_t bytes) {
  transport(tlm::TLM_WRITE_COMMAND, address, const_cast<void*>(data), bytes);  // a write only reads the buffer
}

void HostDriver::read(uint64_t address, void* data, uint64_t bytes) {
  transport(tlm::TLM_READ_COMMAND, address, data, bytes);
}

uint64_t HostDriver::read_reg(uint64_t address) {
  uint64_t v = 0;
  read(address, &v, sizeof v);
  return v;
}

void HostDriver::write_reg(uint64_t address, uint64_t value) { write(address, &value, sizeof value); }

std::vector<uint8_t> HostDriver::write_sram_segments() {
  // An image the host cannot parse goes to the chip whole: its loader says why.
  std::optional<image::Image> img;
  try {
    img = image::parse(image_, "<host image>");
  } catch (const Error&) {
    return image_;
  }
  const uint32_t chip = chip_.engine().chip();
  if (chip >= img->chips.size()) return image_;
  write_sram(img->chips[chip].sram);
  for (auto& c : img->chips) c.sram.clear();  // the programs and manifest stay
  return image::serialize(*img);
}

void HostDriver::run() {
  try {
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    std::vector<uint8_t> own;
    if (programs_)
      write_sram(*sram_);
    else
      own = write_sram_segments();
    const std::vector<uint8_t>& staged = programs_ ? *programs_ : own;
    write_reg(hostmap::kImageBytes, staged.size());  // first: the chip sizes its buffer once
    for (uint64_t off = 0; off < staged.size(); off += kBurst)
      write(hostmap::kImage + off, staged.data() + off, std::min<uint64_t>(kBurst, staged.size() - off));
    // The chip holds its copy now: 576 hosts kept 0.5 MiB each for nothing.
    programs_.reset();
    own = {};
    write_reg(hostmap::kCtrl, hostmap::kLoad);
    result_.status = static_cast<hostmap::Status>(read_reg(hostmap::kStatus));
    result_.load_time = sc_core::sc_time_stamp() - t0;
    if (result_.status == hostmap::kLoaded) {
      const sc_core::sc_time t1 = sc_core::sc_time_stamp();
      write_reg(hostmap::kCtrl, hostmap::kStart);
      // The chip may finish while the start write is still on the link: look
      // at its state (an interrupt line, no link time) before waiting for it.
      while (chip_.status() == hostmap::kRunning || chip_.status() == hostmap::kArmed) wait(chip_.finished());
      result_.run_time = sc_core::sc_time_stamp() - t1;
      result_.status = static_cast<hostmap::Status>(read_reg(hostmap::kStatus));
      result_.cycles = read_reg(hostmap::kCycles);
      result_.instructions = read_reg(hostmap::kInstructions);
      result_.ecc_corrected = read_reg(hostmap::kEccCorrected);
    }
    if (result_.status == hostmap::kError) result_.error = chip_.error();
  } catch (const Error& e) {
    result_.status = hostmap::kError;
    result_.error = e.what();
  }
  finished_ = true;
}

}  // namespace tsp::model
