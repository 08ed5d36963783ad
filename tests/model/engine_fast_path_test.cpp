// The engine's exact shortcuts (ChipEngine::set_fast_paths; today: a WRITE of
// a READ's by-reference value copies late, in blocks) must change nothing a
// user can see. Each program runs with them on and off and everything is
// compared: SRAM after every run_until, the first error and its text,
// statistics, cycles, observer events. The programs copy N vectors between
// two slice pairs on `mini` (W.1 -> E.1 on S0.E, W.2 -> E.2 on S1.E, one
// vector a cycle), across SRAM pages so that deferred blocks end mid-run,
// each with a twist: an error, a flip or a foreign value inside the run.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "systemc/engine/chip_engine.hpp"
#include "tests/model/program_builder.hpp"

using tsp::isa::Op;
using tsp::model::ChipEngine;
using tsp::model::Cycle;
using tsp::model::Flip;
using tsp::model::Vec;
using namespace tsp::test;

namespace {

constexpr uint32_t N = 150, kSrc = 5, kDst = 70;  // kDst .. kDst + N spans three 64-vector pages
constexpr unsigned L = 32;                        // mini's lanes
constexpr uint64_t kReadLat = 2;                  // READ on mini (isa.toml); checked below

struct Case {
  ProgramBuilder b{"mini"};
  std::vector<Flip> flips;
  Cycle chunk = 0;                                      // run_until steps (0: one call)
  std::vector<std::pair<std::string, uint32_t>> pokes;  // host writes between steps
  bool observe = false, unit_ops = false;
  std::vector<std::vector<uint8_t>> src;  // what W.1 holds at kSrc..
};

struct Outcome {
  std::string error;
  std::vector<std::vector<uint8_t>> sram;  // every slice and address after each run_until
  std::vector<uint64_t> stats;
  Cycle end = 0;
  std::vector<std::string> events;
};

class Log : public tsp::model::Observer {
 public:
  Log(std::vector<std::string>& out, bool unit_ops) : out_(out), unit_ops_(unit_ops) {}
  void on_issue(uint16_t q, uint32_t i, Cycle t, const tsp::isa::Instr& in) override {
    out_.push_back(fmt::format("issue {} {} {} {}", q, i, t, tsp::isa::format(in)));
  }
  void on_stream_put(tsp::isa::StreamRef s, uint16_t pos, Cycle at, uint16_t q) override {
    out_.push_back(fmt::format("put {} {} {} {}", tsp::isa::stream_name(s), pos, at, q));
  }
  void on_sram(uint16_t slice, uint32_t address, Cycle at, bool write) override {
    out_.push_back(fmt::format("sram {} {} {} {}", slice, address, at, write));
  }
  bool wants_unit_ops() const override { return unit_ops_; }
  void on_unit_op(const tsp::model::UnitOp& op) override {
    std::string s = fmt::format("op {} {}", op.queue, op.t);
    for (const auto& in : op.inputs)
      s += fmt::format(" {:02x}", fmt::join(in.v.bytes.begin(), in.v.bytes.begin() + L, ""));
    out_.push_back(s);
  }

 private:
  std::vector<std::string>& out_;
  bool unit_ops_;
};

std::vector<uint8_t> snapshot(ChipEngine& e) {
  std::vector<uint8_t> all;
  Vec v;
  for (uint16_t s = 0; s < e.config().mem_slices; ++s)
    for (uint32_t a = 0; a < e.config().mem_addresses; ++a) {
      e.slice(s).read(a, v);
      all.insert(all.end(), v.bytes.begin(), v.bytes.begin() + L);
    }
  return all;
}

Outcome run(const Case& c, bool fast) {
  Outcome o;
  ChipEngine e(c.b.image(), 0);
  e.set_fast_paths(fast);
  for (const auto& f : c.flips) e.add_flip(f);
  Log log(o.events, c.unit_ops);
  if (c.observe) e.set_observer(&log);
  try {
    Cycle limit = 0;
    for (uint8_t step = 1;; ++step) {
      limit = c.chunk ? limit + c.chunk : ~Cycle{0};
      const bool done = e.run_until(limit);
      if (!done) {  // before looking: a read of SRAM must not be what makes it right
        Vec v;
        v.bytes.fill(step);
        for (const auto& [q, address] : c.pokes) e.slice(c.b.slice(q)).write(address, v);
      }
      o.sram.push_back(snapshot(e));
      if (done) break;
    }
  } catch (const tsp::model::ScheduleError& err) {
    o.error = err.what();
    o.sram.push_back(snapshot(e));
  }
  const auto& st = e.stats();
  o.stats.assign(st.instructions.begin(), st.instructions.end());
  o.stats.insert(o.stats.end(), {st.ecc_corrected, st.sram_bytes, st.stream_values, st.macs});
  o.end = e.end_cycle();
  return o;
}

// The cycle a WRITE on `to` sees what a READ on `from` (west of it) issued at `t` put on an eastward stream.
uint64_t arrival(const Case& c, const std::string& from, const std::string& to, uint64_t t) {
  return t + kReadLat + (c.b.position(to) - c.b.position(from));
}

// Both pairs: READ REPEATs from cycle 0, WRITE REPEATs when the first value arrives.
// `read_gap`: W.1 pauses one cycle after that many READs (its WRITE then finds an empty stream).
Case copy_program(uint32_t e2_dst = kDst, uint32_t read_gap = 0) {
  Case c;
  std::mt19937 rng(7);
  for (const char* q : {"MEM.W.1", "MEM.W.2"})
    for (uint32_t k = 0; k < N; ++k) {
      std::vector<uint8_t> v(L);
      for (auto& byte : v) byte = static_cast<uint8_t>(rng());
      c.b.sram(q, kSrc + k, v);
      if (q == std::string("MEM.W.1")) c.src.push_back(v);
    }
  if (read_gap) {
    c.b.op("MEM.W.1", Op::READ, {kSrc, east(0)}).op("MEM.W.1", Op::REPEAT, {read_gap - 1, 1, 1});
    c.b.op("MEM.W.1", Op::NOP, {1}).op("MEM.W.1", Op::READ, {kSrc + read_gap, east(0)});
    c.b.op("MEM.W.1", Op::REPEAT, {N - read_gap - 1, 1, 1});
  } else {
    c.b.op("MEM.W.1", Op::READ, {kSrc, east(0)}).op("MEM.W.1", Op::REPEAT, {N - 1, 1, 1});
  }
  c.b.op("MEM.W.2", Op::READ, {kSrc, east(1)}).op("MEM.W.2", Op::REPEAT, {N - 1, 1, 1});
  c.b.op("MEM.E.1", Op::NOP, {static_cast<int64_t>(arrival(c, "MEM.W.1", "MEM.E.1", 0))});
  c.b.op("MEM.E.1", Op::WRITE, {kDst, east(0)}).op("MEM.E.1", Op::REPEAT, {N - 1, 1, 1});
  c.b.op("MEM.E.2", Op::NOP, {static_cast<int64_t>(arrival(c, "MEM.W.2", "MEM.E.2", 0))});
  c.b.op("MEM.E.2", Op::WRITE, {e2_dst, east(1)}).op("MEM.E.2", Op::REPEAT, {N - 1, 1, 1});
  return c;
}

void expect_same(const Case& c, Outcome* fast_out = nullptr) {
  const Outcome slow = run(c, false), fast = run(c, true);
  EXPECT_EQ(fast.error, slow.error);
  ASSERT_EQ(fast.sram.size(), slow.sram.size());
  for (size_t i = 0; i < slow.sram.size(); ++i) EXPECT_TRUE(fast.sram[i] == slow.sram[i]) << "SRAM after step " << i;
  EXPECT_EQ(fast.stats, slow.stats);
  EXPECT_EQ(fast.end, slow.end);
  EXPECT_EQ(fast.events, slow.events);
  if (fast_out) *fast_out = fast;
}

std::vector<uint8_t> dst_vector(const Outcome& o, const Case& c, const std::string& q, uint32_t address) {
  const size_t at = (size_t(c.b.slice(q)) * 1024 + address) * L;
  return {o.sram.back().begin() + ptrdiff_t(at), o.sram.back().begin() + ptrdiff_t(at + L)};
}

TEST(EngineFastPath, MiniTimingAssumed) {
  EXPECT_EQ(tsp::isa::op_desc(Op::READ).latency, kReadLat);
  EXPECT_EQ(tsp::isa::find_config("mini")->mem_addresses, 1024u);
  EXPECT_EQ(tsp::isa::find_config("mini")->lanes, L);
}

TEST(EngineFastPath, CopyMatchesTheSourceAndTheSlowPath) {
  const Case c = copy_program();
  Outcome o;
  expect_same(c, &o);
  EXPECT_EQ(o.error, "");
  for (uint32_t k = 0; k < N; ++k) EXPECT_EQ(dst_vector(o, c, "MEM.E.1", kDst + k), c.src[k]) << k;
}

TEST(EngineFastPath, EmptyStreamInsideTheRun) {
  const Case c = copy_program(kDst, 100);  // W.1 skips a cycle after 100 READs
  Outcome o;
  expect_same(c, &o);
  EXPECT_NE(o.error.find("holds no value"), std::string::npos) << o.error;
  EXPECT_EQ(dst_vector(o, c, "MEM.E.1", kDst + 99), c.src[99]);  // written before the error, in a deferred block
}

TEST(EngineFastPath, BadRepetitionInsideTheRun) {
  const Case c = copy_program(1000);  // E.2's repetition 24 addresses 1024
  Outcome o;
  expect_same(c, &o);
  EXPECT_NE(o.error.find("repetition 24"), std::string::npos) << o.error;
}

TEST(EngineFastPath, ForeignValuesInsideTheRun) {
  // W.0 (written by its own program, so its READs are copies) and E.0 (by
  // reference) put on S0.E between W.1 and E.1 in the middle of the run.
  Case c = copy_program();
  c.b.sram("MEM.W.0", 3, std::vector<uint8_t>(L, 0xA5)).sram("MEM.E.0", 4, std::vector<uint8_t>(L, 0x5A));
  c.b.op("MEM.W.0", Op::NOP, {40}).op("MEM.W.0", Op::READ, {3, east(0)}).op("MEM.W.0", Op::REPEAT, {2, 1, 0});
  // W.0 is written: a value of W.2's passing by on S1.E.
  c.b.op("MEM.W.0", Op::NOP, {static_cast<int64_t>(arrival(c, "MEM.W.2", "MEM.W.0", 60) - 43)});
  c.b.op("MEM.W.0", Op::WRITE, {900, east(1)});
  c.b.op("MEM.E.0", Op::NOP, {70}).op("MEM.E.0", Op::READ, {4, east(0)});
  Outcome o;
  expect_same(c, &o);
  EXPECT_EQ(o.error, "");
  const uint32_t k_w0 = uint32_t(arrival(c, "MEM.W.0", "MEM.E.1", 40) - arrival(c, "MEM.W.1", "MEM.E.1", 0));
  const uint32_t k_e0 = uint32_t(arrival(c, "MEM.E.0", "MEM.E.1", 70) - arrival(c, "MEM.W.1", "MEM.E.1", 0));
  EXPECT_EQ(dst_vector(o, c, "MEM.E.1", kDst + k_w0), std::vector<uint8_t>(L, 0xA5));
  EXPECT_EQ(dst_vector(o, c, "MEM.E.1", kDst + k_e0), std::vector<uint8_t>(L, 0x5A));
  EXPECT_EQ(dst_vector(o, c, "MEM.E.1", kDst + k_e0 + 1), c.src[k_e0 + 1]);
}

TEST(EngineFastPath, FlipsInsideTheRun) {
  Case c = copy_program();
  const uint16_t e1 = c.b.slice("MEM.E.1"), w2 = c.b.slice("MEM.W.2");
  c.flips = {{30, e1, kDst + 10, 0, 5},      // written at ~17, its block still pending
             {30, e1, kDst + 100, 1, 7},     // not written yet: the WRITE replaces it
             {50, w2, kSrc + 120, 1, 130}};  // a source word read later: decoded, corrected
  // E.1 reads both back after its run (counting the corrected word).
  c.b.op("MEM.E.1", Op::READ, {kDst + 10, west(3)}).op("MEM.E.1", Op::READ, {kDst + 100, west(3)});
  Outcome o;
  expect_same(c, &o);
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.stats[tsp::isa::kUnitCount], 2u);  // ecc_corrected: the dest word and the source word
}

TEST(EngineFastPath, UncorrectableSourceWordInsideTheRun) {
  Case c = copy_program();
  const uint16_t w1 = c.b.slice("MEM.W.1");
  c.flips = {{40, w1, kSrc + 80, 1, 3}, {40, w1, kSrc + 80, 1, 9}};
  Outcome o;
  expect_same(c, &o);
  EXPECT_NE(o.error.find("uncorrectable ECC error"), std::string::npos) << o.error;
}

TEST(EngineFastPath, HostWritesBetweenSteps) {
  // run_until returns every 37 cycles; the host then overwrites a source
  // vector already read (its copies must not change) and one not read yet.
  Case c = copy_program();
  c.chunk = 37;
  c.pokes = {{"MEM.W.1", kSrc}, {"MEM.W.1", kSrc + 40}, {"MEM.W.1", kSrc + N - 1}};
  Outcome o;
  expect_same(c, &o);
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(dst_vector(o, c, "MEM.E.1", kDst), c.src[0]);
  EXPECT_EQ(dst_vector(o, c, "MEM.E.1", kDst + N - 1), std::vector<uint8_t>(L, 4));  // poked after step 4
}

TEST(EngineFastPath, Observed) {
  Case c = copy_program(kDst, 100);
  c.observe = true;
  expect_same(c);
  c.unit_ops = true;  // the cosim seam: READs copy, so no reference reaches a WRITE
  expect_same(c);
}

}  // namespace
