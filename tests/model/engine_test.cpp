// Timing and error rules of the engine on the `mini` chip. Every expected cycle
// is worked out by hand from docs/timing.md and the floorplan positions:
// a value produced at position p at cycle T is at q at T + |q - p|.
#include <gtest/gtest.h>

#include <numeric>

#include "systemc/engine/chip_engine.hpp"
#include "tests/model/program_builder.hpp"

using tsp::isa::Op;
using tsp::model::ChipEngine;
using tsp::model::Cycle;
using tsp::model::ScheduleError;
using tsp::model::StreamFabric;
using tsp::model::Vec;
using tsp::test::east;
using tsp::test::ProgramBuilder;
using tsp::test::west;

namespace {

std::vector<uint8_t> ramp(uint8_t start, size_t n = 32) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

std::vector<uint8_t> sram(ChipEngine& e, uint16_t slice, uint32_t address) {
  Vec v;
  e.slice(slice).read(address, v);
  return {v.bytes.begin(), v.bytes.begin() + e.config().lanes};
}

std::string run_error(const ProgramBuilder& b) {
  try {
    ChipEngine e(b.image(), 0);
    e.run_until(~0ull);
  } catch (const ScheduleError& err) {
    return err.what();
  }
  return "no error";
}

// W.0 reads at cycle 0: on S0.E at W.0 at cycle 2 (READ latency), at E.0 two
// positions east at cycle 4.
ProgramBuilder copy_program(int64_t write_cycle) {
  ProgramBuilder b("mini");
  b.sram("MEM.W.0", 5, ramp(1));
  b.op("MEM.W.0", Op::READ, {5, east(0)});
  b.op("MEM.E.0", Op::NOP, {write_cycle});
  b.op("MEM.E.0", Op::WRITE, {9, east(0)});
  return b;
}

}  // namespace

TEST(Engine, FloorplanOfMini) {
  ProgramBuilder b("mini");
  EXPECT_EQ(b.position("MEM.W.0"), 6u);
  EXPECT_EQ(b.position("MEM.E.0"), 8u);
  EXPECT_EQ(b.position("SXM.W.0"), 2u);
  EXPECT_EQ(b.position("MEM.W.3"), 3u);
}

TEST(Engine, CopyArrivesExactlyWhenTheRulesSay) {
  ProgramBuilder b = copy_program(4);
  ChipEngine e(b.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(sram(e, b.slice("MEM.E.0"), 9), ramp(1));
  // Last result: WRITE at 4 (+0 latency, +1) = 5; plus 1 cycle of superlane stagger (2 superlanes).
  EXPECT_EQ(e.end_cycle(), 6u);
  EXPECT_EQ(e.stats().instructions[size_t(tsp::isa::Unit::MEM)], 2u);
}

// A chip loaded again runs the program afresh: no port use, flip or cycle of
// the earlier run carries over (the same WRITE in the same cycle would
// otherwise find its own earlier use of the port).
TEST(Engine, LoadingAgainRunsTheProgramAfresh) {
  ProgramBuilder b = copy_program(4);
  ChipEngine e(b.image(), 0);
  e.add_flip({50, b.slice("MEM.W.0"), 5, 0, 3});  // never reached: the run ends at 6
  ASSERT_TRUE(e.run_until(~0ull));
  e.load(b.image());
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(e.end_cycle(), 6u);
  EXPECT_EQ(e.stats().instructions[size_t(tsp::isa::Unit::MEM)], 2u);
  EXPECT_EQ(sram(e, b.slice("MEM.E.0"), 9), ramp(1));
  ProgramBuilder longer = copy_program(4);  // runs past cycle 50, where the first run's flip was planned
  longer.op("MEM.W.1", Op::NOP, {60}).op("MEM.W.1", Op::NOP, {1});
  e.load(longer.image());
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(e.end_cycle(), 62u);
  Vec v;
  EXPECT_EQ(e.slice(b.slice("MEM.W.0")).read(5, v).corrected, 0u);
}

// A stream slot tells wavefronts apart by a 32-bit tag (stream_fabric.hpp):
// a run that reaches StreamFabric::kMaxCycle stops there with a located error
// instead of mistaking one wavefront for another.
TEST(Engine, ARunBeyondTheLongestTheModelHoldsIsAnError) {
  ProgramBuilder b("mini");
  b.sram("MEM.W.0", 5, ramp(1));
  const int64_t nop = 0xffffffff;
  for (Cycle t = 0; t < StreamFabric::kMaxCycle; t += nop) b.op("MEM.W.0", Op::NOP, {nop});
  b.op("MEM.W.0", Op::READ, {5, east(0)});
  const std::string error = run_error(b);
  EXPECT_NE(error.find("chip 0: cycle "), std::string::npos) << error;
  EXPECT_NE(error.find("is beyond the longest run the model holds"), std::string::npos) << error;
}

// Chips whose queue carries the same words and source lines share one decoded
// program (decoded_queue.hpp); any other difference gets its own, and each
// chip still runs its own program to its own end.
TEST(Engine, ChipsWithTheSameQueueProgramShareItsDecodedForm) {
  const ProgramBuilder b = copy_program(4);
  ProgramBuilder longer = copy_program(4);
  longer.op("MEM.W.1", Op::NOP, {60});
  ChipEngine e1(b.image(), 0), e2(b.image(), 0), e3(longer.image(), 0);
  const auto w0 = static_cast<uint16_t>(*tsp::isa::find_queue(e1.config(), "MEM.W.0"));
  ASSERT_NE(e1.queue_code(w0), nullptr);
  EXPECT_EQ(e1.queue_code(w0), e2.queue_code(w0));
  EXPECT_EQ(e1.queue_code(w0), e3.queue_code(w0));  // MEM.W.0's words are the same in both programs
  const auto w1 = static_cast<uint16_t>(*tsp::isa::find_queue(e1.config(), "MEM.W.1"));
  ASSERT_NE(e3.queue_code(w1), nullptr);
  EXPECT_NE(e1.queue_code(w1), e3.queue_code(w1));
  tsp::image::Image relocated = b.image();  // the same words from another source line
  for (auto& q : relocated.chips[0].queues)
    if (q.queue == w0) {
      q.locs.assign(q.words.size(), tsp::image::SourceLoc{0, 7});
      if (relocated.files.empty()) relocated.files.push_back("elsewhere.tsp");
    }
  ChipEngine e4(relocated, 0);
  EXPECT_NE(e1.queue_code(w0), e4.queue_code(w0));
  for (ChipEngine* e : {&e1, &e2, &e3}) ASSERT_TRUE(e->run_until(~0ull));
  EXPECT_EQ(e1.end_cycle(), 6u);
  EXPECT_EQ(e3.end_cycle(), 61u);
}

// A READ of a slice the program never writes puts a reference to the SRAM
// vector on its stream instead of a copy; the value must still be the one read.
TEST(Engine, HostWriteBetweenRunsLeavesTheValueInFlight) {
  ProgramBuilder b = copy_program(4);
  ChipEngine e(b.image(), 0);
  ASSERT_FALSE(e.run_until(2));  // READ issued at 0, WRITE at 4: the value is on S0.E
  Vec v;
  const auto bytes = ramp(100);
  std::copy(bytes.begin(), bytes.end(), v.bytes.begin());
  e.slice(b.slice("MEM.W.0")).write(5, v);  // as the host does through DMI between quanta
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(sram(e, b.slice("MEM.E.0"), 9), ramp(1));
  EXPECT_EQ(sram(e, b.slice("MEM.W.0"), 5), ramp(100));
}

TEST(Engine, FlipAfterTheReadLeavesTheValueInFlight) {
  ProgramBuilder b = copy_program(4);
  ChipEngine e(b.image(), 0);
  e.add_flip({1, b.slice("MEM.W.0"), 5, 0, 3});  // the READ (array access in cycle 0) saw the word clean
  e.add_flip({1, b.slice("MEM.W.0"), 5, 0, 9});
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(sram(e, b.slice("MEM.E.0"), 9), ramp(1));
  EXPECT_EQ(e.stats().ecc_corrected, 0u);
}

TEST(Engine, ReadingOneCycleEarlyOrLateIsAnError) {
  for (int64_t wrong : {3, 5}) {
    const std::string msg = run_error(copy_program(wrong));
    EXPECT_NE(msg.find("chip 0, MEM.E.0 #1 `WRITE 0x9, S0.E`, cycle " + std::to_string(wrong)), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("stream S0.E holds no value at MEM.E.0 (position 8)"), std::string::npos) << msg;
  }
}

TEST(Engine, DownstreamProducerReplacesTheValue) {
  // W.1 (position 5) reads at 0: S0.E at 5 in cycle 2, wavefront 5-2 = 3. W.0
  // (position 6) reads at 1: at 6 in cycle 3, the same wavefront; from 6 on it wins.
  ProgramBuilder b("mini");
  b.sram("MEM.W.1", 0, ramp(10)).sram("MEM.W.0", 0, ramp(100));
  b.op("MEM.W.1", Op::READ, {0, east(0)});
  b.op("MEM.W.0", Op::NOP, {1}).op("MEM.W.0", Op::READ, {0, east(0)});
  b.op("MEM.E.0", Op::NOP, {5}).op("MEM.E.0", Op::WRITE, {1, east(0)});
  ChipEngine e(b.image(), 0);
  e.run_until(~0ull);
  EXPECT_EQ(sram(e, b.slice("MEM.E.0"), 1), ramp(100));
}

TEST(Engine, TwoProducersOnOneSlotConflict) {
  // MEM.W.3 (position 3) reads westward at 0: at SXM.W (position 2) in cycle 3.
  ProgramBuilder b("mini");
  b.op("MEM.W.3", Op::READ, {0, west(1)});
  b.op("SXM.W.0", Op::NOP, {3}).op("SXM.W.0", Op::SHIFTUP, {east(0), west(1), 1});
  b.op("SXM.W.1", Op::NOP, {3}).op("SXM.W.1", Op::SHIFTUP, {east(0), west(1), 2});
  const std::string msg = run_error(b);
  EXPECT_NE(msg.find("SXM.W.1 #1 `SHIFTUP S0.E, S1.W, 2`, cycle 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("stream S0.E at SXM.W.1 (position 2) in cycle 5 is already written by SXM.W.0 #1"),
            std::string::npos)
      << msg;
}

TEST(Engine, ShiftUpMovesLanesAndFillsZeros) {
  ProgramBuilder b("mini");
  b.sram("MEM.W.3", 0, ramp(1));
  b.op("MEM.W.3", Op::READ, {0, west(1)});                                          // at SXM.W in cycle 3
  b.op("SXM.W.0", Op::NOP, {3}).op("SXM.W.0", Op::SHIFTUP, {east(2), west(1), 3});  // S2.E at 2 in cycle 5
  b.op("MEM.W.3", Op::NOP, {5}).op("MEM.W.3", Op::WRITE, {1, east(2)});             // at 3 in cycle 6
  ChipEngine e(b.image(), 0);
  e.run_until(~0ull);
  std::vector<uint8_t> want(32, 0);
  for (int l = 3; l < 32; ++l) want[l] = static_cast<uint8_t>(l - 3 + 1);
  EXPECT_EQ(sram(e, b.slice("MEM.W.3"), 1), want);
}

TEST(Engine, ReadAndWriteOfOneBankInOneCycleConflict) {
  for (int64_t read_addr : {4, 5}) {  // bank = address mod 2: 4 shares bank 0 with address 2, 5 does not
    ProgramBuilder b("mini");
    b.op("MEM.W.1", Op::READ, {0, east(0)});                               // at W.0 (position 6) in cycle 3
    b.op("MEM.W.0", Op::NOP, {3}).op("MEM.W.0", Op::WRITE, {2, east(0)});  // array written in cycle 4
    b.op("MEM.W.0", Op::READ, {read_addr, east(1)});                       // array read in cycle 4
    const std::string msg = run_error(b);
    if (read_addr == 5) {
      EXPECT_EQ(msg, "no error");
      continue;
    }
    EXPECT_NE(msg.find("MEM.W.0 #2 `READ 0x4, S1.E`, cycle 4: bank conflict on MEM.W.0 in cycle 4"), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("the write by MEM.W.0 #1 `WRITE 0x2, S0.E`"), std::string::npos) << msg;
  }
}

TEST(Engine, SingleBitErrorsAreCorrectedAndCounted) {
  ProgramBuilder b = copy_program(4);
  ChipEngine e(b.image(), 0);
  e.add_flip({0, b.slice("MEM.W.0"), 5, 1, 7});
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(e.stats().ecc_corrected, 1u);
  EXPECT_EQ(sram(e, b.slice("MEM.E.0"), 9), ramp(1));
}

TEST(Engine, DoubleBitErrorsStopTheRunWithTheirPlace) {
  ProgramBuilder b = copy_program(4);
  ChipEngine e(b.image(), 0);
  e.add_flip({0, b.slice("MEM.W.0"), 5, 1, 7});
  e.add_flip({0, b.slice("MEM.W.0"), 5, 1, 130});
  try {
    e.run_until(~0ull);
    FAIL() << "no error";
  } catch (const ScheduleError& err) {
    EXPECT_NE(std::string(err.what())
                  .find("uncorrectable ECC error (two or more flipped bits) in MEM.W.0 address "
                        "0x5 superlane 1"),
              std::string::npos)
        << err.what();
  }
}

TEST(Engine, RepeatStridesTheAddress) {
  ProgramBuilder b("mini");
  for (uint8_t i = 0; i < 4; ++i) b.sram("MEM.W.0", i, ramp(static_cast<uint8_t>(10 * i)));
  b.op("MEM.W.0", Op::READ, {0, east(0)}).op("MEM.W.0", Op::REPEAT, {3, 1, 1});  // cycles 0..3, addresses 0..3
  b.op("MEM.E.0", Op::NOP, {4}).op("MEM.E.0", Op::WRITE, {10, east(0)}).op("MEM.E.0", Op::REPEAT, {3, 1, 1});
  ChipEngine e(b.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  for (uint8_t i = 0; i < 4; ++i) EXPECT_EQ(sram(e, b.slice("MEM.E.0"), 10u + i), ramp(static_cast<uint8_t>(10 * i)));
  // E.0: WRITE at 4, REPEAT slots 5..7, ends at 8; plus 1 stagger cycle.
  EXPECT_EQ(e.end_cycle(), 9u);
}

TEST(Engine, NotifyReleasesSyncTheNextCycle) {
  // W.1 notifies at 10, so W.0's READ issues at 11: at W.0 in 13, at E.0 in 15.
  ProgramBuilder b("mini");
  b.sram("MEM.W.0", 5, ramp(7));
  b.op("MEM.W.0", Op::SYNC, {}).op("MEM.W.0", Op::READ, {5, east(0)});
  b.op("MEM.W.1", Op::NOP, {10}).op("MEM.W.1", Op::NOTIFY, {});
  b.op("MEM.E.0", Op::NOP, {15}).op("MEM.E.0", Op::WRITE, {9, east(0)});
  ChipEngine e(b.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(sram(e, b.slice("MEM.E.0"), 9), ramp(7));
}

TEST(Engine, SyncWithoutNotifyIsReported) {
  ProgramBuilder b("mini");
  b.op("MEM.W.0", Op::NOP, {2}).op("MEM.W.0", Op::SYNC, {});
  const std::string msg = run_error(b);
  EXPECT_NE(msg.find("MEM.W.0 #1 `SYNC`, cycle 2: SYNC waits for a NOTIFY that never comes"), std::string::npos) << msg;
}

TEST(Engine, LoneChipLinksHaveNoPeer) {
  ProgramBuilder b("mini");
  b.op("MEM.W.0", Op::READ, {0, east(0)});
  b.op("C2C.1", Op::RECV, {east(3)});
  EXPECT_NE(run_error(b).find("link 1 is not connected: no vector arrives"), std::string::npos);
}
