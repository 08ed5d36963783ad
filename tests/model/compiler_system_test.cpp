// The system compiler (firmware/compiler/system.hpp) on node8: every chip runs
// in exactly its predicted cycles and holds outputs bit-equal to the host
// reference of the graph before partitioning; planted RECVs off their frame's
// arrival are caught; what cannot be compiled for a system says why.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <random>

#include "common/error.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/reference.hpp"
#include "firmware/compiler/system.hpp"
#include "tb/run_system.hpp"
#include "tests/support/planted_bugs.hpp"

namespace tsp::compiler {
namespace {

// Two MatMuls with an elementwise op between them: both split 8 ways (5120 and
// 2560 columns), M = 4 rows, f16 products into f32.
constexpr const char* kMlp = R"(config tsp1
input x : f16[4, 1280] random 1
const w1 : f16[1280, 5120] random 2
const w2 : f16[5120, 2560] random 3
h = matmul x w1
hc = cast f16 h
r = relu hc
y = matmul r w2
output y
)";

// Compiles for a topology (node8 unless named), runs, checks every chip. ""
// when exact, else what was seen.
std::string system_run_check(const Graph& graph, const isa::Config& cfg, const CompileOptions& opt,
                             SystemCompiled* keep = nullptr, SystemComparison* cmp = nullptr,
                             const std::string& topology = "node8") {
  const topo::Topology t = topo::is_builtin(topology) ? topo::builtin_topology(topology, cfg)
                                                      : topo::parse_topology(topology, "sys.topo", cfg);
  const SystemCompiled s = compile_system(graph, cfg, t, opt);
  if (keep) *keep = s;
  const tsp::cli::SystemRun run = tsp::cli::run_system_image(s, t, cfg);
  if (!run.report.ok()) return "model error: " + run.report.first_error();
  std::string why;
  for (const std::string& e : run.off_prediction) why += e + "; ";
  const SystemComparison found = compare_system(s, cfg, run.got);
  for (const std::string& e : found.errors) why += e + "; ";
  if (cmp) *cmp = found;
  return why;
}

std::string system_run_check(const std::string& text, std::function<void(Chain&)> hook = {},
                             SystemCompiled* keep = nullptr, SystemComparison* cmp = nullptr,
                             const std::string& topology = "node8", uint32_t stages = 0) {
  const Program p = parse_program(text, "mlp.txt");
  CompileOptions opt;
  opt.chain_hook = std::move(hook);
  opt.stages = stages;
  return system_run_check(p.graph, *isa::find_config(p.config.value_or("tsp1")), opt, keep, cmp, topology);
}

TEST(CompilerSystem, MlpOnNode8IsExactOnEveryChip) {
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(kMlp, {}, &s, &cmp), "");
  ASSERT_EQ(s.chips.size(), 8u);
  // Megatron's pair: w1 by columns, w2 by rows; r never crosses a link.
  ASSERT_EQ(s.decisions.size(), 2u);
  EXPECT_NE(s.decisions[0].find("h: 'w1' [1280, 5120] by columns, 640 on each chip"), std::string::npos)
      << s.decisions[0];
  EXPECT_NE(s.decisions[1].find("y: 'w2' [5120, 2560] by rows, 640 on each chip"), std::string::npos) << s.decisions[1];
  // f32 partial sums added across chips round differently from one chip's
  // accumulation: close to the graph before partitioning, not equal.
  EXPECT_EQ(cmp.elements, 8u * 4 * 2560);
  EXPECT_GT(cmp.differ, 0u);
  EXPECT_LT(cmp.max_abs_error, 1e-6 * cmp.max_abs_value) << cmp.differ << " elements differ";
  fmt::print("against the unpartitioned graph: {} of {} differ, by at most {} where values reach {}\n", cmp.differ,
             cmp.elements, cmp.max_abs_error, cmp.max_abs_value);
  // Each chip computes an eighth of the products: faster than one chip computing all of them.
  const Program p = parse_program(kMlp, "mlp.txt");
  const Compiled one = compile(p.graph, *isa::find_config("tsp1"));
  EXPECT_LT(s.predicted_cycles * 2, one.predicted_cycles);
  // The collectives are in every chip's bound, which the schedule respects.
  for (const Compiled& c : s.chips) {
    EXPECT_GT(c.bound.term("c2c"), 0u);
    EXPECT_GE(c.predicted_cycles, c.bound.cycles);
  }
}

// int8: a column-split MatMul, elementwise ops on its blocks, a row-split
// MatMul (i32 partial sums: exact in any order), and a MatMul left whole (1000
// columns are not whole vectors on 8 chips) on a gathered operand.
TEST(CompilerSystem, IntegerPairsEqualTheUnpartitionedGraph) {
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(R"(config tsp1
input x : i8[2, 640] random 4
const w1 : i8[640, 2560] random 5
const w2 : i8[2560, 2560] random 6
const w3 : i8[2560, 1000] random 7
h = matmul x w1
r = relu h
c = cast i8 r
y = matmul c w2
k = matmul c w3
output y k
)",
                             {}, &s, &cmp),
            "");
  ASSERT_EQ(s.decisions.size(), 3u);
  EXPECT_NE(s.decisions[1].find("by rows"), std::string::npos) << s.decisions[1];
  EXPECT_NE(s.decisions[2].find("1000 columns"), std::string::npos) << s.decisions[2];
  EXPECT_EQ(cmp.differ, 0u);
  EXPECT_EQ(cmp.elements, 8u * 2 * (2560 + 1000));
}

// Widths that are not 8 x 320: blocks of whole vectors as even as they go
// (3000 columns: 1 or 2 vectors a chip, the last ending in part of one, whose
// padding lanes the next MatMul needs zero), through SiLU and a gate.
TEST(CompilerSystem, UnevenBlocksAreExact) {
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(R"(config tsp1
input x : f16[1, 2900] random 8
const wg : f16[2900, 3000] random 9
const wu : f16[2900, 3000] random 10
const wd : f16[3000, 2900] random 11
g = matmul x wg
u = matmul x wu
gc = cast f16 g
uc = cast f16 u
a = silu gc
m = mul a uc
y = matmul m wd
output y
)",
                             {}, &s, &cmp),
            "");
  ASSERT_EQ(s.decisions.size(), 3u);
  EXPECT_NE(s.decisions[0].find("by columns, 320 to 640 on each chip"), std::string::npos) << s.decisions[0];
  EXPECT_NE(s.decisions[2].find("by rows, 320 to 640 on each chip"), std::string::npos) << s.decisions[2];
  EXPECT_EQ(cmp.elements, 8u * 2900);
  EXPECT_LE(cmp.max_abs_error, 1e-6 * cmp.max_abs_value);
}

// Attention split by heads (Megatron's): q, k and v by columns of whole
// heads, the heads' attention on each chip's own, the output projection by
// rows and reduce-scattered. 20 heads of 128 (2 or 3 a chip), 8 tokens
// cached. With `kv` 4, k and v (512 columns) stay whole and each chip cuts
// its heads out of them after the grouped heads are expanded.
std::string attention(uint32_t kv, uint32_t H = 20, uint32_t D = 128, uint32_t T = 8) {
  const uint32_t dim = H * D, kvw = kv * D;
  std::string g = fmt::format(R"(config tsp1
input x : f16[1, {2}] random 1
input pk : f32[{0}, {4}, {3}] random 2
input pv : f32[{0}, {4}, {3}] random 3
const wq : f16[{2}, {2}] random 4
const wk : f16[{2}, {1}] random 5
const wv : f16[{2}, {1}] random 6
const wo : f16[{2}, {2}] random 7
q = matmul x wq
qh = reshape q shape 1 {5} {3}
qt = transpose qh [1, 0, 2]
k = matmul x wk
kh = reshape k shape 1 {0} {3}
kt = transpose kh [1, 0, 2]
kc = concat pk kt axis 1
v = matmul x wv
vh = reshape v shape 1 {0} {3}
vt = transpose vh [1, 0, 2]
vc = concat pv vt axis 1
)",
                              kv, kvw, dim, D, T, H);
  if (kv == H) {
    g += "ka = transpose kc [0, 2, 1]\nva = cast f16 vc\n";
  } else {  // each kv head serves H / kv query heads, as ONNX exports expand them
    g += fmt::format(R"(const ones : f32[1, {1}, 1, 1] = {2}
k4 = reshape kc shape {0} 1 {4} {3}
ke = sel ones k4 k4
kx = reshape ke shape {5} {4} {3}
ka = transpose kx [0, 2, 1]
v4 = reshape vc shape {0} 1 {4} {3}
ve = sel ones v4 v4
vx = reshape ve shape {5} {4} {3}
va = cast f16 vx
)",
                     kv, H / kv, fmt::join(std::vector<int>(H / kv, 1), " "), D, T + 1, H);
  }
  return g + fmt::format(R"(qc = cast f16 qt
kac = cast f16 ka
sc = matmul qc kac
p = softmax sc axis 2
pc = cast f16 p
o = matmul pc va
ot = transpose o [1, 0, 2]
om = reshape ot shape 1 {}
oc = cast f16 om
y = matmul oc wo
output y kc vc
)",
                         dim);
}

TEST(CompilerSystem, AttentionSplitsByHeads) {
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(attention(20), {}, &s, &cmp), "");
  ASSERT_EQ(s.decisions.size(), 4u) << fmt::format("{}", fmt::join(s.decisions, "\n"));
  for (int i = 0; i < 3; ++i)
    EXPECT_NE(s.decisions[size_t(i)].find("by heads: 20 heads of 128, 2 to 3 on each chip"), std::string::npos)
        << s.decisions[size_t(i)];
  EXPECT_NE(s.decisions[3].find("by rows (whole heads), 256 to 384 on each chip"), std::string::npos) << s.decisions[3];
  // Each chip's scores are its own two heads'.
  const auto sc = s.chips[3].graph.find("sc.local");  // heads 7, 8 and 9
  ASSERT_TRUE(sc);
  EXPECT_EQ(s.chips[3].graph.tensor(*sc).shape, (std::vector<uint32_t>{3, 1, 9}));
  // The KV cache stays with its heads: each chip keeps its block of kc and vc, and no link carries them.
  ASSERT_EQ(s.kept.size(), 1u);
  ASSERT_EQ(s.kept[0].size(), 2u);
  EXPECT_EQ(s.kept[0][0].name, "kc");
  EXPECT_EQ(s.kept[0][0].bounds, (std::vector<uint32_t>{0, 2, 5, 7, 10, 12, 15, 17, 20}));
  for (const Node& n : s.chips[3].graph.nodes())
    EXPECT_FALSE(n.op == GraphOp::AllGather && s.chips[3].graph.tensor(n.output).name[0] != 'y')
        << s.chips[3].graph.tensor(n.output).name << " is gathered";
  EXPECT_EQ(s.chips[3].graph.tensor(*s.chips[3].graph.find("kc.local")).shape, (std::vector<uint32_t>{3, 9, 128}));
  EXPECT_LE(cmp.max_abs_error, 1e-6 * cmp.max_abs_value) << cmp.differ << " elements differ";
}

// The check against the unpartitioned graph catches a partition that is
// exact on its own terms: chip 3 cuts heads 10-12 instead of its 7-9 from
// the grouped keys and values (another K/V head: 5 query heads share one), so
// its scores are of other heads' keys; every chip still equals the system's
// host reference.
TEST(CompilerSystem, PlantedWrongHeadsAreCaughtByTheUnpartitionedGraph) {
  const Program p = parse_program(attention(4), "attention.txt");
  CompileOptions opt;
  opt.cut_hook = [](uint32_t chip, uint32_t& lo, uint32_t& hi) {
    if (chip == 3) lo += 3, hi += 3;
  };
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(p.graph, *isa::find_config("tsp1"), opt, nullptr, &cmp), "");
  EXPECT_GT(cmp.max_abs_error, 1e-3 * cmp.max_abs_value)
      << "a wrong cut went unseen: " << cmp.max_abs_error << " where values reach " << cmp.max_abs_value;
}

TEST(CompilerSystem, GroupedQueryAttentionCutsItsHeadsFromWholeKeys) {
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(attention(4), {}, &s, &cmp), "");
  ASSERT_EQ(s.decisions.size(), 4u) << fmt::format("{}", fmt::join(s.decisions, "\n"));
  EXPECT_NE(s.decisions[0].find("by heads: 20 heads of 128"), std::string::npos) << s.decisions[0];
  EXPECT_NE(s.decisions[1].find("on every chip: 512 columns"), std::string::npos) << s.decisions[1];
  const auto sc = s.chips[4].graph.find("sc.local");  // heads 10 and 11
  ASSERT_TRUE(sc);
  EXPECT_EQ(s.chips[4].graph.tensor(*sc).shape, (std::vector<uint32_t>{2, 1, 9}));
  EXPECT_LE(cmp.max_abs_error, 1e-6 * cmp.max_abs_value) << cmp.differ << " elements differ";
}

// Generated weights on a system: each chip's weight blocks are generated SRAM
// (the image carries the seed, not the bytes), every chip exact against the
// system's reference, which computes with the generated values; the graph
// before partitioning has other weights, so it is not compared.
TEST(CompilerSystem, GeneratedWeightsAreExactOnEveryChip) {
  const Program p = parse_program(R"(config tsp1
input x : i8[2, 1280] random 4
const w1 : i8[1280, 5120] random 5
const w2 : i8[5120, 2560] random 6
h = matmul x w1
hc = cast i8 h
r = relu hc
y = matmul r w2
output y
)",
                                  "int_mlp.txt");
  CompileOptions opt;
  opt.generated_weights = 7;
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(p.graph, *isa::find_config("tsp1"), opt, &s, &cmp), "");
  ASSERT_EQ(s.image.chips.size(), 8u);
  for (const image::ChipProgram& c : s.image.chips) {  // a chip's w1 and w2 blocks (2.4 MB) are not carried
    EXPECT_FALSE(c.generated.empty());
    size_t bytes = 0;
    for (const image::SramSegment& seg : c.sram) bytes += seg.bytes.size();
    EXPECT_LT(bytes, 64u << 10);
  }
  EXPECT_EQ(cmp.generated, 16u);
  EXPECT_EQ(cmp.elements, 8u * 2 * 2560);
  EXPECT_EQ(cmp.differ, 0u);  // not compared
  // The source's random weights were never made: a system of many chips never holds them (lazy_data.hpp).
  for (const char* w : {"w1", "w2"}) EXPECT_FALSE(p.graph.tensor(*p.graph.find(w)).data.made()) << w;
}

// Weights whose chip blocks end in part of a vector (1,000 columns: 320 + 320
// + 320 + 40 lanes on one chip; 100 a chip over 8) are generated too, in rows
// of blocks (format 1.4), exact on every chip; carried as bytes the source is made.
TEST(CompilerSystem, GeneratedWeightsEndingInPartOfAVectorAreExact) {
  const char* src = R"(config tsp1
input x : f16[2, 1280] random 4
const w1 : f16[1280, 1000] random 5
const w2 : i8[640, 700] random 6
input x2 : i8[3, 640] random 7
h = matmul x w1
y = matmul x2 w2
output h y
)";
  const isa::Config& cfg = *isa::find_config("tsp1");
  const Program p = parse_program(src, "partial.txt");
  CompileOptions opt;
  opt.generated_weights = 7;
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(p.graph, cfg, opt, &s, &cmp), "");
  EXPECT_FALSE(p.graph.tensor(*p.graph.find("w1")).data.made());
  bool period = false;
  for (const image::ChipProgram& c : s.image.chips)
    for (const image::GeneratedSegment& g : c.generated) period |= g.period != 0;
  EXPECT_TRUE(period) << "no chip's block ends in part of a vector";
  EXPECT_EQ(cmp.generated, 16u);
  // Carried as bytes (one simulation a process: compiled only), the chips' blocks make the source.
  const Program carried = parse_program(src, "partial.txt");
  compile_system(carried.graph, cfg, topo::builtin_topology("node8", cfg));
  EXPECT_TRUE(carried.graph.tensor(*carried.graph.find("w1")).data.made());
}

// With generated weights a constant of one value (an RMSNorm's lane-sum
// ones) and every all-zero segment (padding rows) are generated regions of
// keep 0: the image carries none of their bytes, and every chip stays exact.
TEST(CompilerSystem, UniformConstantsAndZerosAreGeneratedRegions) {
  const Program p = parse_program(R"(config tsp1
input x : f32[1, 640] random 1
const g : f32[640] random 2
const w : f16[640, 1000] random 3
n = rmsnorm x g
nh = cast f16 n
y = matmul nh w
output y
)",
                                  "norm.txt");
  CompileOptions opt;
  opt.generated_weights = 7;
  const isa::Config& cfg = *isa::find_config("tsp1");
  {  // nothing makes the lane sums' blocks of ones when nothing reads them (the host reference would)
    const SystemCompiled lean = compile_system(p.graph, cfg, topo::builtin_topology("node8", cfg), opt);
    uint32_t unmade = 0;
    for (const Compiled& c : lean.chips)
      for (const Tensor& t : c.graph.tensors())
        if (t.data.uniform() && !t.data.made()) ++unmade;
    EXPECT_GT(unmade, 0u) << "every uniform constant was made";
  }
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(p.graph, cfg, opt, &s, &cmp), "");
  uint32_t ones = 0, zeros = 0;
  for (const image::ChipProgram& c : s.image.chips) {
    for (const image::GeneratedSegment& r : c.generated)
      if (r.keep == 0) ++(r.set ? ones : zeros);
    for (const image::SramSegment& seg : c.sram)
      EXPECT_TRUE(std::any_of(seg.bytes.begin(), seg.bytes.end(), [](uint8_t b) { return b != 0; }))
          << "an all-zero segment carried at " << seg.address;
  }
  EXPECT_GT(ones, 0u) << "the lane sum's ones were carried";
  EXPECT_GT(zeros, 0u) << "no padding rows became zero regions";
  EXPECT_GT(cmp.elements, 0u);
}

// A system compile that drops each chip's schedule after code generation
// (keep_schedule false: `tsp compile --topology` without a view) writes the
// same image; the chips' own images hold no program once merged.
TEST(CompilerSystem, DroppingTheScheduleKeepsTheImage) {
  const Program p = parse_program(kMlp, "mlp.txt");
  const isa::Config& cfg = *isa::find_config("tsp1");
  const topo::Topology t = topo::builtin_topology("node8", cfg);
  CompileOptions opt;
  const SystemCompiled kept = compile_system(p.graph, cfg, t, opt);
  opt.keep_schedule = false;
  const SystemCompiled lean = compile_system(p.graph, cfg, t, opt);
  EXPECT_EQ(image::serialize(kept.image), image::serialize(lean.image));
  for (uint32_t c = 0; c < lean.chips.size(); ++c) {
    EXPECT_FALSE(kept.chips[c].timed.empty());
    EXPECT_TRUE(lean.chips[c].timed.empty()) << "chip " << c;
    EXPECT_TRUE(lean.chips[c].image.chips.empty() && lean.chips[c].image.symbols.empty()) << "chip " << c;
    EXPECT_EQ(lean.chips[c].predicted_cycles, kept.chips[c].predicted_cycles);
  }
}

// Pipeline stages: four chips in two nodes of two, linked in a ring (one
// link between the nodes each way). Stage 0 on node 0, stage 1 on node 1, the
// cut where the fewest bytes cross (after the cast to int8), handed off over
// the link between the nodes and on to the other chip of node 1.
constexpr const char* kRing = R"(chips 4
node 0 0
node 1 0
node 2 1
node 3 1
link 0.0 1.0 cable backplane
link 2.0 3.0 cable backplane
link 1.1 2.1
link 3.1 0.1 cable optical
)";
constexpr const char* kIntMlp = R"(config tsp1
input x : i8[2, 640] random 4
const w1 : i8[640, 1280] random 5
const w2 : i8[1280, 1280] random 6
h = matmul x w1
r = relu h
c = cast i8 r
y = matmul c w2
output y
)";

TEST(CompilerSystem, PipelineStagesOnTwoNodesAreExact) {
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(kIntMlp, {}, &s, &cmp, kRing, 2), "");
  ASSERT_EQ(s.stages.size(), 2u);
  EXPECT_EQ(s.stages[0], (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(s.stages[1], (std::vector<uint32_t>{2, 3}));
  ASSERT_EQ(s.decisions.size(), 2u);
  EXPECT_NE(s.decisions[0].find("stage 0: h: 'w1' [640, 1280] by columns"), std::string::npos) << s.decisions[0];
  EXPECT_NE(s.decisions[1].find("stage 1: y: 'w2' [1280, 1280] by columns"), std::string::npos) << s.decisions[1];
  // Stage 0 keeps what it hands off (the int8 c) whole, and checks it; stage 1 holds y.
  EXPECT_TRUE(s.chips[0].graph.find("c") && s.chips[0].graph.tensor(*s.chips[0].graph.find("c")).output);
  EXPECT_FALSE(s.chips[0].graph.find("y"));
  EXPECT_EQ(cmp.differ, 0u);
  EXPECT_EQ(cmp.elements, 2u * 2 * 1280 + 2u * 2 * 1280);
}

// A handoff RECV one cycle late on the first chip of node 1 is caught.
TEST(CompilerSystem, PlantedLateHandoffRecvIsCaught) {
  const std::string seen = system_run_check(kIntMlp, planted_recv(1, "handoff"), nullptr, nullptr, kRing, 2);
  EXPECT_NE(seen, "");
  fmt::print("caught: {}\n", seen);
}

// Three one-chip nodes (chip c in node c) in a line 0 - 2 - 1: the stages run on nodes 0, 2, 1
// (each linked to the next), and a tensor of stage 0 read again in stage 2
// passes through stage 1 (received and sent on), so every handoff crosses
// one link.
constexpr const char* kSkip = R"(config tsp1
input x : i8[1, 640] random 4
const w1 : i8[640, 640] random 5
const w2 : i8[640, 640] random 6
const w3 : i8[640, 640] random 7
h = matmul x w1
a = cast i8 h
k = matmul a w2
b = cast i8 k
m = matmul b w3
z = cast i8 m
s = add z a
output s
)";

TEST(CompilerSystem, StagesFollowLinkedNodesAndPassTensorsOn) {
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(kSkip, {}, &s, &cmp, "chips 3\nnode 1 1\nnode 2 2\nlink 0.0 2.0\nlink 2.1 1.1\n", 3), "");
  ASSERT_EQ(s.stages.size(), 3u);
  EXPECT_EQ(s.stages[0], std::vector<uint32_t>{0});
  EXPECT_EQ(s.stages[1], std::vector<uint32_t>{2});
  EXPECT_EQ(s.stages[2], std::vector<uint32_t>{1});
  // Stage 1 (chip 2) does not read `a` but receives it and sends it on.
  const auto a = s.chips[2].graph.find("a");
  ASSERT_TRUE(a);
  EXPECT_TRUE(s.chips[2].graph.tensor(*a).output);
  EXPECT_EQ(cmp.differ, 0u);
}

// Six stages on a line of six one-chip nodes: exact, and never more than three
// stages compiled at once (a stage is freed once the next has its handoffs),
// so a pipeline of 72 nodes compiles in the memory of a few.
TEST(CompilerSystem, StagesAreCompiledAFewAtATime) {
  std::string text = "config mini\ninput x0 : i8[1, 64] random 1\n";
  for (int i = 0; i < 6; ++i)
    text += fmt::format("const w{0} : i8[64, 64] random {1}\nh{0} = matmul x{0} w{0}\nx{1} = cast i8 h{0}\n", i,
                        i + 1);
  text += "output x6\n";
  std::string line = "chips 6\n";
  for (int i = 0; i < 6; ++i) line += fmt::format("node {} {}\n", i, i);
  for (int i = 0; i + 1 < 6; ++i) line += fmt::format("link {}.0 {}.1\n", i, i + 1);
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(text, {}, &s, &cmp, line, 6), "");
  EXPECT_EQ(s.stages.size(), 6u);
  EXPECT_GE(cmp.elements, 64u);  // x6, and what each stage hands on
  EXPECT_GE(s.most_stages_at_once, 2u);
  EXPECT_LE(s.most_stages_at_once, 3u);
}

// The stage count: the fewest whose chips hold their weights within 3/4 of a
// chip's SRAM. mini's chip has 256 KiB (192 KiB of budget); three int8
// weights of 160 KiB on nodes of two chips: two stages (the first two weights
// on the first node, 160 KiB a chip), not one (240 KiB a chip) or three.
TEST(CompilerSystem, StagesAreTheFewestThatHoldTheWeights) {
  const Program p = parse_program(R"(config mini
input x : i8[1, 256] random 1
const w1 : i8[256, 640] random 2
const w2 : i8[640, 256] random 3
const w3 : i8[256, 640] random 4
h = matmul x w1
a = cast i8 h
k = matmul a w2
b = cast i8 k
y = matmul b w3
output y
)",
                                  "three.txt");
  const isa::Config& cfg = *isa::find_config("mini");
  EXPECT_EQ(plan_stages(p.graph, {2, 2, 2, 2}, cfg).stages(), 2u);
  EXPECT_EQ(plan_stages(p.graph, {4, 4}, cfg).stages(), 1u);        // 120 KiB a chip
  EXPECT_EQ(plan_stages(p.graph, {2, 2, 2}, cfg, 3).stages(), 3u);  // as asked
  try {
    plan_stages(p.graph, {2, 2}, cfg, 3);
    FAIL() << "three stages on two nodes";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--stages 3: at most 2 (2 nodes, 3 MatMuls of constant weights)"),
              std::string::npos)
        << e.what();
  }
}

// No order of the nodes links each to the next (node 0 between 1 and 2, and
// the path starts at node 0): refused, naming the topology.
TEST(CompilerSystem, StagesWithoutALinkedOrderAreRefused) {
  const Program p = parse_program(kSkip, "skip.txt");
  const isa::Config& cfg = *isa::find_config("tsp1");
  CompileOptions opt;
  opt.stages = 3;
  try {
    compile_system(p.graph, cfg,
                   topo::parse_topology("chips 3\nnode 1 1\nnode 2 2\nlink 0.0 1.0\nlink 0.1 2.1\n", "star.topo", cfg),
                   opt);
    FAIL() << "compiled stages over unlinked nodes";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("star.topo"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no order of 3 of its 3 nodes links each to the next"), std::string::npos)
        << e.what();
  }
}

// A small int8 MatMul split by columns and gathered: enough for planted RECVs
// (kMlp takes a minute and a half under the sanitizers). One SystemC
// simulation per process, so the clean run of the same graph is its own test.
constexpr const char* kGather = R"(config tsp1
input x : i8[1, 640] random 12
const w : i8[640, 2560] random 13
y = matmul x w
output y
)";

TEST(CompilerSystem, SmallGatherIsExact) { EXPECT_EQ(system_run_check(kGather), ""); }

// A RECV one cycle after its frame landed still takes it (the receive window),
// but puts the value on the stream a cycle after the WRITE the compiler timed.
TEST(CompilerSystem, PlantedLateRecvIsCaught) {
  const std::string seen = system_run_check(kGather, planted_recv(1));
  EXPECT_NE(seen, "");
  fmt::print("caught: {}\n", seen);
}

// A RECV one cycle early still takes its frame (it has landed, within the
// receive window) but puts it on the stream a cycle before the WRITE the
// compiler timed: the WRITE finds its stream empty.
TEST(CompilerSystem, PlantedEarlyRecvIsCaught) {
  const std::string seen = system_run_check(kGather, planted_recv(-1));
  EXPECT_NE(seen, "");
  fmt::print("caught: {}\n", seen);
}

std::string compile_error(const std::string& topology_text) {
  const Program p = parse_program(kMlp, "mlp.txt");
  const isa::Config& cfg = *isa::find_config("tsp1");
  try {
    compile_system(p.graph, cfg, topo::parse_topology(topology_text, "sys.topo", cfg));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CompilerSystem, ChipsWithoutADirectLinkAreRefused) {
  const std::string e = compile_error("chips 4\nlink 0.0 1.0\nlink 1.1 2.1\nlink 2.0 3.0\nlink 3.1 0.1\n");
  EXPECT_NE(e.find("chips 0 and 2 of node 0 have no direct link"), std::string::npos) << e;
  EXPECT_NE(e.find("sys.topo"), std::string::npos) << e;
}

TEST(CompilerSystem, DriftingClocksAreRefused) {
  const std::string e = compile_error("node8\nclock 3 20\n");
  EXPECT_NE(e.find("chip 3 runs 20 ppm off"), std::string::npos) << e;
}

TEST(CompilerSystem, OneChipCompileOfAGatherSaysWhy) {
  const Program p = parse_program(kMlp, "mlp.txt");
  Graph g = p.graph;
  Attrs a;
  a.bounds = {0, 1280, 2560};
  a.step = 0;
  g.add(GraphOp::AllGather, "gathered", {*g.find("x")}, {}, std::nullopt, a);
  try {
    compile(g, *isa::find_config("tsp1"));
    FAIL() << "compiled a gather for one chip";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("compile it for a topology"), std::string::npos) << e.what();
  }
}

// Random MLP-shaped graphs, one process each (one SystemC simulation per
// process): int8 or f16 activations through 1 to 3 MatMuls of random widths
// (some split, some too narrow), with ReLU, casts, a bias row (a whole operand
// of a split tensor's width: gathered first) or SiLU between, on node8 or on
// the 4-chip ring of two pipeline stages. Every chip exact; integers equal to
// the graph before partitioning.
class CompilerSystemRandom : public ::testing::TestWithParam<uint32_t> {};

TEST_P(CompilerSystemRandom, IsExact) {
  std::mt19937 rng(GetParam());
  auto pick = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
  const bool f16 = pick(0, 1);
  const isa::DType t = f16 ? isa::DType::f16 : isa::DType::i8;
  Graph g;
  const uint32_t M = pick(1, 3);
  uint32_t K = 320 * pick(1, 4) + (pick(0, 1) ? 0 : pick(1, 319));
  TensorId x = g.add_input("x", t, {M, K}, random_data(t, uint64_t(M) * K, rng()));
  const uint32_t layers = pick(1, 3);
  std::string what = fmt::format("seed {}: {} x[{}, {}]", GetParam(), isa::dtype_desc(t).name, M, K);
  for (uint32_t l = 0; l < layers; ++l) {
    const uint32_t N = pick(0, 3) ? 320 * pick(2, 12) + (pick(0, 1) ? 0 : pick(1, 319)) : pick(16, 900);
    const TensorId w = g.add_const(fmt::format("w{}", l), t, {K, N}, random_data(t, uint64_t(K) * N, rng()));
    TensorId y = g.add(GraphOp::MatMul, fmt::format("y{}", l), {x, w});  // i32 or f32
    const uint32_t op = pick(0, 2);
    if (op == 1) {  // a bias row of y's type and width
      const isa::DType yt = g.tensor(y).dtype;
      y = g.add(GraphOp::Add, fmt::format("b{}", l),
                {y, g.add_const(fmt::format("bias{}", l), yt, {N}, random_data(yt, N, rng()))});
    }
    y = g.add(GraphOp::Relu, fmt::format("r{}", l), {y});
    x = g.add(GraphOp::Cast, fmt::format("c{}", l), {y}, {}, t);
    if (op == 2 && f16) x = g.add(GraphOp::Silu, fmt::format("s{}", l), {x});
    what += fmt::format(" . [{}, {}]{}", K, N, op == 1 ? " +bias" : op == 2 && f16 ? " silu" : "");
    K = N;
  }
  g.mark_output(x);
  const std::string topology = pick(0, 2) ? "node8" : kRing;
  SystemComparison cmp;
  // The ring: two stages where there are two MatMuls to cut between.
  const auto matmuls = uint32_t(std::count_if(g.nodes().begin(), g.nodes().end(),
                                              [](const Node& n) { return n.op == GraphOp::MatMul; }));
  CompileOptions opt;
  opt.stages = topology == "node8" ? 0 : std::min(2u, matmuls);
  EXPECT_EQ(system_run_check(g, *isa::find_config("tsp1"), opt, nullptr, &cmp, topology), "") << what;
  if (!f16) {
    EXPECT_EQ(cmp.differ, 0u) << what;
  }
  EXPECT_LE(cmp.max_abs_error, 1e-5 * cmp.max_abs_value) << what;
  fmt::print("{} on {}: {} elements, {} differ from the unpartitioned graph\n", what,
             topology == "node8" ? "node8" : "the ring", cmp.elements, cmp.differ);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CompilerSystemRandom, ::testing::Range(1u, 13u));

// Random attention on node8, one process each: 8 to 24 heads of 64 or 128,
// K/V heads dividing them (all, or fewer than the chips: grouped, whole on
// every chip), 2 to 12 cached tokens. The width decides whether the output
// projection splits by rows (at least a vector a chip) or the heads are made
// whole again for it. Every chip exact, within 1e-6 of the unpartitioned graph.
class CompilerSystemAttentionRandom : public ::testing::TestWithParam<uint32_t> {};

TEST_P(CompilerSystemAttentionRandom, IsExact) {
  std::mt19937 rng(GetParam());
  auto pick = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
  const uint32_t H = pick(8, 24), D = pick(0, 1) ? 128 : 64, T = pick(2, 12);
  std::vector<uint32_t> kvs;
  for (uint32_t k = 1; k <= H; ++k)
    if (H % k == 0 && (k == H || k < 8)) kvs.push_back(k);
  const uint32_t kv = kvs[pick(0, uint32_t(kvs.size() - 1))];
  const std::string what = fmt::format("seed {}: {} heads of {}, {} kv, {} cached", GetParam(), H, D, kv, T);
  SystemCompiled s;
  SystemComparison cmp;
  EXPECT_EQ(system_run_check(attention(kv, H, D, T), {}, &s, &cmp), "") << what;
  EXPECT_NE(s.decisions.at(0).find(fmt::format("by heads: {} heads of {}", H, D)), std::string::npos)
      << what << ": " << s.decisions[0];
  EXPECT_LE(cmp.max_abs_error, 1e-6 * cmp.max_abs_value) << what << ": " << cmp.differ << " elements differ";
  fmt::print("{}: {} elements, {} differ from the unpartitioned graph; {}\n", what, cmp.elements, cmp.differ,
             s.decisions.back());
}

INSTANTIATE_TEST_SUITE_P(Seeds, CompilerSystemAttentionRandom, ::testing::Range(1u, 9u));

}  // namespace
}  // namespace tsp::compiler
