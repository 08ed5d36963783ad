// The chip's TLM-2.0 host socket: SRAM through b_transport and DMI, registers,
// PCIe time annotation, and a whole load/start/finish through the host driver.
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstring>
#include <functional>

#include "systemc/chip/tsp_chip.hpp"
#include "systemc/host/host_driver.hpp"
#include "systemc/sim/run_image.hpp"
#include "tests/model/program_builder.hpp"

using namespace tsp::model;
using tsp::isa::Op;

namespace {

const tsp::isa::Config& mini() { return *tsp::isa::find_config("mini"); }

// Runs `body` in a thread with an initiator socket bound to the chip.
struct Probe : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Probe> socket;
  std::function<void(Probe&)> body;
  SC_HAS_PROCESS(Probe);
  explicit Probe(sc_core::sc_module_name n) : sc_module(n), socket("socket") { SC_THREAD(run); }
  void run() { body(*this); }
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                                  sc_core::sc_time& delay) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(static_cast<unsigned char*>(data));
    t.set_data_length(len);
    t.set_streaming_width(len);
    socket->b_transport(t, delay);
    return t.get_response_status();
  }
};

}  // namespace

TEST(HostInterface, SramThroughSocketAndDmiWithPcieTime) {
  TspChip chip("chip", mini(), 0);
  Probe probe("probe");
  probe.socket.bind(chip.host);
  bool ran = false;
  probe.body = [&](Probe& p) {
    const uint64_t addr = (3ull * mini().mem_addresses + 7) * mini().vector_bytes;  // slice 3, vector 7
    uint8_t out[64], in[64] = {};
    for (int i = 0; i < 64; ++i) out[i] = static_cast<uint8_t>(i * 3 + 1);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    ASSERT_EQ(p.access(tlm::TLM_WRITE_COMMAND, addr, out, 64, delay), tlm::TLM_OK_RESPONSE);
    // Link latency plus 64 bytes at the link's bandwidth (tsp1/mini: 900 ns + 2.031 ns).
    EXPECT_NEAR(delay.to_seconds() * 1e9, mini().host_latency_ns + 64 * 1e3 / mini().host_mbytes_per_s, 1e-3);
    delay = sc_core::SC_ZERO_TIME;
    ASSERT_EQ(p.access(tlm::TLM_READ_COMMAND, addr, in, 64, delay), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(std::memcmp(in, out, 64), 0);
    // The engine sees the same bytes: vector 7 of slice 3 and the next one.
    Vec v;
    chip.engine().slice(3).read(7, v);
    EXPECT_EQ(std::memcmp(v.bytes.data(), out, mini().vector_bytes), 0);
    // DMI into the page holding it.
    tlm::tlm_generic_payload t;
    tlm::tlm_dmi dmi;
    t.set_address(addr);
    ASSERT_TRUE(p.socket->get_direct_mem_ptr(t, dmi));
    EXPECT_LE(dmi.get_start_address(), addr);
    EXPECT_GE(dmi.get_end_address(), addr + 63);
    EXPECT_EQ(std::memcmp(dmi.get_dmi_ptr() + (addr - dmi.get_start_address()), out, 64), 0);
    // Registers and errors.
    uint64_t status = 99;
    delay = sc_core::SC_ZERO_TIME;
    ASSERT_EQ(p.access(tlm::TLM_READ_COMMAND, hostmap::kStatus, &status, 8, delay), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(status, hostmap::kIdle);
    EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, mini().sram_bytes, in, 4, delay), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    uint64_t start = hostmap::kStart;  // nothing loaded yet
    EXPECT_EQ(p.access(tlm::TLM_WRITE_COMMAND, hostmap::kCtrl, &start, 8, delay), tlm::TLM_COMMAND_ERROR_RESPONSE);
    ran = true;
  };
  sc_core::sc_start();
  EXPECT_TRUE(ran);
}

TEST(HostInterface, HostLoadsStartsAndReadsCounters) {
  // The copy program of the engine tests: 6 cycles on mini.
  tsp::test::ProgramBuilder b("mini");
  b.sram("MEM.W.0", 5, std::vector<uint8_t>(32, 0xab));
  b.op("MEM.W.0", Op::READ, {5, tsp::test::east(0)});
  b.op("MEM.E.0", Op::NOP, {4}).op("MEM.E.0", Op::WRITE, {9, tsp::test::east(0)});
  const auto bytes = tsp::image::serialize(b.image());
  TspChip chip("chip", mini(), 0);
  HostDriver host("host", bytes, chip);
  host.pcie.bind(chip.host);
  sc_core::sc_start();
  const auto& r = host.result();
  ASSERT_EQ(r.status, hostmap::kDone) << r.error;
  EXPECT_EQ(r.cycles, 6u);
  EXPECT_EQ(r.instructions, 3u);  // NOP, READ, WRITE
  // Loading took at least the link latency per burst plus the bytes at link speed.
  EXPECT_GE(r.load_time.to_seconds(),
            mini().host_latency_ns * 1e-9 + double(bytes.size()) / (mini().host_mbytes_per_s * 1e6));
  Vec v;
  chip.engine().slice(b.slice("MEM.E.0")).read(9, v);
  EXPECT_EQ(v.bytes[0], 0xab);
  EXPECT_EQ(v.bytes[31], 0xab);
}

TEST(HostInterface, ACorruptImageIsAnErrorNotACrash) {
  auto bytes = tsp::image::serialize(tsp::test::ProgramBuilder("mini").image());
  bytes[bytes.size() / 2] ^= 0xff;
  TspChip chip("chip", mini(), 0);
  HostDriver host("host", bytes, chip);
  host.pcie.bind(chip.host);
  sc_core::sc_start();
  EXPECT_EQ(host.result().status, hostmap::kError);
  EXPECT_NE(host.result().error.find("<host image>@0x"), std::string::npos) << host.result().error;
}

TEST(System, TwoChipsRunSideBySideInOneSimulation) {
  // Chip 0 copies in 6 cycles; chip 1 idles 40 cycles then copies: the
  // system's length is the longer chip's (40 + 6).
  tsp::test::ProgramBuilder b("mini", 2);
  for (uint32_t c = 0; c < 2; ++c) {
    b.sram("MEM.W.0", 5, std::vector<uint8_t>(32, static_cast<uint8_t>(c + 1)), c);
    if (c == 1) b.op("MEM.W.0", Op::NOP, {40}, c);
    b.op("MEM.W.0", Op::READ, {5, tsp::test::east(0)}, c);
    b.op("MEM.E.0", Op::NOP, {c == 1 ? 44 : 4}, c).op("MEM.E.0", Op::WRITE, {9, tsp::test::east(0)}, c);
  }
  const RunReport r = run_image(b.image(), {});
  ASSERT_TRUE(r.ok()) << r.first_error();
  ASSERT_EQ(r.chips.size(), 2u);
  EXPECT_EQ(r.chips[0].cycles, 6u);
  EXPECT_EQ(r.chips[1].cycles, 46u);
  EXPECT_EQ(r.cycles, 46u);
}
