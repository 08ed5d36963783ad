// The MXM and SXM random program generators: their images run on the model
// in exactly the predicted cycles (the schedule arithmetic, not the model,
// sets the prediction), and the RTL agrees with the model on every seed; the
// planted MXM (early weight install, f32 ties away from zero) is caught on
// every seed; the programs hold float LW, ABC and ACC.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>

#include "tb/cosim/rtl_mxm.hpp"
#include "tb/cosim/rtl_sxm.hpp"
#include "tb/gen/random_program.hpp"
#include "tests/rtl/cosim_harness.hpp"

using namespace tsp;

namespace {

image::Image generate(const char* unit, const std::string& config, uint64_t seed) {
  const gen::Generator g = gen::find_generator(unit);
  EXPECT_NE(g, nullptr) << unit;
  return g(gen::RandomOptions{seed, config, 48});
}

void expect_prediction_exact(const image::Image& img) {
  ASSERT_TRUE(img.has_prediction);
  model::ChipEngine e(img, 0);
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(e.end_cycle(), img.predicted_cycles);
}

TEST(RandomMxmSxm, PredictedCyclesAreSimulatedCycles) {
  for (const char* unit : {"mxm", "sxm"})
    for (const std::string config : {"mini", "tsp1"})
      for (uint64_t seed = 1; seed <= 3; ++seed) {
        SCOPED_TRACE(std::string(unit) + " " + config + " seed " + std::to_string(seed));
        expect_prediction_exact(generate(unit, config, seed));
      }
}

TEST(RandomMxmSxm, SameSeedSameImage) {
  EXPECT_EQ(generate("mxm", "mini", 9), generate("mxm", "mini", 9));
  EXPECT_EQ(generate("sxm", "mini", 9), generate("sxm", "mini", 9));
}

TEST(RandomMxmSxm, RtlAgreesWithTheModel) {
  for (const std::string config : {"mini", "tsp1"})
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      SCOPED_TRACE(config + " seed " + std::to_string(seed));
      const auto t0 = std::chrono::steady_clock::now();
      auto mxm = cosim::make_rtl_mxm(false);
      const auto m = test::cosim_run(generate("mxm", config, seed), *mxm, isa::Unit::MXM);
      const auto t1 = std::chrono::steady_clock::now();
      EXPECT_FALSE(m.first) << test::describe(m.first);
      EXPECT_GT(mxm->values_checked(), 0u);
      auto sxm = cosim::make_rtl_sxm(false);
      const auto s = test::cosim_run(generate("sxm", config, seed), *sxm, isa::Unit::SXM);
      EXPECT_FALSE(s.first) << test::describe(s.first);
      EXPECT_GT(sxm->values_checked(), 0u);
      const auto t2 = std::chrono::steady_clock::now();
      const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
      // Throughput for the README: model + adapter + RTL, per RTL model clock cycle.
      std::cout << config << " seed " << seed << ": mxm " << m.ops << " ops, " << mxm->values_checked() << " values, "
                << mxm->rtl_cycles() << " cell cycles in " << secs(t0, t1) << " s; sxm " << s.ops << " ops, "
                << sxm->values_checked() << " values, " << sxm->rtl_cycles() << " superlane cycles in " << secs(t1, t2)
                << " s\n";
    }
}

// The MXM generator puts floats into the regressions: over a few seeds it
// emits f16 and bf16 LW and ABC, and ACCs as f32 and as i32.
TEST(RandomMxmSxm, MxmProgramsHoldFloatLwAbcAndAcc) {
  std::map<std::pair<isa::Op, isa::DType>, int> seen;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    const image::Image img = generate("mxm", "mini", seed);
    for (const auto& q : img.chips.at(0).queues)
      for (const uint64_t w : q.words) {
        const auto in = isa::decode(w, nullptr);
        ASSERT_TRUE(in);
        if (in->desc().unit == isa::Unit::MXM && in->op != isa::Op::IW)
          ++seen[{in->op, static_cast<isa::DType>(in->get("type"))}];
      }
  }
  for (const auto op : {isa::Op::LW, isa::Op::ABC})
    for (const auto t : {isa::DType::f16, isa::DType::bf16, isa::DType::i8, isa::DType::u8})
      EXPECT_GT((seen[{op, t}]), 0) << isa::op_desc(op).mnemonic << " " << isa::dtype_desc(t).name;
  EXPECT_GT((seen[{isa::Op::ACC, isa::DType::f32}]), 0);
  EXPECT_GT((seen[{isa::Op::ACC, isa::DType::i32}]), 0);
}

TEST(RandomMxmSxm, PlantedMxmIsCaughtOnEverySeed) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    auto mxm = cosim::make_rtl_mxm(true);
    const auto m = test::cosim_run(generate("mxm", "mini", seed), *mxm, isa::Unit::MXM);
    ASSERT_TRUE(m.first) << "seed " << seed;
    EXPECT_EQ(m.first->what, "result");
  }
}

}  // namespace
