// Compiled programs on the engine: every one must run in exactly the predicted
// number of cycles with outputs bit-equal to the host reference (the reference
// runs common/numerics on the graph; nothing here is produced by the compiler
// under test). Includes random graphs from a fixed seed, the example programs,
// a tsp1 program, and planted scheduler bugs that the same check must catch.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <random>

#include "common/error.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/reference.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "tests/support/planted_bugs.hpp"

namespace tsp::compiler {
namespace {

// Compiles, runs, checks. Returns "" when cycles and outputs are exact, else why not.
std::string compile_run_check(const Graph& source, const std::string& config, int mutant = 0,
                              uint64_t* cycles = nullptr, SramReuse reuse = SramReuse::Auto) {
  const isa::Config& cfg = *isa::find_config(config);
  CompileOptions opt;
  if (mutant) opt.chain_hook = planted_bug(mutant);
  opt.sram_reuse = reuse;
  Compiled c;
  try {
    c = compile(source, cfg, opt);
  } catch (const Error& err) {
    std::string what;
    for (const Tensor& t : source.tensors())
      what += fmt::format(" {}:{}[{}]", t.name, isa::dtype_desc(t.dtype).name, fmt::join(t.shape, ","));
    return std::string("compile error: ") + err.what() + " in" + what;
  }
  const Graph& g = c.graph;  // expanded: the graph the image computes
  model::ChipEngine e(c.image, 0);
  try {
    e.run_until(~0ull);
  } catch (const std::exception& err) {
    return std::string("model error: ") + err.what();
  }
  if (cycles) *cycles = e.end_cycle();
  if (e.end_cycle() != c.predicted_cycles)
    return fmt::format("simulated {} cycles, predicted {}", e.end_cycle(), c.predicted_cycles);
  std::vector<std::vector<uint32_t>> got(g.tensors().size());
  for (size_t i = 0; i < g.tensors().size(); ++i)
    if (g.tensors()[i].output)
      got[i] = unpack(g.tensors()[i], cfg.lanes, model::read_tensor(e, symbol_of(c.image, g.tensors()[i])));
  const auto bad = compare_outputs(g, run_reference(g, cfg.mxm_dim), got);
  if (!bad.empty())
    return fmt::format("{}[{}]: model 0x{:x}, reference 0x{:x}", bad[0].tensor, bad[0].index, bad[0].got, bad[0].want);
  return "";
}

Program example(const std::string& name) {
  return load_program(std::string(TSP_SOURCE_DIR) + "/firmware/examples/graphs/" + name);
}

TEST(CompilerRun, ExampleElementwiseIsExact) {
  EXPECT_EQ(compile_run_check(example("mini_elementwise.txt").graph, "mini"), "");
}

TEST(CompilerRun, ExampleFloatMatMulIsExact) {
  EXPECT_EQ(compile_run_check(example("mini_matmul_f16.txt").graph, "mini"), "");
}

TEST(CompilerRun, ExampleNormsAreExact) { EXPECT_EQ(compile_run_check(example("mini_norms.txt").graph, "mini"), ""); }

TEST(CompilerRun, LaneSumInstallsOneBlockOfOnesForEveryKBlock) {
  // RmsNorm of 100 columns on mini (32 lanes): the row sum is x . ones, 4 K
  // blocks of activations against one block of ones, loaded and installed once.
  Graph g;
  const TensorId x = g.add_input("x", isa::DType::f16, {2, 100}, random_data(isa::DType::f16, 200, 7));
  g.mark_output(g.add(GraphOp::RmsNorm, "y", {x}));
  const isa::Config& mini = *isa::find_config("mini");
  const Compiled c = compile(g, mini);
  size_t loads = 0;
  for (const std::string& chain : c.chains)
    loads += chain.starts_with("lanesum") && chain.find(" LW ") != std::string::npos;
  EXPECT_EQ(loads, 1u);
  for (const Node& n : c.graph.nodes())
    if (n.op == GraphOp::LaneSum) {
      EXPECT_EQ(c.graph.tensor(n.inputs[1]).shape, (std::vector<uint32_t>{32, 32}));
    }
  EXPECT_EQ(compile_run_check(g, "mini"), "");
  // Ones of another height than one MXM block, for more columns, are refused.
  Graph bad;
  const TensorId bx = bad.add_input("x", isa::DType::f16, {1, 100}, random_data(isa::DType::f16, 100, 8));
  bad.mark_output(
      bad.add(GraphOp::LaneSum, "s",
              {bx, bad.add_const("ones", isa::DType::f16, {50, 32}, std::vector<uint32_t>(50 * 32, 0x3c00))}));
  try {
    compile(bad, mini);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ones of 50 rows for 100 columns: one MXM block of them is 32 rows"),
              std::string::npos)
        << e.what();
  }
}

TEST(CompilerRun, LaneMaxHalvesManyBlocks) {
  // A max over 807 columns on mini (32 lanes): 25 whole blocks halve 25 ->
  // 13 -> 7 -> 4 in 6 folds, then 4 folds one after another, where a fold per
  // block took 25; the partial block, then the lanes, as before.
  const Program p = parse_program(
      "config mini\ninput x : f32[2, 807] random 5\nmx = reducemax x axes [1] keepdims 1\noutput mx\n", "max.txt");
  const Compiled c = compile(p.graph, *isa::find_config("mini"));
  size_t folds = 0;
  for (const Node& n : c.graph.nodes()) folds += n.op == GraphOp::Fold;
  EXPECT_EQ(folds, 10u);
  EXPECT_EQ(compile_run_check(p.graph, "mini"), "");
  // The reference runs the expanded graph: hold it to the max of the data itself.
  const auto ref = run_reference(c.graph, 32);
  const Tensor& x = p.graph.tensor(*p.graph.find("x"));
  const std::vector<uint32_t>& got = ref[*c.graph.find("mx")];
  for (uint32_t r = 0; r < 2; ++r) {
    float want = -INFINITY;
    for (uint32_t col = 0; col < 807; ++col) want = std::max(want, std::bit_cast<float>(x.data[r * 807 + col]));
    EXPECT_EQ(std::bit_cast<float>(got.at(r)), want) << "row " << r;
  }
}

TEST(CompilerRun, TransposeReadOnlyByANarrowingCastCastsFirst) {
  // K^T of f32 keys cast to f16 for the scores: the cast runs first, so the
  // transpose moves 2 byte planes instead of 4; the f32 K^T never exists.
  const std::string text =
      "config mini\ninput k : f32[2, 5, 40] random 9\nkt = transpose k [0, 2, 1]\nkf = cast f16 kt\noutput kf\n";
  const Program p = parse_program(text, "kt.txt");
  const Graph e = expand(p.graph, *isa::find_config("mini"));
  EXPECT_EQ(e.nodes().front().op, GraphOp::Cast);
  EXPECT_FALSE(e.find("kt"));
  EXPECT_EQ(compile_run_check(p.graph, "mini"), "");
  // Read elsewhere too (here: an output), the f32 transpose stays.
  const Program kept = parse_program(text + "output kt\n", "kt2.txt");
  EXPECT_TRUE(expand(kept.graph, *isa::find_config("mini")).find("kt"));
  EXPECT_EQ(compile_run_check(kept.graph, "mini"), "");
}

TEST(CompilerRun, ExampleMatMulIsExact) { EXPECT_EQ(compile_run_check(example("mini_matmul.txt").graph, "mini"), ""); }

// Ranks above 2 flatten their leading dimensions into rows (layout.hpp): a
// rank-4 f32 chain over 2*3*2 rows of 70 columns (more than one lane block on mini).
TEST(CompilerRun, RankFourElementwiseIsExact) {
  const Program p = parse_program(
      "input x : f32[2,3,2,70] random 5\ninput y : f32[2,3,2,70] random 6\n"
      "s = add x y\nm = mul s x\nr = relu m\noutput r\n",
      "rank4.txt");
  EXPECT_EQ(compile_run_check(p.graph, "mini"), "");
}

TEST(CompilerRun, Tsp1ExampleIsExact) {
  uint64_t cycles = 0;
  EXPECT_EQ(compile_run_check(example("tsp1_mlp.txt").graph, "tsp1", 0, &cycles), "");
  EXPECT_GT(cycles, 0u);
}

// A weight type of the same kind (int or float) as `x`, `pick` choosing which.
isa::DType same_kind(isa::DType x, isa::DType pick) {
  if (isa::dtype_desc(x).is_float == isa::dtype_desc(pick).is_float) return pick;
  return isa::dtype_desc(x).is_float ? isa::DType::f16 : isa::DType::i8;
}

// Random chains of elementwise ops and MatMuls, shapes and types from a fixed seed.
Graph random_graph(uint64_t seed, const isa::Config& cfg) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return rng() % n; };
  Graph g;
  const isa::DType types[] = {isa::DType::i8,  isa::DType::i16,  isa::DType::i32,
                              isa::DType::f16, isa::DType::bf16, isa::DType::f32};
  const isa::DType t = types[pick(6)];
  const uint32_t rows = 1 + uint32_t(pick(4)), cols = 1 + uint32_t(pick(3 * cfg.lanes));
  std::vector<TensorId> pool;
  for (int i = 0; i < 2; ++i)
    pool.push_back(g.add_input(fmt::format("in{}", i), t, {rows, cols}, random_data(t, uint64_t(rows) * cols, rng())));
  const GraphOp bin[] = {GraphOp::Add, GraphOp::Sub, GraphOp::Mul, GraphOp::Max, GraphOp::Min};
  const int n = 2 + int(pick(4));
  for (int i = 0; i < n; ++i) {
    const std::string name = fmt::format("v{}", i);
    const TensorId a = pool[pick(pool.size())], b = pool[pick(pool.size())];
    if (pick(3) == 0 && t != isa::DType::i8 && t != isa::DType::f32 && t != isa::DType::i32) {
      pool.push_back(g.add(isa::dtype_desc(t).is_float ? GraphOp::Tanh : GraphOp::Relu, name, {a}));
    } else {
      pool.push_back(g.add(bin[pick(5)], name, {a, b}));
    }
    g.mark_output(pool.back());
  }
  // A MatMul (int8 or f16/bf16) on data of its own, K and N across several blocks.
  const uint32_t M = 1 + uint32_t(pick(6)), K = 1 + uint32_t(pick(2 * cfg.lanes)),
                 N = 1 + uint32_t(pick(2 * cfg.lanes));
  const isa::DType mt[] = {isa::DType::i8, isa::DType::u8, isa::DType::f16, isa::DType::bf16};
  const isa::DType xt = mt[pick(4)], wt = same_kind(xt, mt[pick(4)]);
  const TensorId x = g.add_input("x", xt, {M, K}, random_data(xt, uint64_t(M) * K, rng()));
  const TensorId w = g.add_const("w", wt, {K, N}, random_data(wt, uint64_t(K) * N, rng()));
  g.mark_output(g.add(GraphOp::MatMul, "y", {x, w}));
  // A norm of a half-precision tensor, itself sometimes computed on the chip (padding lanes unknown).
  const isa::DType ht = pick(2) ? isa::DType::f16 : isa::DType::bf16;
  const uint32_t R = 1 + uint32_t(pick(5)), C = 1 + uint32_t(pick(2 * cfg.lanes));
  TensorId h = g.add_input("h", ht, {R, C}, random_data(ht, uint64_t(R) * C, rng()));
  if (pick(2)) h = g.add(GraphOp::Tanh, "ht", {h});
  g.mark_output(g.add(pick(2) ? GraphOp::RmsNorm : GraphOp::LayerNorm, "hn", {h}));
  return g;
}

TEST(CompilerRun, RandomGraphsOnMiniAreExact) {
  const isa::Config& cfg = *isa::find_config("mini");
  uint64_t n = 40;
  if (const char* e = std::getenv("TSP_RANDOM_SEEDS")) n = std::strtoull(e, nullptr, 10);
  for (uint64_t seed = 1; seed <= n; ++seed) {
    const Graph g = random_graph(seed, cfg);
    EXPECT_EQ(compile_run_check(g, "mini"), "") << "seed " << seed;
  }
}

// The check is only worth something if it fails on a wrong schedule: a WRITE
// one cycle late reads the next value's wavefront (or an empty stream).
TEST(CompilerRun, PlantedOffByOneWriteIsCaught) {
  const std::string a = compile_run_check(example("mini_elementwise.txt").graph, "mini", 1);
  EXPECT_NE(a.find("model error"), std::string::npos) << a;
  const isa::Config& cfg = *isa::find_config("mini");
  for (uint64_t seed : {3, 5}) {
    const std::string b = compile_run_check(random_graph(seed, cfg), "mini", 1);
    EXPECT_TRUE(b.find("model error") == 0 || b.find("reference") != std::string::npos) << "seed " << seed << ": " << b;
  }
}

// The ONNX node tests this compiler targets (onnx/backend/test/data/node), as
// text-format graphs with random data: each must be exact on both configurations.
const char* const kOnnxShapes[] = {
    // test_softmax_example, test_softmax_axis_1
    "input x : f32[1, 3] random 1\ny = softmax x axis -1\noutput y\n",
    "input x : f32[3, 4, 5] random 2\ny = softmax x axis 1\noutput y\n",
    // test_reduce_max_keepdims_random, test_reduce_mean_default_axes_keepdims_random
    "input x : f32[3, 2, 2] random 3\ny = reducemax x axes [1] keepdims 1\noutput y\n",
    "input x : f32[3, 2, 2] random 4\ny = reducemean x keepdims 1\noutput y\n",
    // test_layer_normalization_2d_axis1: Y, Mean, InvStdDev
    "input x : f32[3, 4] random 5\ninput w : f32[4] random 6\ninput b : f32[4] random 7\n"
    "y = layernorm x w b epsilon 1e-5\nm = layernorm x w b part mean\nr = layernorm x w b part invstddev\n"
    "output y m r\n",
    // test_matmulinteger
    "input a : u8[4, 3] random 8\ninput b : u8[3, 2] random 9\ninput za : u8[1] = 12\ninput zb : u8[1] = 0\n"
    "y = matmulinteger a b za zb\noutput y\n",
    "input a : i8[6, 100] random 10\ninput b : u8[100, 40] random 11\ninput za : i8[1] random 12\n"
    "input zb : u8[1] random 13\ny = matmulinteger a b za zb\noutput y\n",
};

TEST(CompilerRun, OnnxTargetShapesAreExactOnMiniAndTsp1) {
  for (const char* text : kOnnxShapes)
    for (const char* cfg : {"mini", "tsp1"}) {
      const Program p = parse_program(text, "onnx.txt");
      EXPECT_EQ(compile_run_check(p.graph, cfg), "") << cfg << ":\n" << text;
    }
}

// Every broadcast pattern: rows ([N], [1,N]), lanes ([M,1]), scalars ([1]),
// a middle axis ([3,1,C]), both operands broadcast ([M,1] op [1,N]), in several types.
TEST(CompilerRun, BroadcastingIsExact) {
  const std::string shapes[][2] = {{"[4, 70]", "[70]"},      {"[4, 70]", "[1, 70]"},  {"[4, 70]", "[4, 1]"},
                                   {"[4, 70]", "[1]"},       {"[1]", "[4, 70]"},      {"[3, 4, 40]", "[3, 1, 40]"},
                                   {"[3, 1, 40]", "[4, 1]"}, {"[2, 3, 1]", "[3, 1]"}, {"[5, 1]", "[1, 33]"}};
  int seed = 1;
  for (const char* t : {"f32", "f16", "i16", "i8"})
    for (const auto& [a, b] : shapes) {
      const std::string text = fmt::format(
          "input a : {0}{1} random {3}\ninput b : {0}{2} random {4}\n"
          "s = sub a b\nm = max b a\no = mul s m\noutput s m o\n",
          t, a, b, seed, seed + 1);
      seed += 2;
      EXPECT_EQ(compile_run_check(parse_program(text, "bcast.txt").graph, "mini"), "") << text;
    }
}

// Reductions over every subset of axes of a rank-3 tensor, keepdims on and
// off, for f32, f16 and (max) int types; lane blocks beyond the lanes on mini (C = 70).
TEST(CompilerRun, ReductionsOverAnyAxesAreExact) {
  int seed = 1;
  for (const char* t : {"f32", "f16", "bf16", "i16"})
    for (uint32_t mask = 1; mask < 8; ++mask) {
      std::string axes;
      for (int d = 0; d < 3; ++d)
        if (mask >> d & 1) axes += fmt::format(" {}", d);
      const bool last = mask & 4;
      const int keep = last && mask != 7 ? 1 : seed % 2;
      const bool fl = t[0] != 'i';
      const std::string text = fmt::format(
          "input x : {}[2, 3, 70] random {}\n{}mx = reducemax x axes{} keepdims {}\noutput mx{}\n", t, seed++,
          fl ? fmt::format("s = reducesum x axes{0} keepdims {1}\nm = reducemean x axes{0} keepdims {1}\n", axes, keep)
             : "",
          axes, keep, fl ? " s m" : "");
      EXPECT_EQ(compile_run_check(parse_program(text, "reduce.txt").graph, "mini"), "") << text;
    }
}

TEST(CompilerRun, SoftmaxAndNormsWithAffineAreExact) {
  const char* texts[] = {
      "input x : f16[3, 70] random 1\ny = softmax x\noutput y\n",
      "input x : bf16[2, 3, 5] random 2\ny = softmax x axis 0\noutput y\n",
      "input x : f32[4, 33] random 3\nt = tanh x\ny = softmax t axis 1\noutput y\n",  // padding lanes computed
      ("input x : f16[3, 45] random 4\ninput g : f16[45] random 5\ninput b : f16[45] random 6\n"
       "y = layernorm x g b\nr = rmsnorm x g epsilon 1e-6\noutput y r\n"),
      "input x : f32[2, 2, 40] random 7\ninput g : f32[40] random 8\ny = rmsnorm x g\noutput y\n",
  };
  for (const char* text : texts) EXPECT_EQ(compile_run_check(parse_program(text, "sm.txt").graph, "mini"), "") << text;
}

// Axes of size 1, rank 1, scalars, keepdims 0, computed padding lanes, int types.
TEST(CompilerRun, ReductionEdgeShapesAreExact) {
  const char* texts[] = {
      "input x : f32[4, 1] random 1\ny = softmax x\nz = softmax x axis 0\noutput y z\n",
      "input x : f32[5] random 1\ny = reducemax x\nz = reducesum x keepdims 0\noutput y z\n",
      "input x : i8[3, 33] random 1\ny = reducemax x axes -1\ninput u : u8[3, 64] random 2\n"
      "v = reducemax u axes -1\noutput y v\n",
      "input x : f32[1] random 1\ny = reducemean x\nz = softmax x\noutput y z\n",
      "input x : f16[2, 3, 4, 5] random 1\ny = reducemean x axes [0, 2] keepdims 0\noutput y\n",
      "input x : f32[2, 3, 4, 5] random 1\ny = reducemax x axes [1, 3] keepdims 1\nz = sub x y\noutput z\n",
      "input x : f32[6, 40] random 1\nt = tanh x\ny = reducesum t axes 1\nz = mul t y\noutput z\n",
      "input x : bf16[6, 97] random 1\ny = layernorm x\nm = layernorm x part mean\nr = rmsnorm x\noutput y m r\n",
      "input x : f16[4, 1] random 1\ny = layernorm x\noutput y\n",
      "input a : u8[4, 1] random 1\ninput b : u8[1, 5] random 2\ninput za : u8[1] = 3\ninput zb : u8[1] = 4\n"
      "y = matmulinteger a b za zb\nz = matmulinteger a b\noutput y z\n",
  };
  for (const char* text : texts) EXPECT_EQ(compile_run_check(parse_program(text, "e.txt").graph, "mini"), "") << text;
}

// The architect's sizes on tsp1: softmax and layernorm of 64 x 640 f32.
TEST(CompilerRun, Tsp1SoftmaxAndLayerNormAreExact) {
  for (const char* text : {"input x : f32[64, 640] random 1\ny = softmax x\noutput y\n",
                           "input x : f32[64, 640] random 2\ninput g : f32[640] random 3\ninput b : f32[640] random 4\n"
                           "y = layernorm x g b\noutput y\n"}) {
    uint64_t cycles = 0;
    EXPECT_EQ(compile_run_check(parse_program(text, "tsp1.txt").graph, "tsp1", 0, &cycles), "") << text;
    EXPECT_GT(cycles, 0u);
  }
}

// Random chains mixing broadcast operands, reductions and softmax.
Graph random_reduce_graph(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return uint32_t(rng() % n); };
  Graph g;
  const isa::DType types[] = {isa::DType::f32, isa::DType::f16, isa::DType::bf16};
  const isa::DType t = types[pick(3)];
  const uint32_t A = 1 + pick(3), B = 1 + pick(4), C = 1 + pick(80);
  const TensorId x = g.add_input("x", t, {A, B, C}, random_data(t, uint64_t(A) * B * C, rng()));
  Attrs r;
  r.axes = {int64_t(pick(3))};
  const GraphOp red[] = {GraphOp::ReduceMax, GraphOp::ReduceSum, GraphOp::ReduceMean};
  const TensorId m = g.add(red[pick(3)], "m", {x}, {}, std::nullopt, r);
  const TensorId d = g.add(pick(2) ? GraphOp::Sub : GraphOp::Mul, "d", {x, m});
  const TensorId v = g.add_input("v", t, {C}, random_data(t, C, rng()));
  const TensorId e = g.add(GraphOp::Add, "e", {d, v});
  Attrs s;
  s.axes = {int64_t(pick(3))};
  g.mark_output(g.add(GraphOp::Softmax, "y", {e}, {}, std::nullopt, s));
  g.mark_output(m);
  return g;
}

// mini (8 slices of 1024 addresses, nothing freed) runs out of room for the
// longest f32 expansions: that clear error is allowed there, rarely.
TEST(CompilerRun, RandomReductionGraphsAreExact) {
  uint64_t n = 12, unplaceable = 0;
  if (const char* e = std::getenv("TSP_RANDOM_SEEDS")) n = std::strtoull(e, nullptr, 10);  // longer sweeps by hand
  for (uint64_t seed = 1; seed <= n; ++seed)
    for (const char* cfg : {"mini", "tsp1"}) {
      if (std::string(cfg) == "tsp1" && seed % 4) continue;
      const std::string r = compile_run_check(random_reduce_graph(seed), cfg);
      if (std::string(cfg) == "mini" && r.find("does not fit in the SRAM of mini") != std::string::npos) {
        ++unplaceable;
        continue;
      }
      EXPECT_EQ(r, "") << cfg << " seed " << seed;
    }
  EXPECT_LT(unplaceable * 20, n) << unplaceable << " of " << n << " unplaceable on mini";
}

// Random broadcasting chains: shapes of rank 1 to 3 made from one full shape
// by dropping leading dimensions and setting some to 1, random binary ops and
// SELs, every element type; only the combinations numpy accepts.
Graph random_broadcast_graph(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return uint32_t(rng() % n); };
  const isa::DType types[] = {isa::DType::i8,  isa::DType::u8,   isa::DType::i16, isa::DType::i32,
                              isa::DType::f16, isa::DType::bf16, isa::DType::f32};
  const isa::DType t = types[pick(7)];
  const std::vector<uint32_t> full = {1 + pick(3), 1 + pick(4), 1 + pick(70)};
  auto shape = [&] {
    std::vector<uint32_t> s(full.begin() + pick(3), full.end());
    for (auto& d : s)
      if (pick(3) == 0) d = 1;
    return s;
  };
  Graph g;
  std::vector<TensorId> pool;
  for (int i = 0; i < 3; ++i) {
    const auto s = shape();
    uint64_t n = 1;
    for (uint32_t d : s) n *= d;
    pool.push_back(g.add_input(fmt::format("in{}", i), t, s, random_data(t, n, rng())));
  }
  const GraphOp bin[] = {GraphOp::Add, GraphOp::Sub, GraphOp::Mul, GraphOp::Max, GraphOp::Min};
  for (int i = 0; i < 4; ++i) {
    const TensorId a = pool[pick(pool.size())], b = pool[pick(pool.size())], c = pool[pick(pool.size())];
    const std::string name = fmt::format("v{}", i);
    try {
      if (pick(4) == 0 && isa::dtype_desc(t).bytes == isa::dtype_desc(g.tensor(c).dtype).bytes)
        pool.push_back(g.add(GraphOp::Sel, name, {c, a, b}));
      else
        pool.push_back(g.add(bin[pick(5)], name, {a, b}));
      g.mark_output(pool.back());
    } catch (const Error&) {  // shapes that do not broadcast: skip
    }
  }
  if (std::none_of(g.tensors().begin(), g.tensors().end(), [](const Tensor& x) { return x.output; }))
    g.mark_output(g.add(GraphOp::Add, "last", {pool[0], pool[0]}));
  return g;
}

// mini's 4 slices a hemisphere cannot hold three 32-bit tensors that are
// pairwise operands (docs/compiler.md): that clear error is the only one allowed.
TEST(CompilerRun, RandomBroadcastGraphsAreExact) {
  uint64_t n = 30, unplaceable = 0;
  if (const char* e = std::getenv("TSP_RANDOM_SEEDS")) n = std::strtoull(e, nullptr, 10);
  for (uint64_t seed = 1; seed <= n; ++seed) {
    const bool mini = seed % 5;
    const std::string r = compile_run_check(random_broadcast_graph(seed), mini ? "mini" : "tsp1");
    if (mini && r.find("does not fit in the SRAM of mini on slices apart") != std::string::npos) {
      ++unplaceable;
      continue;
    }
    EXPECT_EQ(r, "") << "seed " << seed;
  }
  EXPECT_LT(unplaceable * 5, n) << unplaceable << " of " << n << " unplaceable on mini";
}

// The new kernel kinds' planted bugs: a Permute WRITE one cycle late, and a
// row-broadcast READ with stride 1 instead of 0; the same checks must catch both.
TEST(CompilerRun, PlantedPermuteAndBroadcastBugsAreCaught) {
  const Program p = parse_program("input x : f32[3, 20] random 1\ny = softmax x\noutput y\n", "p.txt");
  const std::string a = compile_run_check(p.graph, "mini", 2);
  EXPECT_TRUE(a.find("model error") == 0 || a.find("reference") != std::string::npos) << a;
  const Program q =
      parse_program("input x : f32[3, 20] random 1\ninput v : f32[20] random 2\ny = add x v\noutput y\n", "q.txt");
  EXPECT_EQ(compile_run_check(q.graph, "mini"), "");
  const std::string b = compile_run_check(q.graph, "mini", 3);
  EXPECT_NE(b.find("reference"), std::string::npos) << b;
}

// SRAM reuse (docs/compiler.md, "SRAM reuse"): a chain of f16 [512, 32]
// tensors needs 16 x 512 x 2 slice-addresses of mini's 8 x 1024 without it.
Graph long_chain() {
  std::string text = "input a : f16[512, 32] random 1\ninput b : f16[512, 32] random 2\ny0 = add a b\ny1 = mul y0 a\n";
  for (int k = 2; k < 14; ++k) text += fmt::format("y{} = {} y{} y{}\n", k, k % 2 ? "add" : "sub", k - 1, k - 2);
  return parse_program(text + "output y13\n", "chain.txt").graph;
}

TEST(CompilerRun, SramReuseFitsWhatDoesNotFitOtherwise) {
  const std::string never = compile_run_check(long_chain(), "mini", 0, nullptr, SramReuse::Never);
  EXPECT_NE(never.find("does not fit in the SRAM of mini"), std::string::npos) << never;
  EXPECT_EQ(compile_run_check(long_chain(), "mini"), "");
  const Compiled c = compile(long_chain(), *isa::find_config("mini"));
  EXPECT_TRUE(c.sram_reused);
  EXPECT_GT(c.overwritten_tensors, 0u);
  for (size_t t = 0; t < c.graph.tensors().size(); ++t) {  // what was overwritten cannot be read back by name
    const bool named = std::any_of(c.image.symbols.begin(), c.image.symbols.end(),
                                   [&](const auto& s) { return s.name == c.graph.tensors()[t].name; });
    EXPECT_EQ(named, !c.placement[t].overwritten) << c.graph.tensors()[t].name;
  }
}

// The stress mode (every tensor at the lowest free address) on random graphs.
TEST(CompilerRun, SramReuseAlwaysIsExactOnRandomGraphs) {
  const isa::Config& cfg = *isa::find_config("mini");
  for (uint64_t seed = 1; seed <= 20; ++seed)
    EXPECT_EQ(compile_run_check(random_graph(seed, cfg), "mini", 0, nullptr, SramReuse::Always), "") << "seed " << seed;
}

// Writers that ignore their write floors (planted bug 5) overwrite dead
// tensors' addresses before their last reads: the reference comparison fails.
TEST(CompilerRun, PlantedReuseOrderBugIsCaught) {
  const isa::Config& cfg = *isa::find_config("mini");
  for (uint64_t seed : {1, 3, 7}) {
    EXPECT_EQ(compile_run_check(random_graph(seed, cfg), "mini", 0, nullptr, SramReuse::Always), "") << seed;
    const std::string bad = compile_run_check(random_graph(seed, cfg), "mini", 5, nullptr, SramReuse::Always);
    EXPECT_NE(bad.find("reference"), std::string::npos) << "seed " << seed << ": " << bad;
  }
}

// Elementwise fusion (docs/compiler.md "Elementwise fusion"): exp streams into
// the mul, the mul into the add; neither intermediate is written or named.
Graph exp_mul_add() {
  return parse_program(
             "input x : f16[64, 320] random 1\ninput w : f16[64, 320] random 2\ninput b : f16[64, 320] random 3\n"
             "y = exp x\nz = mul y w\nt = add z b\noutput t\n",
             "fuse.txt")
      .graph;
}

TEST(CompilerRun, FusedElementwiseChainIsExactAndFaster) {
  uint64_t fused_cycles = 0;
  EXPECT_EQ(compile_run_check(exp_mul_add(), "tsp1", 0, &fused_cycles), "");
  const isa::Config& cfg = *isa::find_config("tsp1");
  const Compiled c = compile(exp_mul_add(), cfg);
  EXPECT_EQ(c.fused_ops, 2u);
  for (const std::string name : {"y", "z"})
    EXPECT_FALSE(std::any_of(c.image.symbols.begin(), c.image.symbols.end(), [&](const auto& s) {
      return s.name == name;
    })) << name;
  CompileOptions apart;
  apart.fuse = false;
  const Compiled u = compile(exp_mul_add(), cfg, apart);
  EXPECT_EQ(u.fused_ops, 0u);
  EXPECT_LT(fused_cycles, u.predicted_cycles);
  EXPECT_GE(fused_cycles, c.bound.cycles);
}

// The fused chain's second ALU one cycle late (planted bug 6) reads a stream its operand has left.
TEST(CompilerRun, PlantedLateFusedAluIsCaught) {
  const std::string bad = compile_run_check(exp_mul_add(), "tsp1", 6);
  EXPECT_TRUE(bad.find("model error") == 0 || bad.find("reference") != std::string::npos) << bad;
}

}  // namespace
}  // namespace tsp::compiler
