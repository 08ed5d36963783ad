// The VXM cosim adapter (tb/cosim/rtl_vxm) on model programs: an Observer
// forwards every VXM UnitOp of the plain C++ engine to the adapter. Random
// programs of tb/gen/random_vxm run without divergence on the RTL and their
// predicted cycle count equals the simulated one; a hand-built program with
// one f16 rounding tie in one lane shows the planted bug at exactly that
// superlane, lane, stream and cycle.
#include <gtest/gtest.h>
#include <verilated_fst_c.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "systemc/engine/chip_engine.hpp"
#include "tb/cosim/rtl_vxm.hpp"
#include "tb/gen/random_program.hpp"
#include "tests/model/engine_helpers.hpp"

namespace {

using namespace tsp;
using isa::DType;
using isa::Op;

std::unique_ptr<cosim::RtlUnit> make(bool planted = false) {
  cosim::UnitContext ctx;
  ctx.planted = planted;
  return cosim::make_rtl_vxm(ctx);
}

// Forwards the VXM unit ops to the adapter; keeps the first divergence.
class Forward : public model::Observer {
 public:
  explicit Forward(cosim::RtlUnit& unit) : unit_(unit) {}
  bool wants_unit_ops() const override { return true; }
  void on_unit_op(const model::UnitOp& op) override {
    if (!first && op.in.desc().unit == isa::Unit::VXM) first = unit_.check(op);
  }
  std::optional<cosim::Divergence> first;

 private:
  cosim::RtlUnit& unit_;
};

struct Result {
  std::optional<cosim::Divergence> divergence;
  model::Cycle end = 0;
  uint64_t vxm_ops = 0;
};

Result cosim(const image::Image& img, cosim::RtlUnit& unit) {
  model::ChipEngine chip(img, 0);
  Forward fwd(unit);
  chip.set_observer(&fwd);
  unit.start(chip);
  chip.run_until(~0ull);
  Result r;
  r.divergence = fwd.first ? fwd.first : unit.finish();
  r.end = chip.end_cycle();
  r.vxm_ops = chip.stats().instructions[size_t(isa::Unit::VXM)];
  return r;
}

std::string text(const cosim::Divergence& d) {
  return d.what + " cycle " + std::to_string(d.cycle) + " superlane " + std::to_string(d.superlane) + " lane " +
         std::to_string(d.lane) + " stream " + d.stream + " expected " + d.expected + " actual " + d.actual;
}

TEST(VxmCosim, RandomProgramsMatchModelAndPrediction) {
  const auto gen = gen::find_generator("vxm");
  ASSERT_NE(gen, nullptr);
  for (uint64_t seed : {1, 2, 3, 4, 5}) {
    gen::RandomOptions o;
    o.seed = seed;
    o.instructions = 120;
    const image::Image img = gen(o);
    ASSERT_NO_THROW(image::validate(img)) << "seed " << seed;
    auto unit = make();
    const auto t0 = std::chrono::steady_clock::now();
    const Result r = cosim(img, *unit);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_FALSE(r.divergence) << "seed " << seed << ": " << text(*r.divergence);
    EXPECT_EQ(r.end, img.predicted_cycles) << "seed " << seed;
    EXPECT_GE(r.vxm_ops, 120u);
    EXPECT_GT(unit->values_checked(), 0u);
    std::printf(
        "seed %llu: %llu VXM ops, %llu cycles, %llu RTL cycles, %llu bytes checked, %.2f s (%.0f RTL cycles/s)\n",
        static_cast<unsigned long long>(seed), static_cast<unsigned long long>(r.vxm_ops),
        static_cast<unsigned long long>(r.end), static_cast<unsigned long long>(unit->rtl_cycles()),
        static_cast<unsigned long long>(unit->values_checked()), s, double(unit->rtl_cycles()) / s);
  }
}

TEST(VxmCosim, SameSeedSameProgram) {
  gen::RandomOptions o;
  o.seed = 9;
  EXPECT_EQ(gen::find_generator("vxm")(o), gen::find_generator("vxm")(o));
}

// f16 ADD on VXM.2 at cycle T = 6 (operands read as in tests/model/engine_vxm_test.cpp):
// every lane adds 1.0 + 1.0 except lane 21 (superlane 1, lane 5), which adds
// 1.0 + 2^-11, a tie that rounds to even (0x3C00) and, with the planted bug, up
// (0x3C01). The result lands on S8.E at T + latency, superlane 1 one cycle later.
image::Image tie_program() {
  constexpr uint64_t T = 6;
  test::Timed p;
  std::vector<uint32_t> a(32, 0x3C00), b(32, 0x3C00);
  b[21] = 0x1000;
  test::put_tensor(p.b, 'W', 0, 0, 2, a);
  test::put_tensor(p.b, 'E', 0, 0, 2, b);
  for (unsigned i = 0; i < 2; ++i) {
    p.at("MEM.W." + std::to_string(i), T - 3 - i, Op::READ, {0, image::east(i)});
    p.at("MEM.E." + std::to_string(i), T - 3 - i, Op::READ, {0, image::west(i)});
  }
  p.at("VXM.2", T, Op::ADD, {image::east(8), image::east(0), image::west(0), int64_t(DType::f16)});
  // A second queue busy at the same time: EXP of a on VXM.0, result on S12.E.
  p.at("VXM.0", T, Op::EXP, {image::east(12), image::east(0), int64_t(DType::f16)});
  return p.image();
}

TEST(VxmCosim, RealRtlMatchesTieProgram) {
  auto unit = make();
  const Result r = cosim(tie_program(), *unit);
  EXPECT_FALSE(r.divergence) << text(*r.divergence);
  EXPECT_EQ(unit->values_checked(), 2u * 2u * 32u);  // two ops, two bytes, 32 lanes
}

TEST(VxmCosim, PlantedBugShowsAtItsLane) {
  auto unit = make(true);
  const Result r = cosim(tie_program(), *unit);
  ASSERT_TRUE(r.divergence) << "the planted f16 rounding bug went unnoticed";
  const cosim::Divergence& d = *r.divergence;
  std::printf("planted: %s\n", text(d).c_str());
  const model::Cycle lat = isa::op_desc(Op::ADD).latency;
  EXPECT_EQ(d.cycle, 6 + lat + 1);  // superlane 1 sees it one cycle after superlane 0
  EXPECT_EQ(d.superlane, 1u);
  EXPECT_EQ(d.lane, 5u);
  EXPECT_EQ(d.stream, isa::stream_name(isa::StreamRef{8, false}));
  EXPECT_EQ(d.expected, "0x3c00");
  EXPECT_EQ(d.actual, "0x3c01");
  EXPECT_NE(d.what.find("ADD"), std::string::npos) << d.what;
}

// trace(): the ALUs' ports and pipeline registers land in an FST, in chip cycles.
TEST(VxmCosim, TracesIntoAnFst) {
  const auto path = std::filesystem::path(::testing::TempDir()) / "vxm_cosim_trace.fst";
  const image::Image img = tie_program();
  model::ChipEngine chip(img, 0);
  auto unit = make();
  Forward fwd(*unit);
  chip.set_observer(&fwd);
  unit->start(chip);
  VerilatedFstC fst;
  unit->trace(fst, 0, 40);
  fst.open(path.string().c_str());
  chip.run_until(~0ull);
  EXPECT_FALSE(fwd.first ? fwd.first : unit->finish());
  fst.close();
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_GT(std::filesystem::file_size(path), 1000u);
  EXPECT_FALSE(unit->wave_groups().empty());
}

TEST(VxmCosim, RejectsNonVxmQueues) {
  const image::Image img = tie_program();
  model::ChipEngine chip(img, 0);
  auto unit = make();
  unit->start(chip);
  model::UnitOp op;
  op.queue = 0;  // a MEM queue
  try {
    unit->check(op);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("queue 0 is not a VXM queue"), std::string::npos) << e.what();
  }
}

}  // namespace
