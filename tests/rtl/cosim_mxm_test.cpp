// The MXM RTL against the model through the cosim adapter: a program that
// loads two weight sets (i8, then u8, with -128/127/255 extremes), installs
// them and runs ABCs (set and add, i8 and u8 activations) right around the
// second install, then ACCs every slot. The real RTL must agree with the model
// in every superlane and lane; the planted RTL (weights installed one cycle
// early) must be reported at the ACC of the ABC issued the cycle before the
// install, at the first lane where the two weight sets give different sums,
// computed here on the host (docs/numerics.md §7). A second program does the
// same with floats (tests/support/mxm_float_program.hpp): bf16 weights, f16
// and bf16 activations, f32 slots set and added, emitted as f32 and as i32;
// the planted RTL's f32 rounding (ties away from zero) must be reported at
// the ACC of a sum with a tie, which the old adapter (float LW/ABC skipped,
// float ACCs timing only) could not see (tests/cosim: cosim_old_mxm_*).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "tb/cosim/rtl_mxm.hpp"
#include "tests/model/engine_helpers.hpp"
#include "tests/rtl/cosim_harness.hpp"
#include "tests/support/mxm_float_program.hpp"

using tsp::isa::DType;
using tsp::isa::Op;
using namespace tsp::test;

namespace {

using Matrix = std::vector<std::vector<uint32_t>>;

int64_t value(DType t, uint32_t v) { return t == DType::u8 ? int64_t(v & 0xFF) : int64_t(int8_t(uint8_t(v))); }

// out[n] = sum_k a[k] * w[k][n] in int32 with wrapping.
std::vector<uint32_t> host_dot(const std::vector<uint32_t>& a, DType at, const Matrix& w, DType wt) {
  std::vector<uint32_t> out(w[0].size(), 0);
  for (size_t n = 0; n < out.size(); ++n)
    for (size_t k = 0; k < a.size(); ++k) out[n] += uint32_t(value(at, a[k]) * value(wt, w[k][n]));
  return out;
}

struct Abc {
  uint64_t t;
  uint32_t slot;
  bool add;
  DType type;
};

struct MxmCase {
  Timed p;
  Matrix a_set, b_set;
  std::vector<std::vector<uint32_t>> acts;
  uint64_t install_b = 0;  // cycle from which ABCs use set B
  uint64_t acc_slot2 = 0;  // issue of the ACC of slot 2 (the ABC one cycle before install_b)
};

MxmCase mxm_case(const std::string& config, uint32_t seed) {
  MxmCase c{Timed(config), {}, {}, {}, 0, 0};
  Timed& p = c.p;
  const auto& cfg = p.b.config();
  const uint32_t n = cfg.mxm_dim;
  std::mt19937 rng(seed);
  const auto random_vec = [&] {
    std::vector<uint32_t> v(n);
    for (auto& x : v) x = rng() & 0xFF;
    return v;
  };
  for (uint32_t k = 0; k < n; ++k) {
    c.a_set.push_back(k == 0 ? std::vector<uint32_t>(n, 0x80) : k == 1 ? std::vector<uint32_t>(n, 0x7F) : random_vec());
    c.b_set.push_back(k == 0 ? std::vector<uint32_t>(n, 0xFF) : random_vec());
  }
  const uint64_t lat_read = tsp::isa::op_desc(Op::READ).latency, lat_iw = tsp::isa::op_desc(Op::IW).latency;
  const uint64_t mx = p.b.position("MXM.W.0");
  const uint64_t d3 = lat_read + p.b.position("MEM.W.3") - mx, d2 = lat_read + p.b.position("MEM.W.2") - mx;
  for (uint32_t k = 0; k < n; ++k) {
    put_tensor(p.b, 'W', 3, k, 1, c.a_set[k]);
    put_tensor(p.b, 'W', 3, n + k, 1, c.b_set[k]);
  }
  // Set A (i8): row k read at k, loaded at d3 + k; installed at install_a.
  p.at("MEM.W.3", 0, Op::READ, {0, west(0)}).at("MEM.W.3", 1, Op::REPEAT, {n - 1, 1, 1}, n - 1);
  p.at("MXM.W.0", d3, Op::LW, {west(0), 1, 0, int64_t(DType::i8)})
      .at("MXM.W.0", d3 + 1, Op::REPEAT, {n - 1, 1, 1}, n - 1);
  p.at("MXM.W.0", d3 + n, Op::IW, {});
  const uint64_t install_a = d3 + n + lat_iw;
  // Set B (u8) loaded once set A is in, installed at install_b.
  p.at("MEM.W.3", install_a - d3, Op::READ, {n, west(0)})
      .at("MEM.W.3", install_a - d3 + 1, Op::REPEAT, {n - 1, 1, 1}, n - 1);
  p.at("MXM.W.0", install_a, Op::LW, {west(0), 1, 0, int64_t(DType::u8)})
      .at("MXM.W.0", install_a + 1, Op::REPEAT, {n - 1, 1, 1}, n - 1);
  p.at("MXM.W.0", install_a + n, Op::IW, {});
  c.install_b = install_a + n + lat_iw;
  const std::vector<Abc> abcs = {{install_a, 0, false, DType::i8},     {install_a + 1, 0, true, DType::i8},
                                 {install_a + 2, 1, false, DType::u8}, {c.install_b - 1, 2, false, DType::i8},
                                 {c.install_b, 3, false, DType::u8},   {c.install_b + 1, 3, true, DType::i8}};
  for (size_t i = 0; i < abcs.size(); ++i) {
    auto v = random_vec();
    if (i == 1) v.assign(n, 0x80);  // -128 everywhere
    c.acts.push_back(v);
    put_tensor(p.b, 'W', 2, uint32_t(i), 1, v);
    p.at("MEM.W.2", abcs[i].t - d2, Op::READ, {int64_t(i), west(1)});
    p.at("MXM.W.1", abcs[i].t, Op::ABC, {west(1), abcs[i].slot, abcs[i].add ? 1 : 0, int64_t(abcs[i].type)});
  }
  // Same cycle as the ABC setting slot 1 (an ABC and an ACC of one slot in one
  // cycle is a schedule error): an ACC beside an ABC of another slot is compared too.
  p.at("MXM.W.2", install_a + 2, Op::ACC, {east(0), 0, int64_t(DType::i32)});
  p.at("MXM.W.2", install_a + 3, Op::ACC, {east(0), 0, int64_t(DType::i32)});
  p.at("MXM.W.2", install_a + 4, Op::ACC, {east(0), 1, int64_t(DType::i32)});
  c.acc_slot2 = c.install_b + 2;
  p.at("MXM.W.2", c.acc_slot2, Op::ACC, {east(0), 2, int64_t(DType::i32)});
  p.at("MXM.W.2", c.install_b + 3, Op::ACC, {east(0), 3, int64_t(DType::i32)});
  p.at("MXM.W.2", c.install_b + 4, Op::ACC, {east(4), 0, int64_t(DType::f32)});  // CVT i32 -> f32
  return c;
}

TEST(CosimMxm, RtlAgreesWithTheModelOnMini) {
  const MxmCase c = mxm_case("mini", 1);
  auto rtl = tsp::cosim::make_rtl_mxm(false);
  const CosimRun r = cosim_run(c.p.image(), *rtl, tsp::isa::Unit::MXM);
  EXPECT_FALSE(r.first) << describe(r.first);
  EXPECT_EQ(r.ops, 2u * (32 + 1) + 6 + 6);
  // All 6 ACCs x 32 lanes compared, every instruction in data and timing, and the RTL ran.
  EXPECT_EQ(rtl->values_checked(), 6u * 32);
  EXPECT_EQ(rtl->check_counts().data_timing, r.ops);
  EXPECT_EQ(rtl->check_counts().timing_only + rtl->check_counts().skipped, 0u);
  EXPECT_GT(rtl->rtl_cycles(), 0u);
}

TEST(CosimMxm, FloatRtlAgreesWithTheModel) {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    const MxmFloatProgram c = mxm_float_program("mini", seed);
    auto rtl = tsp::cosim::make_rtl_mxm(false);
    const CosimRun r = cosim_run(c.img, *rtl, tsp::isa::Unit::MXM);
    EXPECT_FALSE(r.first) << describe(r.first);
    EXPECT_EQ(rtl->values_checked(), 4u * 32);
    EXPECT_EQ(rtl->check_counts().data_timing, r.ops);
    EXPECT_EQ(rtl->check_counts().skipped, 0u);
  }
}

// The planted f32 rounding: (2^24, 1, 1) sums to 2^24 + 4 instead of 2^24 in
// every lane (its activation 3 is 0), so the first lane of the first ACC shows it.
TEST(CosimMxm, PlantedFloatRoundingIsReportedAtTheAccOfTheTies) {
  const MxmFloatProgram c = mxm_float_program("mini", 1);
  auto rtl = tsp::cosim::make_rtl_mxm(true);
  const CosimRun r = cosim_run(c.img, *rtl, tsp::isa::Unit::MXM);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(r.first->what, "result");
  EXPECT_EQ(r.first->cycle, c.acc_ties + tsp::isa::op_desc(Op::ACC).latency);
  EXPECT_EQ(r.first->superlane, 0u);
  EXPECT_EQ(r.first->lane, 0u);
  EXPECT_EQ(r.first->expected, "4b800000");
  EXPECT_EQ(r.first->actual, "4b800002");
}

TEST(CosimMxm, PlantedEarlyInstallIsReportedWhereTheSetsDiffer) {
  const MxmCase c = mxm_case("mini", 1);
  // The ABC one cycle before install_b (slot 2, i8 activations 3) sees set B in the planted RTL.
  const auto want = host_dot(c.acts[3], DType::i8, c.a_set, DType::i8);
  const auto got = host_dot(c.acts[3], DType::i8, c.b_set, DType::u8);
  uint32_t lane = 0;
  while (want[lane] == got[lane]) ++lane;
  ASSERT_LT(lane, 16u) << "the two sets must differ in superlane 0";
  unsigned byte = 0;
  while (((want[lane] ^ got[lane]) >> (8 * byte) & 0xFF) == 0) ++byte;
  auto rtl = tsp::cosim::make_rtl_mxm(true);
  const CosimRun r = cosim_run(c.p.image(), *rtl, tsp::isa::Unit::MXM);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(r.first->what, "result");
  EXPECT_EQ(r.first->cycle, c.acc_slot2 + tsp::isa::op_desc(Op::ACC).latency);
  EXPECT_EQ(r.first->superlane, 0u);
  EXPECT_EQ(r.first->lane, lane);
  EXPECT_EQ(r.first->stream, fmt::format("S{}.E", byte));
  EXPECT_EQ(r.first->expected, fmt::format("{:08x}", want[lane]));
  EXPECT_EQ(r.first->actual, fmt::format("{:08x}", got[lane]));
}

// The timing check is real: against a model whose ACC results came one cycle
// later, the RTL's result (at the table's latency) is reported as early.
TEST(CosimMxm, AResultAtTheWrongCycleIsALatencyDivergence) {
  const MxmCase c = mxm_case("mini", 1);
  auto rtl = tsp::cosim::make_rtl_mxm(false);
  const CosimRun r = cosim_run(c.p.image(), *rtl, tsp::isa::Unit::MXM, Op::ACC, 1);
  ASSERT_TRUE(r.first);
  EXPECT_EQ(r.first->what, "latency");
  EXPECT_EQ(r.first->superlane, 0u);
  // The first ACC (issued two cycles after install_a) emits at the table's latency, unexpected there.
  EXPECT_EQ(r.first->cycle,
            c.install_b - tsp::isa::op_desc(Op::IW).latency - 32 + 2 + tsp::isa::op_desc(Op::ACC).latency);
  EXPECT_EQ(r.first->expected, "nothing");
}

// The full 320 x 320 plane of tsp1: 20 x 20 supercells.
TEST(CosimMxm, RtlAgreesWithTheModelOnTheFullTsp1Plane) {
  const MxmCase c = mxm_case("tsp1", 2);
  auto rtl = tsp::cosim::make_rtl_mxm(false);
  const CosimRun r = cosim_run(c.p.image(), *rtl, tsp::isa::Unit::MXM);
  EXPECT_FALSE(r.first) << describe(r.first);
  EXPECT_EQ(rtl->values_checked(), 6u * 320);
}

TEST(CosimMxm, FloatRtlAgreesWithTheModelOnTheFullTsp1Plane) {
  const MxmFloatProgram c = mxm_float_program("tsp1", 4);
  auto rtl = tsp::cosim::make_rtl_mxm(false);
  const CosimRun r = cosim_run(c.img, *rtl, tsp::isa::Unit::MXM);
  EXPECT_FALSE(r.first) << describe(r.first);
  EXPECT_EQ(rtl->values_checked(), 4u * 320);
}

}  // namespace
