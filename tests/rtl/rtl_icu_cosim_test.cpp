// The ICU cosim adapter (tb/cosim/rtl_icu) driven by the model: an observer
// forwards every on_issue to it, as the cosim checker does. On the RTL as
// designed nothing diverges; on the planted variant (REPEAT's stride applied
// k-1 times) the first divergence is the first repetition a stride moves:
// its queue, cycle, index and both words.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>

#include "gtkwave/fstapi.h"
#include "systemc/waves/wave_layout.hpp"
#include "tb/cosim/cosim.hpp"
#include "tb/cosim/rtl_icu.hpp"
#include "tb/gen/random_icu.hpp"
#include "tests/model/program_builder.hpp"
#include "verilated_fst_c.h"

namespace {

using tsp::cosim::Divergence;
using tsp::cosim::RtlIcu;
using tsp::cosim::UnitContext;

UnitContext context(const tsp::image::Image& img, bool planted) {
  UnitContext ctx;
  ctx.img = &img;
  ctx.planted = planted;
  return ctx;
}
using tsp::isa::Op;

class Forward : public tsp::model::Observer {
 public:
  explicit Forward(RtlIcu& icu) : icu_(icu) {}
  void on_issue(uint16_t queue, uint32_t index, tsp::model::Cycle t, const tsp::isa::Instr& in) override {
    if (!first) first = icu_.check_issue(queue, index, t, in);
  }
  std::optional<Divergence> first;

 private:
  RtlIcu& icu_;
};

std::optional<Divergence> cosim(const tsp::image::Image& img, bool planted, uint64_t* checked = nullptr) {
  tsp::model::ChipEngine e(img, 0);
  RtlIcu icu(context(img, planted));
  icu.start(e);
  Forward fwd(icu);
  e.set_observer(&fwd);
  EXPECT_TRUE(e.run_until(~0ull));
  if (!fwd.first) fwd.first = icu.finish();
  if (checked) *checked = icu.values_checked();
  return fwd.first;
}

std::string text(const std::optional<Divergence>& d) {
  if (!d) return "none";
  return fmt::format("{} at cycle {} on {}: expected {}, actual {}", d->what, d->cycle, d->stream, d->expected,
                     d->actual);
}

tsp::image::Image barrier_program() {
  // MEM.W.0: READ 0x10 (0), REPEAT 3,2,5 (1: READs 0x15 at 1, 0x1a at 3, 0x1f at 5), SYNC (7);
  // MEM.E.0: NOP 20, NOTIFY (20); MEM.W.0 then issues NOP 1 at 21; C2C.0: DESKEW (0..255), NOP 1 (256).
  tsp::image::ProgramBuilder b("mini");
  b.op("MEM.W.0", Op::READ, {0x10, tsp::image::east(0)}).op("MEM.W.0", Op::REPEAT, {3, 2, 5});
  b.op("MEM.W.0", Op::SYNC, {}).op("MEM.W.0", Op::NOP, {1});
  b.op("MEM.E.0", Op::NOP, {20}).op("MEM.E.0", Op::NOTIFY, {});
  b.op("C2C.0", Op::DESKEW, {}).op("C2C.0", Op::NOP, {1});
  return b.image();
}

TEST(RtlIcuCosim, HandWrittenProgramAgrees) {
  uint64_t checked = 0;
  EXPECT_EQ(text(cosim(barrier_program(), false, &checked)), "none");
  EXPECT_EQ(checked, 14u);  // 11 issues and 3 queue ends
}

TEST(RtlIcuCosim, PlantedBugIsReportedAtItsRepetition) {
  EXPECT_EQ(text(cosim(barrier_program(), true)),
            "issue at cycle 1 on MEM.W.0 unit_word_o: expected #0 0x1000000000000015, actual #0 0x1000000000000010");
}

TEST(RtlIcuCosim, RandomProgramsAgree) {
  for (uint64_t seed = 1; seed <= 10; ++seed)
    EXPECT_EQ(text(cosim(tsp::gen::plan_icu({seed, "mini", 200}).image, false)), "none") << "seed " << seed;
  EXPECT_EQ(text(cosim(tsp::gen::plan_icu({1, "tsp1", 200}).image, false)), "none");
}

TEST(RtlIcuCosim, PlantedBugIsFoundInRandomProgramsWhereItShows) {
  const auto& cfg = *tsp::isa::find_config("mini");
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const auto plan = tsp::gen::plan_icu({seed, "mini", 200});
    // The first planned issue (cycle order, then queue) that differs from its program word.
    std::optional<tsp::gen::PlannedIssue> first;
    for (const auto& q : plan.image.chips[0].queues)
      for (const auto& i : plan.issues)
        if (i.queue == q.queue && i.word != q.words[i.index] && (!first || i.t < first->t)) {
          first = i;
          break;
        }
    ASSERT_TRUE(first) << "seed " << seed;
    const auto d = cosim(plan.image, true);
    ASSERT_TRUE(d) << "seed " << seed;
    EXPECT_EQ(d->what, "issue");
    EXPECT_EQ(d->cycle, first->t) << text(d);
    EXPECT_EQ(d->stream, std::string(cfg.queue_table[first->queue].name) + " unit_word_o") << text(d);
    EXPECT_EQ(d->expected, fmt::format("#{} 0x{:016x}", first->index, first->word)) << text(d);
  }
}

// Through the cosim checker, as `tsp cosim --rtl icu` runs it: the registry
// knows "icu"; the planted bug is blamed on MEM.W.0's READ, repetition 1.
TEST(RtlIcuCosim, RunCosimChecksTheIcu) {
  const auto img = barrier_program();
  tsp::cosim::CosimOptions opt;
  opt.units = {"icu"};
  const auto ok = tsp::cosim::run_cosim(img, opt);
  EXPECT_TRUE(ok.ok()) << (ok.divergence ? tsp::cosim::format_divergence(img, *ok.divergence) : ok.model_error);
  EXPECT_EQ(ok.units.at(0).values, 14u);
  opt.planted = true;
  const auto bad = tsp::cosim::run_cosim(img, opt);
  ASSERT_TRUE(bad.divergence);
  const auto& fd = *bad.divergence;
  EXPECT_EQ(fd.unit, "icu");
  EXPECT_EQ(fd.op.queue, *tsp::isa::find_queue(*tsp::isa::find_config("mini"), "MEM.W.0"));
  EXPECT_EQ(fd.op.index, 0u);
  EXPECT_EQ(fd.op.t, 1u);
  EXPECT_EQ(fd.d.expected, "#0 0x1000000000000015");
  EXPECT_EQ(fd.d.actual, "#0 0x1000000000000010");
  std::printf("%s", tsp::cosim::format_divergence(img, fd).c_str());
}

// trace(): every sequencer in one FST, a scope per queue, one time step per chip cycle.
TEST(RtlIcuCosim, TracesEverySequencerIntoAnFst) {
  const auto img = barrier_program();
  tsp::model::ChipEngine e(img, 0);
  auto ctx = context(img, false);
  ctx.focus = tsp::cosim::WaveFocus{*tsp::isa::find_queue(e.config(), "MEM.W.0"), 0};
  RtlIcu icu(ctx);
  icu.start(e);
  const std::string path = ::testing::TempDir() + "rtl_icu_trace.fst";
  {
    VerilatedFstC fst;
    icu.trace(fst, 2, 30);
    fst.open(path.c_str());
    Forward fwd(icu);
    e.set_observer(&fwd);
    ASSERT_TRUE(e.run_until(~0ull));
    ASSERT_FALSE(fwd.first);
    ASSERT_FALSE(icu.finish());
    fst.close();
  }
  void* reader = fstReaderOpen(path.c_str());
  ASSERT_NE(reader, nullptr);
  // Every signal wave_groups() names is in the file, and only the focus queue's.
  std::vector<std::string> scope;
  std::set<std::string> names;
  while (const fstHier* h = fstReaderIterateHier(reader)) {
    if (h->htyp == FST_HT_SCOPE) scope.emplace_back(h->u.scope.name);
    if (h->htyp == FST_HT_UPSCOPE) scope.pop_back();
    if (h->htyp == FST_HT_VAR) {
      std::string full;
      for (const auto& s : scope) full += s + ".";
      std::string name = h->u.var.name;  // "word_o [63:0]": GTKWave's save files write it without the space
      std::erase(name, ' ');
      names.insert(full + name);
    }
  }
  const auto& cfg = *tsp::isa::find_config("mini");
  EXPECT_EQ(fstReaderGetStartTime(reader), tsp::waves::cycle_ps(cfg, 2));
  EXPECT_EQ(fstReaderGetEndTime(reader), (tsp::waves::cycle_ps(cfg, 30) + tsp::waves::cycle_ps(cfg, 31)) / 2);
  fstReaderClose(reader);
  const auto groups = icu.wave_groups();
  ASSERT_EQ(groups.size(), 2u);
  for (const auto& g : groups)
    for (const auto& sig : g.signals) EXPECT_TRUE(names.count(sig)) << sig;
  for (const auto& n : names) EXPECT_EQ(n.rfind("MEM_W_0.", 0), 0u) << n;
}

// Cosim speed on random programs: issues checked and chip cycles per second (printed).
TEST(RtlIcuCosim, Throughput) {
  const auto img = tsp::gen::plan_icu({3, "mini", 20000}).image;
  const auto start = std::chrono::steady_clock::now();
  tsp::model::ChipEngine e(img, 0);
  RtlIcu icu(context(img, false));
  icu.start(e);
  Forward fwd(icu);
  e.set_observer(&fwd);
  ASSERT_TRUE(e.run_until(~0ull));
  ASSERT_FALSE(icu.finish());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "icu cosim: %llu issues checked, %llu chip cycles x queues of RTL, %.2f M RTL cycles/s, %.0f k checks/s\n",
      static_cast<unsigned long long>(icu.values_checked()), static_cast<unsigned long long>(icu.rtl_cycles()),
      static_cast<double>(icu.rtl_cycles()) / s / 1e6, static_cast<double>(icu.values_checked()) / s / 1e3);
}

}  // namespace
