// MEM GATHER/SCATTER on `mini`, and the port and bank rules around them.
// GATHER and SCATTER run on MEM.W.0 (position 6) at T = 6 and touch the array
// at T + 1 (sram = 1). The i16 map (address per superlane in lane 0 of each
// superlane) comes westward from MEM.E.0 (byte 0, position 8, READ at 2) and
// MEM.E.1 (byte 1, position 9, READ at 1): both on S0.W, S1.W at 6 at cycle 6.
#include <gtest/gtest.h>

#include "tests/model/engine_helpers.hpp"

using tsp::isa::Op;
using tsp::model::ChipEngine;
using namespace tsp::test;

namespace {

constexpr uint64_t T = 6;
constexpr unsigned L = 32;

std::vector<uint8_t> ramp(uint8_t start) {
  std::vector<uint8_t> v(L);
  for (unsigned l = 0; l < L; ++l) v[l] = uint8_t(start + l);
  return v;
}

// Superlane 0 uses address a0 (lane 0), superlane 1 uses a1 (lane 16); the
// other lanes carry junk that must be ignored.
Timed with_map(uint32_t a0, uint32_t a1) {
  Timed p;
  std::vector<uint32_t> map(L, 0xBEEF);
  map[0] = a0, map[16] = a1;
  put_tensor(p.b, 'E', 0, 0, 2, map);
  p.at("MEM.E.1", 1, Op::READ, {0, west(1)}).at("MEM.E.0", 2, Op::READ, {0, west(0)});
  return p;
}

TEST(EngineMem, GatherReadsEachSuperlaneAtItsOwnAddress) {
  Timed p = with_map(3, 7);
  p.b.sram("MEM.W.0", 3, ramp(10)).sram("MEM.W.0", 7, ramp(100));
  // GATHER latency 3: S2.E at 6 at 9, at MEM.E.2 (10) at 13.
  p.at("MEM.W.0", T, Op::GATHER, {east(2), west(0)});
  p.at("MEM.E.2", 13, Op::WRITE, {5, east(2)});
  ChipEngine e(p.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  std::vector<uint8_t> want(L);
  for (unsigned l = 0; l < L; ++l) want[l] = l < 16 ? uint8_t(10 + l) : uint8_t(100 + l);
  EXPECT_EQ(sram_bytes(e, p.b.slice("MEM.E.2"), 5), want);
  // One cycle off either way finds no value.
  for (uint64_t wrong : {12, 14}) {
    Timed q = with_map(3, 7);
    q.at("MEM.W.0", T, Op::GATHER, {east(2), west(0)});
    q.at("MEM.E.2", wrong, Op::WRITE, {5, east(2)});
    expect_contains(run_error(q.image()), {"MEM.E.2 #1 `WRITE 0x5, S2.E`, cycle " + std::to_string(wrong),
                                           "stream S2.E holds no value at MEM.E.2 (position 10)"});
  }
}

TEST(EngineMem, GatherAddressOutOfRange) {
  Timed p = with_map(3, 1024);  // mini has addresses 0..1023
  p.at("MEM.W.0", T, Op::GATHER, {east(2), west(0)});
  expect_contains(run_error(p.image()), {"chip 0, MEM.W.0 #1 `GATHER S2.E, S0.W`, cycle 6: superlane 1 addresses "
                                         "0x400, beyond the 1024 addresses of MEM.W.0"});
}

TEST(EngineMem, GatherThenReadUseTheReadPortInTheSameCycle) {
  // GATHER at 6 reads the array at 7; a READ at 7 (sram 0) also reads at 7.
  Timed p = with_map(3, 7);
  p.at("MEM.W.0", T, Op::GATHER, {east(2), west(0)}).at("MEM.W.0", T + 1, Op::READ, {9, east(3)});
  expect_contains(run_error(p.image()),
                  {"chip 0, MEM.W.0 #2 `READ 0x9, S3.E`, cycle 7: read port of MEM.W.0 is already used in cycle 7 by "
                   "MEM.W.0 #1 `GATHER S2.E, S0.W` (issued in cycle 6)"});
  // A READ at 8 is fine.
  Timed q = with_map(3, 7);
  q.at("MEM.W.0", T, Op::GATHER, {east(2), west(0)}).at("MEM.W.0", T + 2, Op::READ, {9, east(3)});
  EXPECT_EQ(run_error(q.image()), "no error");
}

// SCATTER's data: MEM.W.1 (position 5) READs at 3 onto S4.E: at 6 at 6.
Timed scatter(uint32_t a0, uint32_t a1) {
  Timed p = with_map(a0, a1);
  p.b.sram("MEM.W.1", 0, ramp(50));
  p.at("MEM.W.1", 3, Op::READ, {0, east(4)});
  p.at("MEM.W.0", T, Op::SCATTER, {east(4), west(0)});
  return p;
}

TEST(EngineMem, ScatterWritesEachSuperlaneAtItsOwnAddress) {
  Timed p = scatter(20, 21);
  ChipEngine e(p.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  std::vector<uint8_t> w20(L, 0), w21(L, 0);
  for (unsigned l = 0; l < 16; ++l) w20[l] = uint8_t(50 + l);  // superlane 0 -> 20
  for (unsigned l = 16; l < L; ++l) w21[l] = uint8_t(50 + l);  // superlane 1 -> 21
  const uint16_t s = p.b.slice("MEM.W.0");
  EXPECT_EQ(sram_bytes(e, s, 20), w20);
  EXPECT_EQ(sram_bytes(e, s, 21), w21);
}

TEST(EngineMem, ScatterAndReadOfOneBankConflict) {
  // SCATTER writes at 7 to banks {20 % 2, 21 % 2} = {0, 1}; a READ at 7 of any
  // address hits one of them.
  Timed p = scatter(20, 21);
  p.at("MEM.W.0", T + 1, Op::READ, {4, east(3)});
  expect_contains(run_error(p.image()),
                  {"chip 0, MEM.W.0 #2 `READ 0x4, S3.E`, cycle 7: bank conflict on MEM.W.0 in cycle 7: this read and "
                   "the write by MEM.W.0 #1 `SCATTER S4.E, S0.W` (issued in cycle 6) hit bank 0"});
  // Addresses 20 and 22 only use bank 0: a READ of bank 1 (address 5) passes.
  Timed q = scatter(20, 22);
  q.at("MEM.W.0", T + 1, Op::READ, {5, east(3)});
  EXPECT_EQ(run_error(q.image()), "no error");
}

}  // namespace
