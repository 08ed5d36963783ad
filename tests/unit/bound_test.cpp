// The compiler's lower bound (firmware/compiler/bound.hpp): hand-computed
// bounds of small graphs on tsp1, tightness where the schedule is tight, the
// invariant predicted >= bound on every example graph, and a planted bound one
// cycle too high that compile() must refuse.
#include "firmware/compiler/bound.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/parse.hpp"
#include "tests/support/planted_bugs.hpp"

namespace tsp::compiler {
namespace {

const isa::Config& tsp1() { return *isa::find_config("tsp1"); }
Graph graph(const std::string& text) { return parse_program(text, "b.txt").graph; }

// tsp1 from isa.toml: READ latency 2 (array access at issue), WRITE array
// access at issue + 1, RELU 1, ADD 2, IW 20, ACC 24; 20 superlanes (a
// stagger of 19 cycles); the nearest MEM slice is 1 position from the VXM and
// 2 from the nearest MXM plane (MEM.W.43 | SXM.W | MXM.W.0); 88 slices, 16 ALUs, 4 planes,
// 32 streams a direction.

TEST(Bound, OneElementwiseOpByHand) {
  // READ at 0, at the VXM at 0 + 2 + 1, RELU there, its result 1 later, at the
  // result's slice 1 later (cycle 5): WRITE, array write in 6. Program length
  // = 6 (the slot end) + 19. MEM: 2 accesses over 88 slices, 1 + 19 cycles.
  const Bound b = bound_only(graph("input x : i8[1, 320] random 1\ny = relu x\noutput y\n"), tsp1());
  EXPECT_EQ(b.cycles, 25u);
  EXPECT_EQ(b.binding, "path");
  EXPECT_EQ(b.term("mem"), 20u);
  EXPECT_EQ(b.term("vxm"), 20u);
  EXPECT_EQ(b.term("install"), 0u);
  EXPECT_EQ(b.term("c2c"), 0u);
}

TEST(Bound, ElementwiseChainByHand) {
  // r = relu x over 4 vectors: first written at -1 + 7 = 6 (one op: 1 + 2 + 1 + 1 + 1 + 1), last at 9.
  // s = add r x (ADD 2, so 8 a hop from SRAM). r may stream into the add (its only reader,
  // Lowered::stream_to): 2 from r's result. First at max(6 + 2, -1 + 8) = 8, last at
  // max(8 + 3, 9 + 2, -1 + 8) = 11; length 11 + 19. (The schedule cannot fuse them: both
  // steps read x, and one slice has one read port. It takes 39 cycles.)
  const Bound b = bound_only(graph("input x : i8[4, 320] random 1\nr = relu x\ns = add r x\noutput s\n"), tsp1());
  EXPECT_EQ(b.term("path"), 30u);
  EXPECT_EQ(b.term("vxm"), 1u + 19u);  // 8 ALU ops over 16 ALUs
  EXPECT_EQ(b.term("mem"), 1u + 19u);  // 4 + 4 + 4 = 12 accesses over 88 slices (r is never written)
  EXPECT_EQ(b.cycles, 30u);
}

TEST(Bound, OneMatMulByHand) {
  // x i8 [1, 320] . w i8 [320, 320] -> i32: one block of 320 rows.
  // install: by plane, head 2 + 2, one block of 320/32 = 10 LW cycles + IW 20
  //   over 4 planes = 8, tail ABC + ACC 24 + 2 + WRITE 1 = 28: 40 - 1 + 1 + 19 = 59;
  //   by stream rate, 320 vectors at min(2 x 32, 88) = 64 a cycle = 5 + IW 20:
  //   4 + 5 + 20 + 28 = 57, + 19 = 76.
  // mxm: 4 + LW 1 + IW 20 + 1 ABC - 1 + 28 = 53, + 19 = 72.
  // path: LW from cycle 4 for 10 cycles, IW at 14 installs at 34, ABC 34, ACC 35,
  //   out at 59, at the slice at 61, written at 62: 62 + 19 = 81.
  const Bound b = bound_only(
      graph("input x : i8[1, 320] random 1\nconst w : i8[320, 320] random 2\ny = matmul x w\noutput y\n"), tsp1());
  EXPECT_EQ(b.term("install"), 76u);
  EXPECT_EQ(b.term("mxm"), 72u);
  EXPECT_EQ(b.term("mem"), 4u + 19u);  // 320 LW READs + 1 ABC READ + 4 WRITEs over 88 slices
  EXPECT_EQ(b.term("path"), 81u);
  EXPECT_EQ(b.cycles, 81u);
  EXPECT_EQ(b.binding, "path");
}

TEST(Bound, SingleElementwiseOpIsTight) {
  const Compiled c = compile(graph("input x : i8[1, 320] random 1\ny = relu x\noutput y\n"), tsp1());
  EXPECT_EQ(c.bound.cycles, 25u);
  EXPECT_EQ(c.predicted_cycles, c.bound.cycles);  // nothing to gain: the schedule is optimal
}

TEST(Bound, PlantedBoundOneCycleTooHighIsCaught) {
  // On the tight case a bound one cycle too high exceeds the real schedule: compile() refuses it.
  CompileOptions opt;
  opt.bound_hook = planted_bound(1);
  try {
    compile(graph("input x : i8[1, 320] random 1\ny = relu x\noutput y\n"), tsp1(), opt);
    FAIL() << "a bound above the schedule was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("internal error: the schedule's 25 cycles are below the lower bound's 26 "
                                         "(term path)"),
              std::string::npos)
        << e.what();
  }
  opt.bound_hook = planted_bound(0);  // the same seam without the plant compiles
  EXPECT_EQ(compile(graph("input x : i8[1, 320] random 1\ny = relu x\noutput y\n"), tsp1(), opt).predicted_cycles, 25u);
}

// Every example graph of `prefix`: the schedule is never below the bound
// (compile() enforces it; the test states it), and the figures of
// docs/compiler.md's table.
void holds_for_examples(const std::string& prefix, size_t at_least) {
  const std::filesystem::path dir = std::filesystem::path(TSP_SOURCE_DIR) / "firmware/examples/graphs";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".txt" && e.path().filename().string().starts_with(prefix)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), at_least);
  for (const auto& f : files) {
    const Program p = load_program(f.string());
    const Compiled c = compile(p.graph, *isa::find_config(p.config.value_or("tsp1")));
    EXPECT_GE(c.predicted_cycles, c.bound.cycles) << f;
    std::string terms;
    for (const BoundTerm& t : c.bound.terms) terms += fmt::format(" {} {}", t.name, t.cycles);
    fmt::print("{}: predicted {}, {};{}\n", f.filename().string(), c.predicted_cycles,
               c.bound.summary(c.predicted_cycles), terms);
  }
}

TEST(Bound, HoldsForEveryMiniExampleGraph) { holds_for_examples("mini_", 8); }
// The tsp1 layers take seconds: release only (CMakePresets.json's debug filter).
TEST(Bound, Tsp1HoldsForEveryExampleGraph) { holds_for_examples("tsp1_", 5); }

}  // namespace
}  // namespace tsp::compiler
