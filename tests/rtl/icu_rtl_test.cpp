// The ICU queue sequencer RTL (rtl/icu/tsp_icu_queue.sv) against the issue
// rules of docs/timing.md. Expected issue cycles and words come from a hand
// worked program and from the random ICU plans (tb/gen/random_icu), whose
// cycles the generator works out from the rules while it builds them; neither
// the RTL nor the model computes them. Several sequencers run in lock-step
// wired as on the chip: any NOTIFY releases every parked queue next cycle.
// The RTL built with its planted bug (TSP_PLANT_BUG_ICU) must fail at the
// first repetition that a stride moves.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tb/cosim/rtl_coverage.hpp"
#include "Vtsp_icu_queue.h"
#include "Vtsp_icu_queue_planted.h"
#include "tb/gen/random_icu.hpp"
#include "verilated.h"

namespace {

using tsp::gen::PlannedIssue;
using tsp::isa::Instr;
using tsp::isa::Op;

// Every sequencer of one chip, clocked together.
template <class V>
class Chip {
 public:
  Chip(const std::vector<std::pair<uint16_t, std::vector<uint64_t>>>& programs, uint32_t hac_period)
      : ctx_(std::make_unique<VerilatedContext>()) {
    for (const auto& [queue, words] : programs) {
      auto& q = queues_.emplace_back(Queue{queue, std::make_unique<V>(ctx_.get()), {}});
      V& r = *q.rtl;
      if (!coverage_) coverage_.emplace(ctx_.get(), "icu", r.modelName());
      r.hac_period_i = hac_period;
      r.rst_ni = 0;
      r.eval();
      r.rst_ni = 1;
      r.load_i = 1;
      for (size_t i = 0; i < words.size(); ++i) {
        r.load_addr_i = static_cast<uint16_t>(i);
        r.load_word_i = words[i];
        edge(r);
      }
      r.load_i = 0;
      r.en_i = 1;
    }
  }
  ~Chip() {
    for (auto& q : queues_) q.rtl->final();
  }
  // Runs cycles 0..cycles-1: every issue in cycle order (per cycle: queues in
  // order, the ICU port before the unit port) and each queue's first done cycle.
  std::vector<PlannedIssue> run(uint64_t cycles) {
    std::vector<PlannedIssue> out;
    bool release = false;
    for (uint64_t t = 0; t < cycles; ++t) {
      bool notify = false;
      for (auto& q : queues_) {
        V& r = *q.rtl;
        r.release_i = release;
        r.clk_i = 0;
        r.eval();
        if (r.icu_valid_o) out.push_back({q.id, r.icu_index_o, t, r.icu_word_o});
        if (r.unit_valid_o) out.push_back({q.id, r.unit_index_o, t, r.unit_word_o});
        notify |= r.notify_o != 0;
        if (r.done_o && !q.done_at) q.done_at = t;
      }
      for (auto& q : queues_) edge(*q.rtl);
      release = notify;
    }
    return out;
  }
  std::optional<uint64_t> done_at(size_t i) const { return queues_[i].done_at; }

 private:
  struct Queue {
    uint16_t id;
    std::unique_ptr<V> rtl;
    std::optional<uint64_t> done_at;
  };
  static void edge(V& r) {
    r.clk_i = 0;
    r.eval();
    r.clk_i = 1;
    r.eval();
  }
  std::unique_ptr<VerilatedContext> ctx_;
  std::vector<Queue> queues_;
  std::optional<tsp::cosim::CoverageSaver> coverage_;  // dies before queues_
};

uint64_t word(Op op, std::initializer_list<int64_t> operands) {
  Instr in{op, {}};
  size_t i = 0;
  for (int64_t v : operands) in.operand[i++] = v;
  return tsp::isa::encode(in);
}

std::string text(const PlannedIssue& i) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "queue %u #%u at cycle %llu: 0x%016llx", i.queue, i.index,
                static_cast<unsigned long long>(i.t), static_cast<unsigned long long>(i.word));
  return buf;
}

// Issues in cycle order; within a cycle by queue (stable: a queue's own order kept).
std::vector<PlannedIssue> by_cycle(std::vector<PlannedIssue> v) {
  std::stable_sort(v.begin(), v.end(), [](const PlannedIssue& a, const PlannedIssue& b) {
    return a.t != b.t ? a.t < b.t : a.queue < b.queue;
  });
  return v;
}

// The first place where `got` differs from `want` (both in cycle order), as text; "" when equal.
std::string first_difference(const std::vector<PlannedIssue>& want, const std::vector<PlannedIssue>& got) {
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    if (i >= want.size()) return "extra issue: " + text(got[i]);
    if (i >= got.size()) return "missing issue: " + text(want[i]);
    if (!(want[i] == got[i])) return "expected " + text(want[i]) + ", RTL " + text(got[i]);
  }
  return "";
}

constexpr uint32_t kHac = 256;

// A hand-worked program on two queues, every cycle stated.
std::vector<std::pair<uint16_t, std::vector<uint64_t>>> directed() {
  const int64_t s0 = tsp::isa::StreamRef{0, false}.code();
  return {{0,
           {word(Op::NOP, {3}),           // #0 at 0, occupies 0..2
            word(Op::READ, {0x10, s0}),   // #1 at 3
            word(Op::REPEAT, {3, 2, 5}),  // #2 at 4; READ 0x15 at 4, 0x1a at 6, 0x1f at 8; occupies 4..9
            word(Op::IFETCH, {4}),        // #3 at 10
            word(Op::DESKEW, {}),         // #4 at 11: the next multiple of 256 after 11 is 256
            word(Op::SYNC, {}),           // #5 at 256, parks
            word(Op::RDESKEW, {2})}},     // #6 at 301 (queue 1's NOTIFY at 300), occupies 301..302: ends 303
          {1,
           {word(Op::NOP, {300}),         // #0 at 0, occupies 0..299
            word(Op::NOTIFY, {}),         // #1 at 300
            word(Op::WRITE, {7, s0})}}};  // #2 at 301: ends 302
}

std::vector<PlannedIssue> directed_expected() {
  const int64_t s0 = tsp::isa::StreamRef{0, false}.code();
  return by_cycle({{0, 0, 0, word(Op::NOP, {3})},
                   {0, 1, 3, word(Op::READ, {0x10, s0})},
                   {0, 2, 4, word(Op::REPEAT, {3, 2, 5})},
                   {0, 1, 4, word(Op::READ, {0x15, s0})},
                   {0, 1, 6, word(Op::READ, {0x1a, s0})},
                   {0, 1, 8, word(Op::READ, {0x1f, s0})},
                   {0, 3, 10, word(Op::IFETCH, {4})},
                   {0, 4, 11, word(Op::DESKEW, {})},
                   {0, 5, 256, word(Op::SYNC, {})},
                   {0, 6, 301, word(Op::RDESKEW, {2})},
                   {1, 0, 0, word(Op::NOP, {300})},
                   {1, 1, 300, word(Op::NOTIFY, {})},
                   {1, 2, 301, word(Op::WRITE, {7, s0})}});
}

TEST(IcuRtl, HandWorkedProgramIssuesWhereTheRulesSay) {
  Chip<Vtsp_icu_queue> chip(directed(), kHac);
  EXPECT_EQ(first_difference(directed_expected(), chip.run(400)), "");
  EXPECT_EQ(chip.done_at(0), 303u);
  EXPECT_EQ(chip.done_at(1), 302u);
}

TEST(IcuRtl, PlantedBugMissesTheFirstRepetitionsStride) {
  Chip<Vtsp_icu_queue_planted> chip(directed(), kHac);
  EXPECT_EQ(first_difference(directed_expected(), chip.run(400)),
            "expected queue 0 #1 at cycle 4: 0x1000000000000015, RTL queue 0 #1 at cycle 4: 0x1000000000000010");
}

std::vector<std::pair<uint16_t, std::vector<uint64_t>>> programs(const tsp::image::Image& img) {
  std::vector<std::pair<uint16_t, std::vector<uint64_t>>> out;
  for (const auto& q : img.chips.at(0).queues) out.emplace_back(q.queue, q.words);
  return out;
}

struct RandomResult {
  std::string difference;
  std::string expected_first;  // the first repetition a stride moves (where the planted bug shows)
};

template <class V>
RandomResult run_random(uint64_t seed) {
  const auto plan = tsp::gen::plan_icu({seed, "mini", 200});
  const auto& cfg = *tsp::isa::find_config("mini");
  const auto progs = programs(plan.image);
  Chip<V> chip(progs, cfg.hac_period_cycles);
  const uint64_t end = *std::max_element(plan.queue_end.begin(), plan.queue_end.end());
  const auto want = by_cycle(plan.issues);
  RandomResult r;
  r.difference = first_difference(want, chip.run(end + cfg.hac_period_cycles));
  for (size_t i = 0; r.difference.empty() && i < progs.size(); ++i)
    if (chip.done_at(i) != plan.queue_end[i])
      r.difference = "queue " + std::to_string(progs[i].first) + " done at " +
                     std::to_string(chip.done_at(i).value_or(0)) + ", expected " + std::to_string(plan.queue_end[i]);
  for (const auto& i : want) {
    const auto& words =
        std::find_if(progs.begin(), progs.end(), [&](const auto& p) { return p.first == i.queue; })->second;
    if (words[i.index] != i.word) {
      r.expected_first = "queue " + std::to_string(i.queue) + " #" + std::to_string(i.index) + " at cycle " +
                         std::to_string(i.t) + ":";
      break;
    }
  }
  return r;
}

TEST(IcuRtl, RandomProgramsIssueAsPlanned) {
  for (uint64_t seed = 1; seed <= 20; ++seed) EXPECT_EQ(run_random<Vtsp_icu_queue>(seed).difference, "") << seed;
}

TEST(IcuRtl, PlantedBugFailsRandomProgramsAtTheRightPlace) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto r = run_random<Vtsp_icu_queue_planted>(seed);
    ASSERT_FALSE(r.expected_first.empty()) << "seed " << seed << " strides nothing";
    EXPECT_EQ(r.difference.rfind("expected " + r.expected_first, 0), 0u) << "seed " << seed << ": " << r.difference;
  }
}

// RTL speed: one queue idling through long NOPs, cycles per second (printed).
TEST(IcuRtl, Throughput) {
  std::vector<uint64_t> words(64, word(Op::NOP, {16384}));
  Chip<Vtsp_icu_queue> chip({{0, words}}, kHac);
  const auto start = std::chrono::steady_clock::now();
  const uint64_t cycles = 1'000'000;
  const auto issued = chip.run(cycles);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(issued.size(), 62u);  // NOPs at 0, 16384, ... below 1e6
  std::printf("icu rtl: %.1f M cycles/s\n", static_cast<double>(cycles) / s / 1e6);
}

}  // namespace
