// The ICU random generator (tb/gen/random_icu) against the model: every image
// runs without a schedule error, the model issues exactly the planned
// instructions at the planned cycles (Observer::on_issue, an independent
// implementation of the same rules), each queue ends where the plan says, and
// the predicted cycle count is the simulated one.
#include "tb/gen/random_icu.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "systemc/engine/chip_engine.hpp"

namespace {

using tsp::gen::PlannedIssue;

class Recorder : public tsp::model::Observer {
 public:
  void on_issue(uint16_t queue, uint32_t index, tsp::model::Cycle t, const tsp::isa::Instr& in) override {
    issues.push_back({queue, index, t, tsp::isa::encode(in)});
  }
  std::vector<PlannedIssue> issues;
};

void check(const char* config, uint64_t seed) {
  SCOPED_TRACE(std::string(config) + " seed " + std::to_string(seed));
  const auto plan = tsp::gen::plan_icu({seed, config, 150});
  tsp::image::validate(plan.image);
  tsp::model::ChipEngine e(plan.image, 0);
  Recorder rec;
  e.set_observer(&rec);
  ASSERT_TRUE(e.run_until(~0ull));
  std::stable_sort(rec.issues.begin(), rec.issues.end(),
                   [](const PlannedIssue& a, const PlannedIssue& b) { return a.queue < b.queue; });
  ASSERT_EQ(rec.issues.size(), plan.issues.size());
  for (size_t i = 0; i < rec.issues.size(); ++i) {
    const auto &m = rec.issues[i], &p = plan.issues[i];
    ASSERT_EQ(m, p) << "issue " << i << ": model queue " << m.queue << " #" << m.index << " at " << m.t << " word "
                    << std::hex << m.word << ", plan queue " << std::dec << p.queue << " #" << p.index << " at " << p.t
                    << " word " << std::hex << p.word;
  }
  const auto& queues = plan.image.chips[0].queues;
  for (size_t i = 0; i < queues.size(); ++i) EXPECT_EQ(e.queue_end(queues[i].queue), plan.queue_end[i]) << i;
  ASSERT_TRUE(plan.image.has_prediction);
  EXPECT_EQ(e.end_cycle(), plan.image.predicted_cycles);
}

TEST(RandomIcu, ModelIssuesAsPlannedAndRunsThePredictedCycles) {
  for (uint64_t seed = 1; seed <= 12; ++seed) check("mini", seed);
  for (uint64_t seed = 1; seed <= 3; ++seed) check("tsp1", seed);
}

TEST(RandomIcu, RegisteredAndDeterministic) {
  const auto gen = tsp::gen::find_generator("icu");
  ASSERT_NE(gen, nullptr);
  EXPECT_EQ(gen({7, "mini", 100}), gen({7, "mini", 100}));
  EXPECT_NE(gen({7, "mini", 100}), gen({8, "mini", 100}));
  EXPECT_EQ(gen({7, "mini", 100}), tsp::gen::plan_icu({7, "mini", 100}).image);
}

TEST(RandomIcu, UnknownConfigurationIsAClearError) { EXPECT_THROW(tsp::gen::plan_icu({1, "nope", 10}), tsp::Error); }

}  // namespace
