// The chip's SystemC structure: one module per unit under the chip, the MEM
// slices as TLM targets behind the host socket's router, and the C2C
// attachment points exchanging vectors between two chips through a test wire
// with the ISA table's hop latency. Each TEST runs in its own process.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstring>

#include "systemc/chip/tsp_chip.hpp"
#include "systemc/host/host_driver.hpp"
#include "tests/model/engine_helpers.hpp"

using namespace tsp::model;
using tsp::isa::Op;
using tsp::test::east;
using tsp::test::expect_contains;
using tsp::test::west;

namespace {

const tsp::isa::Config& mini() { return *tsp::isa::find_config("mini"); }

// A link for tests: forwards every vector after `cycles` of the chip's clock.
struct Wire : sc_core::sc_module {
  tlm_utils::simple_target_socket<Wire> in;
  tlm_utils::simple_initiator_socket<Wire> out;
  sc_core::sc_time latency;
  Wire(sc_core::sc_module_name n, uint32_t cycles)
      : sc_module(n), in("in"), out("out"), latency(double(cycles) * 1e6 / mini().clock_mhz, sc_core::SC_PS) {
    in.register_b_transport(this, &Wire::forward);
  }
  void forward(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    delay += latency;
    out->b_transport(t, delay);
  }
};

std::vector<uint8_t> ramp(uint8_t from) {
  std::vector<uint8_t> v(32);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>(from + 5 * i);
  return v;
}

// Chip 0: MEM.E.3 READs at 0 onto S0.E, at C2C.4 (position 14) at 5: SEND.
// Chip 1: RECV on C2C.4 at `recv` onto S2.W, at MEM.E.3 (position 11) at
// recv + 1 + 3: WRITE to address 9. Chip 1 idles on MEM.W.0 until `idle`.
tsp::image::Image exchange(uint64_t recv, bool with_recv = true, uint64_t idle = 0) {
  tsp::test::ProgramBuilder b("mini", 2);
  b.sram("MEM.E.3", 0, ramp(21), 0);
  b.op("MEM.E.3", Op::READ, {0, east(0)}, 0);
  b.op("C2C.4", Op::NOP, {5}, 0).op("C2C.4", Op::SEND, {east(0)}, 0);
  if (with_recv) {
    b.op("C2C.4", Op::NOP, {int64_t(recv)}, 1).op("C2C.4", Op::RECV, {west(2)}, 1);
    b.op("MEM.E.3", Op::NOP, {int64_t(recv + 4)}, 1).op("MEM.E.3", Op::WRITE, {9, west(2)}, 1);
  }
  if (idle) b.op("MEM.W.0", Op::NOP, {int64_t(idle)}, 1);
  return b.image();
}

// Two chips, each loaded by its host, chip 0's link 4 wired to chip 1's;
// they start together, as every system does (start_barrier.hpp).
struct Pair {
  std::vector<uint8_t> bytes;
  TspChip c0{"chip0", mini(), 0}, c1{"chip1", mini(), 1};
  HostDriver h0, h1;
  Wire wire{"wire", mini().c2c_hop_latency_cycles};
  StartBarrier barrier{2, sc_core::sc_time(mini().hac_period_cycles * 1e6 / mini().clock_mhz, sc_core::SC_PS)};
  explicit Pair(const tsp::image::Image& img)
      : bytes(tsp::image::serialize(img)), h0("host0", bytes, c0), h1("host1", bytes, c1) {
    c0.set_start_barrier(&barrier);
    c1.set_start_barrier(&barrier);
    h0.pcie.bind(c0.host);
    h1.pcie.bind(c1.host);
    c0.c2c(4).tx.bind(wire.in);
    wire.out.bind(c1.c2c(4).rx);
  }
};

TEST(ChipModules, EveryUnitIsAModuleUnderTheChip) {
  TspChip chip("chip", mini(), 0);
  for (const char* name : {"chip.host", "chip.icu", "chip.streams", "chip.mem_w_0", "chip.mem_e_3", "chip.vxm",
                           "chip.mxm_w_0", "chip.mxm_e_0", "chip.sxm_w", "chip.sxm_e", "chip.c2c_0", "chip.c2c_7",
                           "chip.c2c_4.tx", "chip.c2c_4.rx", "chip.mem_e_3.sram"})
    EXPECT_NE(sc_core::sc_find_object(name), nullptr) << name;
  // Each unit module is driven by exactly its queues.
  size_t queues = 0;
  for (uint32_t p = 0; p < mini().mxm_planes; ++p) {
    EXPECT_EQ(chip.mxm_plane(p).queues().size(), mini().mxm_queues_per_plane);
    queues += chip.mxm_plane(p).queues().size();
  }
  for (uint32_t h = 0; h < 2; ++h) queues += chip.sxm(h).queues().size();
  EXPECT_EQ(queues, mini().mxm_queues + mini().sxm_queues);
  EXPECT_EQ(chip.vxm().queues().size(), mini().vxm_queues);
  EXPECT_EQ(chip.icu().queues().size(), mini().queues);
  EXPECT_EQ(chip.quantum(), 1u << 16);  // nothing bound: no link to keep in step with
}

TEST(ChipModules, UnitCountersFollowTheRun) {
  // VXM.3 adds two streams twice; MEM.W.0/MEM.E.0 copy one vector.
  tsp::test::ProgramBuilder b("mini");
  b.sram("MEM.W.0", 5, ramp(1));
  b.op("MEM.W.0", Op::READ, {5, east(0)});
  b.op("MEM.E.0", Op::NOP, {4}).op("MEM.E.0", Op::WRITE, {9, east(0)});
  const auto bytes = tsp::image::serialize(b.image());
  TspChip chip("chip", mini(), 0);
  HostDriver host("host", bytes, chip);
  host.pcie.bind(chip.host);
  sc_core::sc_start();
  ASSERT_EQ(host.result().status, hostmap::kDone) << host.result().error;
  const uint16_t w0 = *tsp::isa::find_queue(mini(), "MEM.W.0"), e0 = *tsp::isa::find_queue(mini(), "MEM.E.0");
  EXPECT_EQ(chip.icu().state(w0).instructions, 1u);
  EXPECT_EQ(chip.icu().state(w0).issued, 1u);
  EXPECT_EQ(chip.icu().state(e0).issued, 2u);  // NOP, WRITE
  EXPECT_EQ(chip.icu().state(e0).end, 5u);
  EXPECT_EQ(chip.icu().issued(), 3u);
  EXPECT_EQ(chip.vxm().issued(), 0u);
  // The value the WRITE took: S0.E at MEM.E.0 (position 9 on mini) in cycle 4.
  const Vec* v = chip.streams().value(tsp::isa::StreamRef{0, false}, mini().queue_table[e0].position, 4);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(std::vector<uint8_t>(v->bytes.begin(), v->bytes.begin() + 32), ramp(1));
}

// The host side of the register map, driven from the test itself.
struct RawHost : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<RawHost> pcie{"pcie"};
  explicit RawHost(sc_core::sc_module_name n) : sc_module(n) {}
  void write(uint64_t address, const void* data, uint32_t bytes) {
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_WRITE_COMMAND);
    t.set_address(address);
    t.set_data_ptr(static_cast<unsigned char*>(const_cast<void*>(data)));
    t.set_data_length(bytes);
    t.set_streaming_width(bytes);
    sc_core::sc_time delay;
    pcie->b_transport(t, delay);
    ASSERT_EQ(t.get_response_status(), tlm::TLM_OK_RESPONSE) << std::hex << address;
  }
  void write_reg(uint64_t address, uint64_t v) { write(address, &v, 8); }
};

TEST(ChipModules, ALoadConsumesTheStagedImage) {
  tsp::test::ProgramBuilder b("mini");
  b.op("MEM.W.0", Op::NOP, {4});
  const auto bytes = tsp::image::serialize(b.image());
  TspChip chip("chip", mini(), 0);
  RawHost host("host");
  host.pcie.bind(chip.host);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  host.write_reg(hostmap::kImageBytes, bytes.size());  // the size first, then the bytes in two bursts
  host.write(hostmap::kImage, bytes.data(), 64);
  host.write(hostmap::kImage + 64, bytes.data() + 64, uint32_t(bytes.size() - 64));
  host.write_reg(hostmap::kCtrl, hostmap::kLoad);
  ASSERT_EQ(chip.status(), hostmap::kLoaded) << chip.error();
  host.write_reg(hostmap::kCtrl, hostmap::kLoad);  // nothing staged since
  EXPECT_EQ(chip.status(), hostmap::kError);
  expect_contains(chip.error(), {fmt::format("image size register says {} bytes, only 0 were written", bytes.size())});
}

TEST(ChipModules, HostAccessesSpanningSlicesAreRoutedToEachSlice) {
  TspChip chip("chip", mini(), 0);
  struct Probe : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Probe> socket{"socket"};
    explicit Probe(sc_core::sc_module_name n) : sc_module(n) {}
  } probe("probe");
  probe.socket.bind(chip.host);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // elaboration completes the router's bindings
  // The last 16 bytes of slice 3 and the first 16 of slice 4, in one write.
  std::vector<uint8_t> out(32);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(0x40 + i);
  tlm::tlm_generic_payload t;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  t.set_command(tlm::TLM_WRITE_COMMAND);
  t.set_address(4 * mini().mem_slice_bytes - 16);
  t.set_data_ptr(out.data());
  t.set_data_length(32);
  t.set_streaming_width(32);
  probe.socket->b_transport(t, delay);
  ASSERT_TRUE(t.is_response_ok());
  EXPECT_EQ(t.get_address(), 4 * mini().mem_slice_bytes - 16);  // the router restores the host's view
  Vec v3, v4;
  chip.engine().slice(3).read(mini().mem_addresses - 1, v3);
  chip.engine().slice(4).read(0, v4);
  EXPECT_EQ(std::memcmp(v3.bytes.data() + 16, out.data(), 16), 0);
  EXPECT_EQ(std::memcmp(v4.bytes.data(), out.data() + 16, 16), 0);
  // A planned flip in slice 4 stops DMI there only, and the router says so.
  chip.add_flip(Flip{10, 4, 0, 0, 1});
  tlm::tlm_dmi dmi;
  t.set_address(4 * mini().mem_slice_bytes);
  EXPECT_FALSE(probe.socket->get_direct_mem_ptr(t, dmi));
  t.set_address(3 * mini().mem_slice_bytes);
  ASSERT_TRUE(probe.socket->get_direct_mem_ptr(t, dmi));
  EXPECT_EQ(dmi.get_start_address(), 3 * mini().mem_slice_bytes);
  EXPECT_EQ(dmi.get_dmi_ptr(), chip.engine().slice(3).page(0));
}

TEST(ChipModules, AMemSliceCompletesANonBlockingRequestAtOnce) {
  TspChip chip("chip", mini(), 0);
  std::vector<uint8_t> out(16, 0x5a);
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_WRITE_COMMAND);
  t.set_address(mini().vector_bytes * 2);  // vector 2, lanes 0..15
  t.set_data_ptr(out.data());
  t.set_data_length(16);
  t.set_streaming_width(16);
  tlm::tlm_phase phase = tlm::BEGIN_REQ;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(chip.mem_slice(1).nb_transport_fw(t, phase, delay), tlm::TLM_COMPLETED);
  ASSERT_TRUE(t.is_response_ok());
  Vec v;
  chip.engine().slice(1).read(2, v);
  EXPECT_EQ(std::memcmp(v.bytes.data(), out.data(), 16), 0);
  // No transaction of the slice's is outstanding for any other phase to refer to.
  phase = tlm::END_RESP;
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  EXPECT_EQ(chip.mem_slice(1).nb_transport_fw(t, phase, delay), tlm::TLM_COMPLETED);
  EXPECT_EQ(t.get_response_status(), tlm::TLM_GENERIC_ERROR_RESPONSE);
}

TEST(C2cPorts, TwoChipsExchangeAVectorWithTheHopLatency) {
  const uint64_t arrive = 5 + mini().c2c_hop_latency_cycles;  // SEND at 5, one hop
  Pair s(exchange(arrive));
  sc_core::sc_start();
  ASSERT_EQ(s.h0.result().status, hostmap::kDone) << s.h0.result().error;
  ASSERT_EQ(s.h1.result().status, hostmap::kDone) << s.h1.result().error;
  // Half the shortest cable's lookahead: frames land beyond every horizon.
  EXPECT_LT(s.c0.quantum(), (mini().c2c_hop_latency_cycles - mini().c2c_receive_window_cycles) / 2 + 1);
  EXPECT_EQ(s.c0.c2c(4).sent(), 1u);
  EXPECT_EQ(s.c1.c2c(4).received(), 1u);
  EXPECT_EQ(s.h1.result().cycles, arrive + 4 + 1 + 1);  // WRITE at arrive + 4, its slot, the stagger
  Vec v;
  s.c1.engine().slice(static_cast<uint16_t>(mini().mem_slices_per_hemisphere + 3)).read(9, v);
  EXPECT_EQ(std::vector<uint8_t>(v.bytes.begin(), v.bytes.begin() + 32), ramp(21));
}

TEST(C2cPorts, ARecvACycleEarlyNamesTheSenderAndTheArrival) {
  const uint64_t arrive = 5 + mini().c2c_hop_latency_cycles;
  Pair s(exchange(arrive - 1));
  sc_core::sc_start();
  EXPECT_EQ(s.h0.result().status, hostmap::kDone) << s.h0.result().error;
  ASSERT_EQ(s.c1.status(), hostmap::kError);
  expect_contains(s.c1.error(), {"chip 1, C2C.4 #1 `RECV S2.W`, cycle 220: the vector from chip 0, C2C.4 #1 `SEND "
                                 "S0.E`, cycle 5 arrived in cycle 221, RECV in cycle 220: 1 cycles after the RECV"});
}

TEST(C2cPorts, AVectorWhoseRecvComesLateIsAnErrorOnTheReceiver) {
  Pair late(exchange(500));  // arrives in 221, the RECV is at 500
  sc_core::sc_start();
  ASSERT_EQ(late.c1.status(), hostmap::kError);
  expect_contains(late.c1.error(),
                  {fmt::format("chip 1, link 4 (C2C.4): a vector arrived in cycle 221, RECV in cycle 500 (chip 1, "
                               "C2C.4 #1 `RECV S2.W`, cycle 500) and no RECV took it in its receive window (cycles "
                               "221..{}), so it would be lost; it was sent by chip 0, C2C.4 #1 `SEND S0.E`, cycle 5",
                               221 + mini().c2c_receive_window_cycles)});
}

TEST(C2cPorts, AVectorWhenNoRecvIsLeftIsAnError) {
  // Chip 1's only queue is a NOP 1000: running, but with nothing left to issue.
  Pair idle(exchange(0, false, 1000));
  sc_core::sc_start();
  ASSERT_EQ(idle.c1.status(), hostmap::kError);
  expect_contains(idle.c1.error(), {"chip 1, link 4: a vector from chip 0, C2C.4 #1 `SEND S0.E`, cycle 5 arrives in "
                                    "cycle 221, when the chip's program has no RECV left: no RECV can take it"});
}

TEST(C2cPorts, AVectorAfterTheReceiversProgramEndedIsAnError) {
  Pair ended(exchange(0, false, 10));  // chip 1 ends in cycle 10 + 1 (stagger)
  sc_core::sc_start();
  ASSERT_EQ(ended.c1.status(), hostmap::kError);
  expect_contains(ended.c1.error(), {"arrives in cycle 221, after the chip's program ended in cycle 11: no RECV can "
                                     "take it, so it would be lost"});
}

}  // namespace
