// The chip-to-chip link (systemc/c2c/c2c_link.hpp, docs/links.md) through
// run_image on a topology: hop latency per cable, serialisation as a
// resource, FEC against planted wire errors, jitter inside the receive window,
// plesiochronous clocks, and TLM seams a user's own models plug into. Each
// TEST runs in its own process (SystemC elaborates once per process).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "systemc/c2c/hac_alignment.hpp"
#include "systemc/host/host_driver.hpp"
#include "systemc/sim/run_image.hpp"
#include "tests/model/engine_helpers.hpp"

using namespace tsp::model;
using tsp::isa::Op;
using tsp::test::east;
using tsp::test::expect_contains;
using tsp::test::west;

namespace {

const tsp::isa::Config& mini() { return *tsp::isa::find_config("mini"); }

std::vector<uint8_t> ramp(uint8_t from) {
  std::vector<uint8_t> v(32);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>(from + 7 * i);
  return v;
}

// mini: MEM.W.0 sits at position 6, C2C.0 at 0. Chip 0 READs vector k (k = 0..)
// at cycle `first + k * gap - 8` onto S0.W: it passes C2C.0 at `first + k * gap`,
// where a SEND takes it. Chip 1 RECVs each at send + `hop` onto S1.E and
// MEM.W.0 writes it to address 10 + k seven cycles later (position 6, RECV latency 1).
tsp::image::Image stream_of(unsigned frames, uint64_t first, uint64_t gap, uint64_t hop) {
  tsp::test::ProgramBuilder b("mini", 2);
  for (unsigned k = 0; k < frames; ++k) b.sram("MEM.W.0", k, ramp(uint8_t(10 * k)), 0);
  std::map<std::string, uint64_t> free0, free1;
  const auto at = [&b](std::map<std::string, uint64_t>& free, uint32_t chip, const std::string& q, uint64_t t, Op op,
                       std::initializer_list<int64_t> operands) {
    if (t > free[q]) b.op(q, Op::NOP, {int64_t(t - free[q])}, chip);
    b.op(q, op, operands, chip);
    free[q] = t + 1;
  };
  for (unsigned k = 0; k < frames; ++k) {
    const uint64_t send = first + k * gap;
    at(free0, 0, "MEM.W.0", send - 8, Op::READ, {int64_t(k), west(0)});
    at(free0, 0, "C2C.0", send, Op::SEND, {west(0)});
    at(free1, 1, "C2C.0", send + hop, Op::RECV, {east(1)});
    at(free1, 1, "MEM.W.0", send + hop + 7, Op::WRITE, {int64_t(10 + k), east(1)});
  }
  return b.image();
}

tsp::topo::Topology pair(const std::string& cable = "copper", double ppm0 = 0, double ppm1 = 0) {
  return tsp::topo::parse_topology(fmt::format("chips 2\nclock 0 {}\nclock 1 {}\nlink 0.0 1.0 cable {}\n", ppm0, ppm1, cable),
                                   "test.topo", mini());
}

uint64_t hop(const std::string& cable) { return tsp::isa::c2c_hop_cycles(mini(), *tsp::isa::find_cable(cable)); }

// Runs on `t`; `got` receives the vectors chip 1 wrote to addresses 10.. of MEM.W.0.
RunReport run(const tsp::image::Image& img, const tsp::topo::Topology& t, WireErrorSpec wire = {},
              std::vector<std::vector<uint8_t>>* got = nullptr, unsigned frames = 0) {
  RunOptions o;
  o.topology = &t;
  o.wire = std::move(wire);
  o.inspect = [&](uint32_t chip, ChipEngine& e) {
    const uint16_t slice = tsp::isa::mem_slice_of(mini().queue_table[*tsp::isa::find_queue(mini(), "MEM.W.0")], mini());
    if (chip == 1 && got)
      for (unsigned k = 0; k < frames; ++k) got->push_back(tsp::test::sram_bytes(e, slice, 10 + k));
  };
  return run_image(img, o);
}

TEST(Link, EachCableDeliversInItsHopAndTheVectorsArriveBitExact) {
  // One process runs one simulation: the cables differ in the topology only.
  for (const char* cable : {"optical"}) {
    const auto img = stream_of(3, 20, mini().c2c_frame_cycles, hop(cable));
    std::vector<std::vector<uint8_t>> got;
    const RunReport r = run(img, pair(cable), {}, &got, 3);
    ASSERT_TRUE(r.ok()) << r.first_error();
    ASSERT_EQ(got.size(), 3u);
    for (unsigned k = 0; k < 3; ++k) EXPECT_EQ(got[k], ramp(uint8_t(10 * k))) << k;
    ASSERT_EQ(r.links.size(), 1u);
    EXPECT_EQ(r.links[0].hop_cycles, hop(cable));
    EXPECT_EQ(r.links[0].from_a.frames, 3u);
    EXPECT_EQ(r.links[0].from_a.busy_cycles, 3u * mini().c2c_frame_cycles);
    // The last WRITE at 20 + 2 gaps + hop + 7, its slot, the superlane stagger.
    EXPECT_EQ(r.cycles, 20 + 2 * mini().c2c_frame_cycles + hop(cable) + 7 + 1 + mini().superlanes - 1);
  }
}

TEST(Link, ASendWhileTheLastFrameIsOnTheWireIsAnErrorOnTheSender) {
  const auto img = stream_of(2, 20, mini().c2c_frame_cycles - 1, hop("copper"));
  const RunReport r = run(img, pair());
  ASSERT_FALSE(r.ok());
  expect_contains(r.first_error(), {fmt::format("chip 0, C2C.0 #3 `SEND S0.W`, cycle {}", 20 + mini().c2c_frame_cycles - 1),
                                    fmt::format("link 0 busy until cycle {}: the frame sent in cycle 20 is still being "
                                                "serialised ({} cycles per frame",
                                                20 + mini().c2c_frame_cycles, mini().c2c_frame_cycles)});
}

TEST(Link, TheFecCorrectsWhatItCanAndTheRecvFailsOnTheRest) {
  // Frame 0: one bit in each of 15 symbols (corrected). Frame 1: 16 symbols (not).
  WireErrorSpec wire;
  for (uint32_t s = 0; s < tsp::isa::kFecT; ++s) wire.flips.push_back(LinkFlip{0, 0, 20, s * 10 + s % 10});
  const uint64_t second = 20 + mini().c2c_frame_cycles;
  for (uint32_t s = 0; s <= tsp::isa::kFecT; ++s) wire.flips.push_back(LinkFlip{0, 0, second, s * 10});
  const RunReport r = run(stream_of(2, 20, mini().c2c_frame_cycles, hop("copper")), pair(), wire);
  ASSERT_FALSE(r.ok());
  expect_contains(r.first_error(), {fmt::format("chip 1, C2C.0 #3 `RECV S1.E`, cycle {}: the frame from chip 0, C2C.0 "
                                                "#3 `SEND S0.W`, cycle {}",
                                                second + hop("copper"), second),
                                    "is uncorrectable: 16 bit(s) flipped on link0 (test.topo:4), more than the FEC "
                                    "corrects (15 symbols); links do not retransmit"});
  ASSERT_EQ(r.links.size(), 1u);
  EXPECT_EQ(r.links[0].from_a.corrected_symbols, tsp::isa::kFecT);
  EXPECT_EQ(r.links[0].from_a.corrected_frames, 1u);
  EXPECT_EQ(r.links[0].from_a.uncorrectable_frames, 1u);
  EXPECT_EQ(r.links[0].from_a.bit_errors, 2u * tsp::isa::kFecT + 1);
}

TEST(Link, JitterStaysInsideTheReceiveWindow) {
  WireErrorSpec wire;
  wire.jitter = true;
  wire.seed = 5;
  const unsigned frames = 40;
  std::vector<std::vector<uint8_t>> got;
  const RunReport r = run(stream_of(frames, 20, mini().c2c_frame_cycles, hop("copper")), pair(), wire, &got, frames);
  ASSERT_TRUE(r.ok()) << r.first_error();
  EXPECT_GT(r.links[0].from_a.max_jitter_cycles, 0);  // it did move frames
  EXPECT_LE(r.links[0].from_a.max_jitter_cycles, int64_t(mini().c2c_receive_window_cycles / 2));
  for (unsigned k = 0; k < frames; ++k) EXPECT_EQ(got[k], ramp(uint8_t(10 * k))) << k;
}

TEST(Link, DriftingClocksMissTheRecvWithoutDeskew) {
  // 3,000 cycles apart at +-1000 ppm is 6 cycles of drift per exchange; by the
  // fourth the frame lands past its window.
  const auto img = stream_of(8, 20, 3000, hop("copper"));
  const RunReport r = run(img, pair("copper", 1000, -1000));
  ASSERT_FALSE(r.ok());
  expect_contains(r.first_error(), {"arrived in cycle", "RECV in cycle"});
}

// A user's own model of the far chip: takes chip 0's frames from the link's
// tx side and sends each back after one hop, into chip 0's rx.
struct Echo : sc_core::sc_module {
  tlm_utils::simple_target_socket<Echo> in;
  tlm_utils::simple_initiator_socket<Echo> out;
  unsigned seen = 0;
  explicit Echo(sc_core::sc_module_name n) : sc_module(n), in("in"), out("out") {
    in.register_b_transport(this, &Echo::echo);
  }
  void echo(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    ++seen;
    for (unsigned i = 0; i < t.get_data_length(); ++i) t.get_data_ptr()[i] ^= 0xff;
    delay += sc_core::sc_time(double(mini().c2c_hop_latency_cycles) * 1e6 / mini().clock_mhz, sc_core::SC_PS);
    out->b_transport(t, delay);
  }
};

TEST(Link, AUsersOwnTargetStandsInForTheFarEnd) {
  tsp::test::ProgramBuilder b("mini", 1);
  b.sram("MEM.W.0", 0, ramp(3), 0);
  b.op("MEM.W.0", Op::READ, {0, west(0)}, 0);
  b.op("C2C.0", Op::NOP, {8}, 0).op("C2C.0", Op::SEND, {west(0)}, 0);
  const int64_t back = 8 + mini().c2c_hop_latency_cycles;
  b.op("C2C.0", Op::NOP, {back - 9}, 0).op("C2C.0", Op::RECV, {east(1)}, 0);
  b.op("MEM.W.0", Op::NOP, {back + 7 - 1}, 0).op("MEM.W.0", Op::WRITE, {4, east(1)}, 0);
  const std::vector<uint8_t> bytes = tsp::image::serialize(b.image());
  TspChip chip("chip0", mini(), 0);
  HostDriver host("host0", bytes, chip);
  Echo echo("echo");
  host.pcie.bind(chip.host);
  chip.c2c(0).tx.bind(echo.in);
  echo.out.bind(chip.c2c(0).rx);
  sc_core::sc_start();
  ASSERT_EQ(host.result().status, hostmap::kDone) << host.result().error;
  EXPECT_EQ(echo.seen, 1u);
  std::vector<uint8_t> want = ramp(3);
  for (auto& x : want) x ^= 0xff;
  EXPECT_EQ(tsp::test::sram_bytes(chip.engine(), b.slice("MEM.W.0"), 4), want);
}

}  // namespace

namespace {

// All chips start at one instant, but SystemC wakes their threads one after
// another: a frame sent by the first must reach a receiver that has not woken
// yet as a running chip's (found by the multi-chip examples).
TEST(Link, AFrameSentAtTheStartInstantReachesAChipNotYetWoken) {
  tsp::test::ProgramBuilder b("mini", 2);
  b.op("MEM.W.0", Op::READ, {0, west(0)}, 0);
  b.op("C2C.0", Op::NOP, {8}, 0).op("C2C.0", Op::SEND, {west(0)}, 0);
  b.op("C2C.0", Op::NOP, {int64_t(8 + hop("copper"))}, 1).op("C2C.0", Op::RECV, {east(0)}, 1);
  const RunReport r = run(b.image(), pair());
  ASSERT_TRUE(r.ok()) << r.first_error();
  EXPECT_EQ(r.links[0].from_a.frames, 1u);
}

}  // namespace

namespace {

// HAC bring-up (systemc/c2c/hac_alignment.hpp): exact at equal clocks; where a
// marker lands on a clock edge at nominal rates (the optical cable's wire is a
// whole 99 cycles), a faster receiver captures it an edge later and its
// epochs lag the root's by that one cycle.
TEST(HacAlignment, ExactAtEqualClocksAndACaptureEdgeOtherwise) {
  const tsp::topo::Topology fly = tsp::topo::builtin_topology("dragonfly2", *tsp::isa::find_config("tsp1"));
  for (const HacAlignment& h : align_hacs(fly, *tsp::isa::find_config("tsp1"))) EXPECT_EQ(h.offset_ps, 0.0);
  const auto at = [&](double ppm1) { return align_hacs(pair("optical", 0, ppm1), mini())[1]; };
  EXPECT_EQ(at(0).offset_ps, 0.0);
  EXPECT_EQ(at(-1000).offset_ps, 0.0);
  const HacAlignment fast = at(1000);
  EXPECT_EQ(fast.depth, 1u);
  EXPECT_NEAR(fast.offset_ps, fast.clock.period_ps(mini().clock_mhz), 1e-6);  // one of its own cycles
  // Its DESKEW then ends an edge later than the root's epoch would put it.
  const ChipClock unaligned{1000, 0, 0};
  EXPECT_EQ(fast.clock.next_epoch(10, mini().hac_period_cycles), unaligned.next_epoch(10, mini().hac_period_cycles) + 1);
}

}  // namespace
