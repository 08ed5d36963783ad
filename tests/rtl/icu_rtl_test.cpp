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
  // rst_ni falls between clock edges, then rises.
  void reset_pulse() {
    for (auto& q : queues_) {
      q.rtl->rst_ni = 0;
      q.rtl->eval();
      q.done_at.reset();
    }
    for (auto& q : queues_) {
      q.rtl->rst_ni = 1;
      q.rtl->eval();
    }
  }
  // Every queue issues nothing this cycle and is done.
  bool idle_and_done() {
    for (auto& q : queues_) {
      V& r = *q.rtl;
      r.clk_i = 0;
      r.eval();
      if (r.unit_valid_o || r.icu_valid_o || r.notify_o || !r.done_o) return false;
    }
    return true;
  }
  // Loads the programs again (queues in order) with the queues held (en_i low).
  void load(const std::vector<std::pair<uint16_t, std::vector<uint64_t>>>& programs) {
    for (size_t i = 0; i < programs.size(); ++i) {
      V& r = *queues_[i].rtl;
      queues_[i].done_at.reset();
      r.en_i = 0;
      r.load_i = 1;
      for (size_t w = 0; w < programs[i].second.size(); ++w) {
        r.load_addr_i = static_cast<uint16_t>(w);
        r.load_word_i = programs[i].second[w];
        edge(r);
      }
      r.load_i = 0;
      r.en_i = 1;
    }
  }

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

// One queue through what the random programs never reach, each phase ended
// by a reset pulse between clock edges (rst_ni falls, then rises), which must
// empty the queue at once (no issue, done: no program) and leave nothing
// running after it:
// A. a program filling the whole instruction memory (2^IMemAddrBits words: the
//    index, PC and length bits all toggle), ending in a READ REPEATed into
//    every field bit set and the longest NOP (2^32 - 1 cycles, still waiting
//    at the reset);
// B. a REPEAT with the largest count and interval and stride -1 (its first
//    repetition issues, the second would be 65,535 cycles later);
// C. every unit op with every bit of its fields set, each REPEATed once
//    (stride 0: the repetition is the word itself), then RDESKEW with the
//    longest wait: every opcode and field bit passes through the sequencer
//    and its REPEAT registers;
// D. after one more reset (the HAC counter runs on while the queue is idle),
//    the hand-worked program loaded again runs from its first word on the
//    hand-worked cycles up to its SYNC (the reset left no state behind).
// (Every harness holds rst_ni low from time 0, so only this runs the
// asynchronous reset branch: docs/coverage.md.)
TEST(IcuRtl, FullMemoryExtremeFieldsAndResetPulses) {
  const uint32_t n = 1u << TSP_ICU_IMEM_ADDR_BITS;
  const int64_t s_last = tsp::isa::StreamRef{(1u << tsp::isa::kStreamIndexBits) - 1, true}.code();
  const int64_t s0 = tsp::isa::StreamRef{0, false}.code();
  std::vector<uint64_t> big(n, word(Op::NOP, {1}));
  big[n - 4] = word(Op::READ, {0xFFFE, s_last});
  big[n - 3] = word(Op::REPEAT, {1, 1, 1});
  big[n - 1] = word(Op::NOP, {0xFFFFFFFF});
  std::vector<PlannedIssue> want;
  for (uint32_t i = 0; i < n; ++i) {
    want.push_back({0, i, i, big[i]});
    if (i == n - 3) want.push_back({0, n - 4, i, word(Op::READ, {0xFFFF, s_last})});
  }
  Chip<Vtsp_icu_queue> chip({{0, big}}, kHac);
  EXPECT_EQ(first_difference(want, chip.run(n + 100)), "") << "A";
  EXPECT_FALSE(chip.done_at(0)) << "A: the last NOP is still running";
  chip.reset_pulse();
  EXPECT_TRUE(chip.idle_and_done()) << "A: outputs after reset";
  EXPECT_TRUE(chip.run(20).empty()) << "A";

  const std::vector<uint64_t> rep = {word(Op::READ, {0x10, s0}), word(Op::REPEAT, {0xFFFF, 0xFFFF, -1})};
  chip.load({{0, rep}});
  EXPECT_EQ(
      first_difference({{0, 0, 0, rep[0]}, {0, 1, 1, rep[1]}, {0, 0, 1, word(Op::READ, {0x0F, s0})}}, chip.run(1000)),
      "")
      << "B";
  EXPECT_FALSE(chip.done_at(0)) << "B: the REPEAT is still running";
  chip.reset_pulse();
  EXPECT_TRUE(chip.idle_and_done()) << "B: outputs after reset";
  EXPECT_TRUE(chip.run(20).empty()) << "B";
  EXPECT_EQ(chip.done_at(0), 0u) << "B: done from the reset on";

  std::vector<uint64_t> every;
  want.clear();
  for (const auto& d : tsp::isa::kOps) {
    if (d.unit == tsp::isa::Unit::ICU || d.op == Op::DESKEW || d.op == Op::RDESKEW) continue;
    uint64_t w = uint64_t(d.op) << tsp::isa::kOpcodeLsb;
    for (const auto& f : d.fields) w |= ((uint64_t(1) << f.width) - 1) << f.lsb;
    const uint32_t i = uint32_t(every.size());
    want.push_back({0, i, i, w});
    want.push_back({0, i + 1, i + 1, word(Op::REPEAT, {1, 1, 0})});
    want.push_back({0, i, i + 1, w});
    every.push_back(w);
    every.push_back(word(Op::REPEAT, {1, 1, 0}));
  }
  every.push_back(word(Op::RDESKEW, {0xFFFFFFFF}));
  want.push_back({0, uint32_t(every.size() - 1), every.size() - 1, every.back()});
  chip.reset_pulse();
  chip.load({{0, every}});
  EXPECT_EQ(first_difference(want, chip.run(every.size() + 10)), "") << "C";
  EXPECT_FALSE(chip.done_at(0)) << "C: the RDESKEW is still running";

  const auto prog = directed();
  chip.reset_pulse();  // the HAC counter back to 0 too (it ran on in the idle cycles)
  chip.load({prog[0]});
  want.clear();
  for (const auto& i : directed_expected())
    if (i.queue == 0 && i.t < 256) want.push_back(i);
  EXPECT_EQ(first_difference(want, chip.run(256)), "") << "D";
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
