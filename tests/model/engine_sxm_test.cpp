// SXM semantics on `mini`, SXM.W at position 2. Expected lanes are computed
// here from the ISA table's definitions, per lane.
//
// Single-stream ops issue at T = 6; their westward operands reach position 2 at
// T from MEM.W.i (position 6-i), READ at T - 2 - (4 - i):
//   W.0 (6) at 0 onto S1.W (SELECT's b); W.1 (5) at 1 onto S0.W (src / a);
//   W.2 (4) at 2 onto S2.W and W.3 (3) at 3 onto S3.W: the i16 map (byte 0 on
//   slice 2, byte 1 on slice 3), or SELECT's c on S2.W.
// The result on S4.E is at 2 at T + latency, at MEM.W.3 (3) one cycle later.
#include <gtest/gtest.h>

#include "tests/model/engine_helpers.hpp"

using tsp::isa::Op;
using tsp::model::ChipEngine;
using namespace tsp::test;

namespace {

constexpr uint64_t T = 6;
constexpr unsigned L = 32;

std::vector<uint32_t> src_lanes() {
  std::vector<uint32_t> v(L);
  for (unsigned l = 0; l < L; ++l) v[l] = 0x40 + l;
  return v;
}

Timed sxm_program(Op op, std::initializer_list<int64_t> operands, const std::vector<uint32_t>& map,
                  const std::vector<uint32_t>& b = {}) {
  Timed p;
  put_tensor(p.b, 'W', 1, 0, 1, src_lanes());
  p.at("MEM.W.1", 1, Op::READ, {0, west(0)});
  if (!b.empty()) {
    put_tensor(p.b, 'W', 0, 0, 1, b);
    p.at("MEM.W.0", 0, Op::READ, {0, west(1)});
  }
  if (!map.empty()) {
    put_tensor(p.b, 'W', 2, 0, 2, map);
    p.at("MEM.W.2", 2, Op::READ, {0, west(2)}).at("MEM.W.3", 3, Op::READ, {0, west(3)});
  }
  p.at("SXM.W.0", T, op, operands);
  p.at("MEM.W.3", T + tsp::isa::op_desc(op).latency + 1, Op::WRITE, {1, east(4)});
  return p;
}

std::vector<uint32_t> run(const Timed& p) {
  ChipEngine e(p.image(), 0);
  EXPECT_TRUE(e.run_until(~0ull));
  return get_tensor(e, p.b, 'W', 3, 1, 1);
}

TEST(EngineSxm, ShiftDownMovesLanesAndFillsZeros) {
  const auto s = src_lanes();
  std::vector<uint32_t> want(L, 0);
  for (unsigned l = 0; l + 5 < L; ++l) want[l] = s[l + 5];  // dst[l] = src[l+5]; the top 5 lanes read 0
  EXPECT_EQ(run(sxm_program(Op::SHIFTDN, {east(4), west(0), 5}, {})), want);
  // Latency 2: a WRITE one cycle early (8, instruction #1 after its NOP) finds nothing.
  Timed p;
  put_tensor(p.b, 'W', 1, 0, 1, s);
  p.at("MEM.W.1", 1, Op::READ, {0, west(0)});
  p.at("SXM.W.0", T, Op::SHIFTDN, {east(4), west(0), 5});
  p.at("MEM.W.3", T + 2, Op::WRITE, {1, east(4)});
  expect_contains(run_error(p.image()), {"MEM.W.3 #1 `WRITE 0x1, S4.E`, cycle 8: stream S4.E holds no value"});
}

TEST(EngineSxm, SelectPicksPerLane) {
  std::vector<uint32_t> b(L), c(L, 0), want(L);
  const auto a = src_lanes();
  for (unsigned l = 0; l < L; ++l) {
    b[l] = 0xA0 + l;
    c[l] = (l % 3 == 0) ? 0x80 : 0;  // any non-zero byte selects a
    want[l] = c[l] ? a[l] : b[l];
  }
  // c rides on S2.W from MEM.W.2 (the map slot); MEM.W.3's plane of it is unused.
  std::vector<uint32_t> c16(L);
  for (unsigned l = 0; l < L; ++l) c16[l] = c[l];
  EXPECT_EQ(run(sxm_program(Op::SELECT, {east(4), west(0), west(1), west(2)}, c16, b)), want);
}

TEST(EngineSxm, PermuteAcrossAllLanes) {
  std::vector<uint32_t> map(L), want(L);
  const auto s = src_lanes();
  for (unsigned l = 0; l < L; ++l) {
    map[l] = (l * 7 + 3) % L;  // crosses superlanes
    want[l] = s[map[l]];
  }
  EXPECT_EQ(run(sxm_program(Op::PERMUTE, {east(4), west(0), west(2)}, map)), want);
}

TEST(EngineSxm, PermuteBeyondTheLanesIsAnError) {
  std::vector<uint32_t> map(L, 0);
  map[5] = 0x0120;  // 288: its high byte is on S3.W
  expect_contains(run_error(sxm_program(Op::PERMUTE, {east(4), west(0), west(2)}, map).image()),
                  {"chip 0, SXM.W.0 #1 `PERMUTE S4.E, S0.W, S2.W`, cycle 6: lane 5 selects lane 288, beyond the 32 "
                   "lanes"});
}

TEST(EngineSxm, DistributeStaysWithinEachSuperlane) {
  std::vector<uint32_t> map(L), want(L);
  const auto s = src_lanes();
  for (unsigned l = 0; l < L; ++l) {
    map[l] = 15 - l % 16 + 16 * (l % 3);  // the multiple of 16 is dropped (mod 16)
    want[l] = s[l / 16 * 16 + map[l] % 16];
  }
  EXPECT_EQ(run(sxm_program(Op::DISTRIBUTE, {east(4), west(0), west(2)}, map)), want);
}

TEST(EngineSxm, RotateByOneWithinGroups) {
  // Chosen direction (docs/timing.md "SXM"): lane base+i takes base+(i+1) mod n; a
  // last group cut short by the lane count rotates over its own length.
  const auto s = src_lanes();
  for (unsigned g : {3u, 4u, 0u}) {
    const unsigned n = g + 1;
    std::vector<uint32_t> want(L);
    for (unsigned base = 0; base < L; base += n) {
      const unsigned len = std::min(n, L - base);
      for (unsigned i = 0; i < len; ++i) want[base + i] = s[base + (i + 1) % len];
    }
    EXPECT_EQ(run(sxm_program(Op::ROTATE, {east(4), west(0), g}, {})), want) << "group " << g;
  }
}

// TRANSPOSE needs all 16 streams of a group at SXM.W in one cycle. MEM slices
// cannot supply them: each of mini's 8 slices puts one value per cycle at a
// fixed distance, so at most 8 fresh streams meet at one position and cycle.
// The VXM can: its 4 ALUs issue independently and an i32 op writes 4 streams,
// and different latencies line outputs up. At t = 6: VXM.0 and VXM.2 run
// CVT.i32 from i32 (identity, latency 2) on the W and E tensors at address 0;
// at 7 VXM.1 and VXM.3 run MOV.i32 (latency 1) on address 1: all four put at 7
// at cycle 8 onto S0..S15.W (VXM.k onto S4k..), at SXM.W (2) at 13.
// Operand reads: MEM.W.i / MEM.E.i READ at t - 3 - i (as in engine_vxm_test).
// TRANSPOSE at 13 (latency 4) puts S0..S15.E at 2 at 17, at position q at 15 + q.
// Eight slices catch eight of the sixteen output streams; `half` picks which.
Timed transpose_program(unsigned half) {
  Timed p;
  for (unsigned i = 0; i < 4; ++i) {
    for (uint32_t addr : {0u, 1u}) {
      std::vector<uint8_t> wb(L), eb(L);
      for (unsigned l = 0; l < L; ++l) {
        // Source stream s = 4k + i holds byte (s * 37 + l * 5 + 1), k = VXM index.
        const unsigned kw = addr == 0 ? 0 : 1, ke = addr == 0 ? 2 : 3;
        wb[l] = uint8_t((4 * kw + i) * 37 + l * 5 + 1);
        eb[l] = uint8_t((4 * ke + i) * 37 + l * 5 + 1);
      }
      p.b.sram("MEM.W." + std::to_string(i), addr, wb).sram("MEM.E." + std::to_string(i), addr, eb);
    }
    p.at("MEM.W." + std::to_string(i), 3 - i, Op::READ, {0, east(i)})
        .at("MEM.W." + std::to_string(i), 4 - i, Op::READ, {1, east(i)});
    p.at("MEM.E." + std::to_string(i), 3 - i, Op::READ, {0, west(i)})
        .at("MEM.E." + std::to_string(i), 4 - i, Op::READ, {1, west(i)});
  }
  const auto i32 = int64_t(tsp::isa::DType::i32);
  p.at("VXM.0", 6, Op::CVT, {west(0), east(0), i32, i32});
  p.at("VXM.2", 6, Op::CVT, {west(8), west(0), i32, i32});
  p.at("VXM.1", 7, Op::MOV, {west(4), east(0), i32});
  p.at("VXM.3", 7, Op::MOV, {west(12), west(0), i32});
  p.at("SXM.W.1", 13, Op::TRANSPOSE, {east(0), west(0)});
  // Catchers west to east: W.3 (3), W.2, W.1, W.0 (6), E.0 (8) .. E.3 (11).
  const char* catchers[] = {"MEM.W.3", "MEM.W.2", "MEM.W.1", "MEM.W.0", "MEM.E.0", "MEM.E.1", "MEM.E.2", "MEM.E.3"};
  for (unsigned j = 0; j < 8; ++j) {
    const uint64_t q = p.b.position(catchers[j]);
    p.at(catchers[j], 15 + q, Op::WRITE, {10, east(8 * half + j)});
  }
  return p;
}

TEST(EngineSxm, TransposeOfSixteenStreamsFedByFourAlus) {
  const char* catchers[] = {"MEM.W.3", "MEM.W.2", "MEM.W.1", "MEM.W.0", "MEM.E.0", "MEM.E.1", "MEM.E.2", "MEM.E.3"};
  for (unsigned half : {0u, 1u}) {
    Timed p = transpose_program(half);
    ChipEngine e(p.image(), 0);
    ASSERT_TRUE(e.run_until(~0ull));
    for (unsigned j = 0; j < 8; ++j) {
      const unsigned d = 8 * half + j;  // output stream
      std::vector<uint8_t> want(L);
      // Within superlane sl: dst stream d, lane sl*16 + m = src stream m, lane sl*16 + d.
      for (unsigned l = 0; l < L; ++l) want[l] = uint8_t((l % 16) * 37 + (l / 16 * 16 + d) * 5 + 1);
      EXPECT_EQ(tsp::test::sram_bytes(e, p.b.slice(catchers[j]), 10), want) << "stream " << d;
    }
  }
}

}  // namespace
