// Compiled programs on the engine: every one must run in exactly the predicted
// number of cycles with outputs bit-equal to the host reference (the reference
// runs common/numerics on the graph; nothing here is produced by the compiler
// under test). Includes random graphs from a fixed seed, the example programs,
// a tsp1 program, and planted scheduler bugs that the same check must catch.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <random>

#include "common/error.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/reference.hpp"
#include "systemc/engine/chip_engine.hpp"

namespace tsp::compiler {
namespace {

// Raw vectors x lanes of a symbol's tensor (byte planes on adjacent slices).
std::vector<uint32_t> read_back(model::ChipEngine& e, const image::Symbol& s) {
  const isa::Config& cfg = e.config();
  std::vector<uint32_t> out(size_t(s.vectors) * cfg.lanes, 0);
  for (unsigned b = 0; b < isa::dtype_desc(s.dtype).bytes; ++b)
    for (uint32_t v = 0; v < s.vectors; ++v) {
      model::Vec vec;
      e.slice(static_cast<uint16_t>(s.slice + b)).read(s.address + v, vec);
      for (uint32_t l = 0; l < cfg.lanes; ++l) out[size_t(v) * cfg.lanes + l] |= uint32_t(vec.bytes[l]) << (8 * b);
    }
  return out;
}

// Compiles, runs, checks. Returns "" when cycles and outputs are exact, else why not.
std::string compile_run_check(const Graph& source, const std::string& config, int mutant = 0,
                              uint64_t* cycles = nullptr) {
  const isa::Config& cfg = *isa::find_config(config);
  CompileOptions opt;
  opt.mutant = mutant;
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
      got[i] = unpack(g.tensors()[i], cfg.lanes, read_back(e, symbol_of(c.image, g.tensors()[i])));
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
  for (uint64_t seed = 1; seed <= 40; ++seed) {
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

}  // namespace
}  // namespace tsp::compiler
