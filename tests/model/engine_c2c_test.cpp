// The engine's C2C attachment points (systemc/engine/link.hpp) on `mini`: a
// SEND hands its vector and cycle to the attached sink, a delivered vector is
// taken by the RECV of exactly its arrival cycle, and every way a vector could
// go astray is a located error. Cycles are worked out by hand below.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/model/engine_helpers.hpp"

using tsp::isa::Op;
using tsp::model::ChipEngine;
using tsp::model::LinkFrame;
using namespace tsp::test;

namespace {

const tsp::isa::Config& mini() { return *tsp::isa::find_config("mini"); }

struct Capture : tsp::model::LinkSink {
  std::vector<LinkFrame> frames;
  void transmit(const LinkFrame& f) override { frames.push_back(f); }
};

std::vector<uint8_t> ramp(uint8_t from) {
  std::vector<uint8_t> v(32);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>(from + 3 * i);
  return v;
}

LinkFrame frame_of(const std::vector<uint8_t>& bytes) {
  LinkFrame f;
  std::copy(bytes.begin(), bytes.end(), f.payload.bytes.begin());
  f.chip = 7;
  f.link = 2;
  f.sent = 40;
  f.from = "chip 7's SEND";
  return f;
}

// RECV on C2C.4 (position 14) in cycle `recv` puts the vector on S2.W there
// at recv + 1 (latency 1); it reaches MEM.E.3 (position 11) at recv + 4,
// where a WRITE stores it at address 9.
Timed receiver(uint64_t recv) {
  Timed p;
  p.at("C2C.4", recv, Op::RECV, {west(2)});
  p.at("MEM.E.3", recv + 4, Op::WRITE, {9, west(2)});
  return p;
}

std::string error_of(ChipEngine& e) {
  try {
    e.run_until(~0ull);
  } catch (const tsp::Error& err) {
    return err.what();
  }
  return "no error";
}

TEST(EngineC2c, SendHandsTheVectorAndItsCycleToTheLink) {
  // MEM.E.3 READs at 0 onto S0.E: at C2C.4 (position 14) at 2 + 3 = 5.
  Timed p;
  p.b.sram("MEM.E.3", 0, ramp(11));
  p.at("MEM.E.3", 0, Op::READ, {0, east(0)});
  p.at("C2C.4", 5, Op::SEND, {east(0)});
  ChipEngine e(p.image(), 0);
  Capture link;
  e.attach_link(4, &link, false);
  ASSERT_TRUE(e.run_until(~0ull));
  ASSERT_EQ(link.frames.size(), 1u);
  EXPECT_EQ(link.frames[0].sent, 5u);
  EXPECT_EQ(link.frames[0].chip, 0u);
  EXPECT_EQ(link.frames[0].link, 4u);
  EXPECT_EQ(std::vector<uint8_t>(link.frames[0].payload.bytes.begin(), link.frames[0].payload.bytes.begin() + 32),
            ramp(11));
  EXPECT_EQ(link.frames[0].from, "chip 0, C2C.4 #1 `SEND S0.E`, cycle 5") << link.frames[0].from;
  EXPECT_EQ(e.queue_issued(*tsp::isa::find_queue(e.config(), "C2C.4")), 2u);  // NOP 5, SEND
}

TEST(EngineC2c, RecvTakesTheVectorArrivingInItsCycle) {
  Timed p = receiver(300);
  ChipEngine e(p.image(), 0);
  e.attach_link(4, nullptr, true);
  e.deliver(4, 300, frame_of(ramp(50)));
  ASSERT_TRUE(e.run_until(~0ull)) << "queues still running";
  EXPECT_EQ(sram_bytes(e, p.b.slice("MEM.E.3"), 9), ramp(50));
  EXPECT_EQ(e.end_cycle(), 306u);  // WRITE at 304, its slot ends at 305, plus mini's superlane stagger of 1
}

TEST(EngineC2c, RecvTakesAVectorFromAnywhereInItsReceiveWindow) {
  const uint64_t window = mini().c2c_receive_window_cycles;
  for (uint64_t recv : {300u, 301u, unsigned(300 + window)}) {
    Timed p = receiver(recv);
    ChipEngine e(p.image(), 0);
    e.attach_link(4, nullptr, true);
    e.deliver(4, 300, frame_of(ramp(50)));
    ASSERT_TRUE(e.run_until(~0ull)) << recv;
    EXPECT_EQ(sram_bytes(e, p.b.slice("MEM.E.3"), 9), ramp(50)) << recv;
  }
}

TEST(EngineC2c, ARecvBeforeTheArrivalOrPastItsWindowSaysWhen) {
  const uint64_t window = mini().c2c_receive_window_cycles;
  for (uint64_t recv : {299u, unsigned(300 + window + 1)}) {
    Timed p = receiver(recv);
    ChipEngine e(p.image(), 0);
    e.attach_link(4, nullptr, true);
    e.deliver(4, 300, frame_of(ramp(50)));
    const std::string msg = error_of(e);
    if (recv == 299)
      expect_contains(msg, {"chip 0, C2C.4 #1 `RECV S2.W`, cycle 299: the vector from chip 7's SEND arrived in cycle "
                            "300, RECV in cycle 299: 1 cycles after the RECV"});
    else  // the window closes before the RECV issues: the link check reports it, naming the RECV
      expect_contains(msg, {fmt::format("error: chip 0, link 4 (C2C.4): a vector arrived in cycle 300, RECV in cycle "
                                        "{0} (chip 0, C2C.4 #1 `RECV S2.W`, cycle {0}) and no RECV took it in its "
                                        "receive window (cycles 300..{1}), so it would be lost; it was sent by chip "
                                        "7's SEND",
                                        recv, recv - 1)});
  }
}

TEST(EngineC2c, AnUncorrectableFrameFailsTheRecvThatTakesIt) {
  Timed p = receiver(300);
  ChipEngine e(p.image(), 0);
  e.attach_link(4, nullptr, true);
  LinkFrame f = frame_of(ramp(50));
  f.uncorrectable = "17 bit(s) flipped on link0";
  e.deliver(4, 300, f);
  expect_contains(error_of(e), {"C2C.4 #1 `RECV S2.W`, cycle 300: the frame from chip 7's SEND that arrived in cycle "
                                "300 is uncorrectable: 17 bit(s) flipped on link0; links do not retransmit"});
}

TEST(EngineC2c, AVectorNobodyReceivesIsAnErrorNotADrop) {
  // The program ends at cycle 1; the link check keeps the chip running to the window's end.
  Timed p;
  p.at("MEM.W.0", 0, Op::NOP, {1});
  ChipEngine e(p.image(), 0);
  e.attach_link(4, nullptr, true);
  e.deliver(4, 100, frame_of(ramp(1)));
  expect_contains(error_of(e), {"chip 0, link 4 (C2C.4): a vector arrived in cycle 100 and no RECV took it"});
}

TEST(EngineC2c, DeliveringIntoThePastOrTwicePerCycleIsRefused) {
  Timed p = receiver(300);
  ChipEngine e(p.image(), 0);
  e.attach_link(4, nullptr, true);
  EXPECT_FALSE(e.run_until(200));
  EXPECT_EQ(e.horizon(), 200u);
  try {
    e.deliver(4, 199, frame_of(ramp(1)));
    ADD_FAILURE() << "no error";
  } catch (const tsp::Error& err) {
    expect_contains(err.what(), {"chip 0, link 4 (C2C.4): a vector from chip 7's SEND arrives in cycle 199, but the "
                                 "chip has already run to cycle 200: the link is faster than the synchronisation "
                                 "quantum"});
  }
  e.deliver(4, 300, frame_of(ramp(1)));
  try {
    e.deliver(4, 300, frame_of(ramp(2)));
    ADD_FAILURE() << "no error";
  } catch (const tsp::Error& err) {
    expect_contains(err.what(), {"arrives in cycle 300, not after the one arriving in cycle 300"});
  }
  ASSERT_TRUE(e.run_until(~0ull));  // the first one is still received
  EXPECT_EQ(sram_bytes(e, p.b.slice("MEM.E.3"), 9), ramp(1));
}

TEST(EngineC2c, UnattachedLinksKeepTheLoneChipMessages) {
  Timed p = receiver(10);
  expect_contains(run_error(p.image()), {"C2C.4 #1 `RECV S2.W`, cycle 10: link 4 is not connected: no vector arrives"});
}

// The bound distributed windows grow to (ChipEngine::next_send_bound): at
// every point of the run, the cycle of the next SEND on the links asked
// about, exact when only NOPs and unit ops lie before it, and "never" once
// none is left or for links no SEND uses.
TEST(EngineC2c, NextSendBoundIsTheNextSendsCycle) {
  Timed p;
  p.b.sram("MEM.E.3", 0, ramp(11));
  for (uint64_t send : {5, 105, 300}) {
    p.at("MEM.E.3", send - 5, Op::READ, {0, east(0)});  // reaches C2C.4 at send (see above)
    p.at("C2C.4", send, Op::SEND, {east(0)});
  }
  ChipEngine e(p.image(), 0);
  Capture link;
  e.attach_link(4, &link, false);
  std::vector<uint8_t> link4(e.config().c2c_links, 0), others(e.config().c2c_links, 1);
  link4[4] = 1;
  others[4] = 0;
  EXPECT_EQ(e.next_send_bound(link4), 5u);  // loaded, not started
  EXPECT_EQ(e.next_send_bound(others), ChipEngine::kNever);
  const std::vector<std::pair<uint64_t, uint64_t>> steps = {{3, 5},     {6, 105},   {50, 105},
                                                            {105, 105}, {106, 300}, {299, 300}};
  for (const auto& [limit, next] : steps) {
    e.run_until(limit);
    EXPECT_EQ(e.next_send_bound(link4), next) << "after running to cycle " << limit;
  }
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(e.next_send_bound(link4), ChipEngine::kNever);
  ASSERT_EQ(link.frames.size(), 3u);
  EXPECT_EQ(link.frames[2].sent, 300u);
}

}  // namespace
