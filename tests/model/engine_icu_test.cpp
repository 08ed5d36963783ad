// ICU instructions, program length and the remaining error paths on `mini`.
// Every error names chip, queue, instruction number, disassembly, cycle and reason.
#include <gtest/gtest.h>

#include "tests/model/engine_helpers.hpp"

using tsp::isa::Op;
using tsp::model::ChipEngine;
using namespace tsp::test;

namespace {

uint64_t end_of(const tsp::image::Image& img) {
  ChipEngine e(img, 0);
  EXPECT_TRUE(e.run_until(~0ull));
  return e.end_cycle();
}

TEST(EngineIcu, RepeatAfterAnIcuInstructionIsAnError) {
  ProgramBuilder b("mini");
  b.op("MEM.W.0", Op::NOP, {3}).op("MEM.W.0", Op::REPEAT, {2, 1, 0});
  expect_contains(run_error(b.image()), {"chip 0, MEM.W.0 #1 `REPEAT 2, 1, 0`, cycle 3: REPEAT must follow a unit "
                                         "instruction"});
  ProgramBuilder first("mini");  // nothing before it at all
  first.op("MEM.W.0", Op::REPEAT, {2, 1, 0});
  expect_contains(run_error(first.image()), {"MEM.W.0 #0 `REPEAT 2, 1, 0`, cycle 0: REPEAT must follow"});
}

TEST(EngineIcu, RepeatStridingOutOfRangeNamesTheRepetition) {
  // READ 1020 at 0; REPEAT 5,1,1: repetition k at 1 + (k-1) reads 1020 + k;
  // repetition 4 (cycle 4) would read 1024, beyond mini's 1024 addresses.
  ProgramBuilder b("mini");
  b.op("MEM.W.0", Op::READ, {1020, east(0)}).op("MEM.W.0", Op::REPEAT, {5, 1, 1});
  expect_contains(run_error(b.image()),
                  {"chip 0, MEM.W.0 #0 `READ 0x3fc, S0.E`, cycle 4: repetition 4: READ: address 1024 out of range"});
  // A negative stride below 0 does not fit the address field: repetition 2 of READ 1, stride -1.
  ProgramBuilder n("mini");
  n.op("MEM.W.0", Op::READ, {1, east(0)}).op("MEM.W.0", Op::REPEAT, {3, 2, -1});
  expect_contains(run_error(n.image()), {"MEM.W.0 #0 `READ 0x1, S0.E`, cycle 3: repetition 2: addr = -1 does not fit"});
}

TEST(EngineIcu, NopIfetchAndConfigTiming) {
  // MEM.W.0: NOP 1 (cycle 0), NOP 2 (1..2), IFETCH (3), CONFIG (4), READ at 5:
  // on S0.E at 6 at 7, at MEM.E.0 (8) at 9. A WRITE at 9 works, at 8 or 10 it does not.
  auto prog = [](int64_t write_at) {
    ProgramBuilder b("mini");
    b.sram("MEM.W.0", 0, {1, 2, 3});
    b.op("MEM.W.0", Op::NOP, {1}).op("MEM.W.0", Op::NOP, {2}).op("MEM.W.0", Op::IFETCH, {4});
    b.op("MEM.W.0", Op::CONFIG, {1}).op("MEM.W.0", Op::READ, {0, east(0)});
    b.op("MEM.E.0", Op::NOP, {write_at}).op("MEM.E.0", Op::WRITE, {1, east(0)});
    return b;
  };
  EXPECT_EQ(run_error(prog(9).image()), "no error");
  for (int64_t wrong : {8, 10})
    expect_contains(run_error(prog(wrong).image()),
                    {"MEM.E.0 #1 `WRITE 0x1, S0.E`, cycle " + std::to_string(wrong), "holds no value"});
  // ICU instructions count under ICU, the READ and WRITE under MEM.
  ChipEngine e(prog(9).image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(e.stats().instructions[size_t(tsp::isa::Unit::ICU)], 5u);
  EXPECT_EQ(e.stats().instructions[size_t(tsp::isa::Unit::MEM)], 2u);
}

TEST(EngineIcu, DeskewWaitsForTheNextHacEpoch) {
  // DESKEW at t occupies C2C.0 until the first multiple of hac_period_cycles (256)
  // after t (docs/timing.md); the NOP 1 after it then ends the queue.
  for (auto [start, next] : {std::pair<int64_t, uint64_t>{0, 256}, {10, 256}, {255, 256}, {256, 512}}) {
    ProgramBuilder b("mini");
    if (start) b.op("C2C.0", Op::NOP, {start});
    b.op("C2C.0", Op::DESKEW, {}).op("C2C.0", Op::NOP, {1});
    // NOP at `next` ends at next + 1; plus 1 stagger cycle.
    EXPECT_EQ(end_of(b.image()), next + 2) << "DESKEW at " << start;
  }
}

TEST(EngineIcu, RdeskewTakesItsCount) {
  // RDESKEW 7 occupies 0..6 on a lone chip (no drift to correct); NOP 1 at 7 ends at 8.
  ProgramBuilder b("mini");
  b.op("C2C.1", Op::RDESKEW, {7}).op("C2C.1", Op::NOP, {1});
  EXPECT_EQ(end_of(b.image()), 9u);
}

TEST(EngineIcu, ProgramLengthForSeveralShapes) {
  // Nothing issued: 0 cycles.
  EXPECT_EQ(end_of(ProgramBuilder("mini").image()), 0u);
  // NOP 5: the queue's last slot is 4, so 5; plus superlanes - 1 = 1.
  ProgramBuilder nop("mini");
  nop.op("MEM.W.0", Op::NOP, {5});
  EXPECT_EQ(end_of(nop.image()), 6u);
  // A lone READ at 0: queue ends at 1, but its result lands at 0 + 2 (+1) = 3; 3 + 1.
  ProgramBuilder read("mini");
  read.op("MEM.W.0", Op::READ, {0, east(0)});
  EXPECT_EQ(end_of(read.image()), 4u);
  // READ at 0, REPEAT 3,2,1: repetitions at 1, 3, 5; the REPEAT holds the queue
  // for 3 * 2 = 6 cycles (1..6, end 7); the last result 5 + 2 + 1 = 8; 8 + 1.
  ProgramBuilder rep("mini");
  rep.op("MEM.W.0", Op::READ, {0, east(0)}).op("MEM.W.0", Op::REPEAT, {3, 2, 1});
  EXPECT_EQ(end_of(rep.image()), 9u);
  // A long-latency op last: EXP.f16 (latency 6) at 4 on a value read by MEM.W.0
  // (position 6) at 1 and MEM.W.1 (position 5) at 0, both at VXM (7) at 4:
  // 4 + 6 + 1 = 11, plus 1.
  Timed exp;
  exp.at("MEM.W.0", 1, Op::READ, {0, east(0)}).at("MEM.W.1", 0, Op::READ, {0, east(1)});
  exp.at("VXM.0", 4, Op::EXP, {east(4), east(0), int64_t(tsp::isa::DType::f16)});
  EXPECT_EQ(end_of(exp.image()), 12u);
  // SYNC last on MEM.W.0, NOTIFY at 4 on MEM.W.1: W.0's queue ends at 1, W.1's at 5; 5 + 1.
  ProgramBuilder sync("mini");
  sync.op("MEM.W.0", Op::SYNC, {});
  sync.op("MEM.W.1", Op::NOP, {4}).op("MEM.W.1", Op::NOTIFY, {});
  EXPECT_EQ(end_of(sync.image()), 6u);
}

TEST(EngineIcu, SendOnALoneChipHasNoReceiver) {
  // MEM.E.3 (position 11) READs at 0 onto S0.E: at C2C.4 (position 14) at 2 + 3 = 5.
  Timed p;
  p.at("MEM.E.3", 0, Op::READ, {0, east(0)});
  p.at("C2C.4", 5, Op::SEND, {east(0)});
  expect_contains(run_error(p.image()), {"chip 0, C2C.4 #1 `SEND S0.E`, cycle 5: link 4 is not connected: the vector "
                                         "sent has no receiver"});
}

}  // namespace
