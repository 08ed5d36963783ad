// The SXM RTL against the model through the cosim adapter on `mini`: every SXM
// op, back to back on one queue so results of different latencies leave in
// the same cycle, with shifts, permutes and rotations that cross superlanes,
// and a TRANSPOSE of 16 streams. The real RTL must agree in every superlane
// and lane; the planted RTL (TRANSPOSE swaps lanes 14 and 15) must be
// reported at the TRANSPOSE's result cycle, superlane 0, lane 14.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "tb/cosim/rtl_sxm.hpp"
#include "tests/model/engine_helpers.hpp"
#include "tests/rtl/cosim_harness.hpp"

using tsp::isa::DType;
using tsp::isa::Op;
using namespace tsp::test;

namespace {

constexpr unsigned L = 32;  // mini's lanes

// Ops issue on SXM.W.0 at T, T + 1, ...; op i reads address i of MEM.W.1 (src /
// a on S0.W), MEM.W.0 (SELECT's b on S1.W), MEM.W.2 and MEM.W.3 (map bytes or
// SELECT's c on S2.W, S3.W) and writes S(4 + i).E.
Timed all_ops_program() {
  Timed p;
  const uint64_t T = 8;
  struct Step {
    Op op;
    int64_t param;
  };
  const std::vector<Step> steps = {{Op::SHIFTUP, 17},   {Op::SELECT, 0}, {Op::PERMUTE, 0}, {Op::SHIFTDN, 5},
                                   {Op::DISTRIBUTE, 0}, {Op::ROTATE, 4}, {Op::ROTATE, 15}, {Op::SHIFTDN, 31},
                                   {Op::SHIFTUP, 0},    {Op::ROTATE, 31}};
  std::mt19937 rng(7);
  const auto n = uint32_t(steps.size());
  for (uint32_t i = 0; i < n; ++i) {
    std::vector<uint32_t> src(L), b(L), map(L);
    for (unsigned l = 0; l < L; ++l) {
      src[l] = rng() & 0xFF;
      b[l] = rng() & 0xFF;
      // PERMUTE: any lane of the chip (crossing superlanes); DISTRIBUTE: any 16 bits;
      // SELECT: c with plenty of zeros.
      map[l] = steps[i].op == Op::PERMUTE  ? rng() % L
               : steps[i].op == Op::SELECT ? (rng() % 3 ? 0 : rng() & 0xFF)
                                           : rng() & 0xFFFF;
    }
    put_tensor(p.b, 'W', 1, i, 1, src);
    put_tensor(p.b, 'W', 0, i, 1, b);
    put_tensor(p.b, 'W', 2, i, 2, map);
  }
  const uint64_t ps = p.b.position("SXM.W.0"), lat_read = tsp::isa::op_desc(Op::READ).latency;
  const unsigned stream_of[4] = {1, 0, 2, 3};  // MEM.W.i puts onto S(stream_of[i]).W
  for (unsigned i = 0; i < 4; ++i) {
    const std::string q = "MEM.W." + std::to_string(i);
    const uint64_t r = T - lat_read - (p.b.position(q) - ps);
    p.at(q, r, Op::READ, {0, west(stream_of[i])}).at(q, r + 1, Op::REPEAT, {n - 1, 1, 1}, n - 1);
  }
  for (uint32_t i = 0; i < n; ++i) {
    const Step& s = steps[i];
    const int64_t dst = east(4 + i);
    switch (s.op) {
      case Op::SELECT:
        p.at("SXM.W.0", T + i, s.op, {dst, west(0), west(1), west(2)});
        break;
      case Op::PERMUTE:
      case Op::DISTRIBUTE:
        p.at("SXM.W.0", T + i, s.op, {dst, west(0), west(2)});
        break;
      default:
        p.at("SXM.W.0", T + i, s.op, {dst, west(0), s.param});
    }
  }
  return p;
}

// TRANSPOSE fed by the four VXM ALUs (as in tests/model/engine_sxm_test.cpp):
// source stream s lane l holds s * 37 + l * 5 + 1; TRANSPOSE at 13 on SXM.W.1.
constexpr uint64_t kTransposeAt = 13;
Timed transpose_program() {
  Timed p;
  for (unsigned i = 0; i < 4; ++i) {
    for (uint32_t addr : {0u, 1u}) {
      std::vector<uint8_t> wb(L), eb(L);
      for (unsigned l = 0; l < L; ++l) {
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
  const auto i32 = int64_t(DType::i32);
  p.at("VXM.0", 6, Op::CVT, {west(0), east(0), i32, i32});
  p.at("VXM.2", 6, Op::CVT, {west(8), west(0), i32, i32});
  p.at("VXM.1", 7, Op::MOV, {west(4), east(0), i32});
  p.at("VXM.3", 7, Op::MOV, {west(12), west(0), i32});
  p.at("SXM.W.1", kTransposeAt, Op::TRANSPOSE, {east(0), west(0)});
  return p;
}

TEST(CosimSxm, EveryOpAgreesWithTheModel) {
  auto rtl = tsp::cosim::make_rtl_sxm(false);
  const CosimRun r = cosim_run(all_ops_program().image(), *rtl, tsp::isa::Unit::SXM);
  EXPECT_FALSE(r.first) << describe(r.first);
  EXPECT_EQ(r.ops, 10u);
  EXPECT_EQ(rtl->values_checked(), 10u * L);
}

TEST(CosimSxm, TransposeAgreesWithTheModel) {
  auto rtl = tsp::cosim::make_rtl_sxm(false);
  const CosimRun r = cosim_run(transpose_program().image(), *rtl, tsp::isa::Unit::SXM);
  EXPECT_FALSE(r.first) << describe(r.first);
  EXPECT_EQ(rtl->values_checked(), 16u * L);
}

TEST(CosimSxm, PlantedTransposeBugIsReportedAtLane14) {
  auto rtl = tsp::cosim::make_rtl_sxm(true);
  const CosimRun r = cosim_run(transpose_program().image(), *rtl, tsp::isa::Unit::SXM);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(r.first->what, "result");
  EXPECT_EQ(r.first->cycle, kTransposeAt + tsp::isa::op_desc(Op::TRANSPOSE).latency);
  EXPECT_EQ(r.first->superlane, 0u);
  EXPECT_EQ(r.first->lane, 14u);
  EXPECT_EQ(r.first->stream, "S0.E");
  // dst stream 0 lane 14 = src stream 14 lane 0; the planted RTL gives src stream 15 lane 0.
  EXPECT_EQ(r.first->expected, fmt::format("{:02x}", uint8_t(14 * 37 + 1)));
  EXPECT_EQ(r.first->actual, fmt::format("{:02x}", uint8_t(15 * 37 + 1)));
}

// The timing check is real: a model whose TRANSPOSE result came a cycle
// earlier than the table's latency finds nothing from the RTL at that cycle.
TEST(CosimSxm, AResultAtTheWrongCycleIsALatencyDivergence) {
  auto rtl = tsp::cosim::make_rtl_sxm(false);
  const CosimRun r = cosim_run(transpose_program().image(), *rtl, tsp::isa::Unit::SXM, Op::TRANSPOSE, uint64_t(0) - 1);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(r.first->what, "latency");
  EXPECT_EQ(r.first->cycle, kTransposeAt + tsp::isa::op_desc(Op::TRANSPOSE).latency - 1);
  EXPECT_EQ(r.first->superlane, 0u);
  EXPECT_EQ(r.first->stream, "S0.E");
  EXPECT_EQ(r.first->actual, "nothing");
}

TEST(CosimSxm, PlantedTransposeBugLeavesTheOtherOpsAlone) {
  auto rtl = tsp::cosim::make_rtl_sxm(true);
  const CosimRun r = cosim_run(all_ops_program().image(), *rtl, tsp::isa::Unit::SXM);
  EXPECT_FALSE(r.first) << describe(r.first);
}

}  // namespace
