// A chip's own clock against the HAC (systemc/engine/chip_clock.hpp): DESKEW
// waits for the next HAC epoch, RDESKEW stalls its count corrected by the
// drift since the start, and the program's length in schedule cycles takes
// the corrections off. Cycles are worked out by hand below (ratio = own
// period over the root's: +100 ppm runs 1.0001 own cycles per root cycle).
#include <gtest/gtest.h>

#include "tests/model/engine_helpers.hpp"

using tsp::isa::Op;
using tsp::model::ChipClock;
using tsp::model::ChipEngine;
using namespace tsp::test;

namespace {

ChipEngine clocked(const tsp::image::Image& img, double ppm) {
  ChipEngine e(img, 0);
  e.set_clock(ChipClock{ppm, 0});
  return e;
}

TEST(EngineClock, DeskewWaitsForTheNextEpochOfTheHac) {
  Timed p;
  p.at("C2C.4", 10, Op::DESKEW, {});
  for (auto [ppm, end] : {std::pair{0.0, 256u}, {100.0, 257u}, {-100.0, 256u}}) {
    ChipEngine e = clocked(p.image(), ppm);
    ASSERT_TRUE(e.run_until(~0ull));
    EXPECT_EQ(e.queue_end(*tsp::isa::find_queue(e.config(), "C2C.4")), end) << ppm;  // 256 root cycles, own edge at or after
  }
}

TEST(EngineClock, RdeskewAbsorbsTheDriftSinceTheStart) {
  Timed p;
  p.at("C2C.4", 5000, Op::RDESKEW, {1000}, 1000);
  // Fast: root cycle 6000 falls at own 6000.6 -> 6001, one cycle more than counted.
  // Slow: at own 5999.4 -> 6000, the count exactly (the edge at or after).
  for (auto [ppm, end, shift] : {std::tuple{0.0, 6000u, 0}, {100.0, 6001u, 1}, {-100.0, 6000u, 0}}) {
    ChipEngine e = clocked(p.image(), ppm);
    ASSERT_TRUE(e.run_until(~0ull));
    EXPECT_EQ(e.queue_end(*tsp::isa::find_queue(e.config(), "C2C.4")), end) << ppm;
    EXPECT_EQ(e.drift_shift(), shift) << ppm;
    EXPECT_EQ(e.program_cycles(), 6000u + e.config().superlanes - 1) << ppm;  // the schedule's length either way
  }
}

TEST(EngineClock, AnRdeskewShorterThanTheDriftIsAnError) {
  Timed p;
  p.at("C2C.4", 100000, Op::RDESKEW, {1}, 1);
  ChipEngine e = clocked(p.image(), -100);  // 10 root cycles ahead of its own count by then
  try {
    e.run_until(~0ull);
    ADD_FAILURE() << "no error";
  } catch (const tsp::Error& err) {
    expect_contains(err.what(), {"C2C.4 #1 `RDESKEW 1`, cycle 100000: RDESKEW 1 cannot absorb the drift: the chip's "
                                 "clock is 10 cycles behind the HAC"});
  }
}

}  // namespace
