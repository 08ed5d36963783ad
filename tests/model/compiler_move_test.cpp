// Transpose compiled and run on the engine: every program must take exactly
// the predicted cycles, its output must equal the host reference of the
// expanded graph bit for bit, and the same output must equal the transpose
// computed here by index arithmetic alone (independent of the expansion).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <numeric>
#include <random>

#include "common/error.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/reference.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "tests/support/planted_bugs.hpp"

namespace tsp::compiler {
namespace {

// y[i_perm[0], ..., i_perm[n-1]] = x[i_0, ..., i_{n-1}], row-major, by index arithmetic.
std::vector<uint32_t> transpose_direct(const std::vector<uint32_t>& shape, const std::vector<uint32_t>& data,
                                       const std::vector<uint32_t>& perm) {
  const size_t n = shape.size();
  std::vector<uint32_t> ys(n);
  for (size_t d = 0; d < n; ++d) ys[d] = shape[perm[d]];
  std::vector<uint32_t> out(data.size());
  std::vector<uint32_t> idx(n, 0);
  for (size_t e = 0; e < data.size(); ++e) {
    size_t rest = e;
    for (size_t d = n; d-- > 0;) {
      idx[d] = uint32_t(rest % shape[d]);
      rest /= shape[d];
    }
    size_t o = 0;
    for (size_t d = 0; d < n; ++d) o = o * ys[d] + idx[perm[d]];
    out[o] = data[e];
  }
  return out;
}

struct Outcome {
  Outcome() = default;
  Outcome(std::string e) : error(std::move(e)) {}  // NOLINT: a failure
  std::string error;                               // "" when exact
  uint64_t cycles = 0;
  std::map<std::string, std::vector<uint32_t>> got;  // every output, as read from the model
  std::map<std::string, std::vector<uint32_t>> raw;  // ... and as its vectors x lanes, padding included
};

// Compiles `source` (its outputs: transposes of inputs), runs it, and checks cycles, the
// reference, and for each output named in `direct` the independent transpose of an input.
Outcome run_check(const Graph& source, const std::string& config, int mutant = 0) {
  const isa::Config& cfg = *isa::find_config(config);
  CompileOptions opt;
  if (mutant) opt.chain_hook = planted_bug(mutant);
  Compiled c;
  try {
    c = compile(source, cfg, opt);
  } catch (const Error& err) {
    return {std::string("compile error: ") + err.what()};
  }
  const Graph& g = c.graph;
  model::ChipEngine e(c.image, 0);
  try {
    e.run_until(~0ull);
  } catch (const std::exception& err) {
    return {std::string("model error: ") + err.what()};
  }
  Outcome r;
  r.cycles = e.end_cycle();
  if (e.end_cycle() != c.predicted_cycles)
    return {fmt::format("simulated {} cycles, predicted {}", e.end_cycle(), c.predicted_cycles)};
  std::vector<std::vector<uint32_t>> got(g.tensors().size());
  for (size_t i = 0; i < g.tensors().size(); ++i)
    if (g.tensors()[i].output) {
      r.raw[g.tensors()[i].name] = model::read_tensor(e, symbol_of(c.image, g.tensors()[i]));
      got[i] = unpack(g.tensors()[i], cfg.lanes, r.raw[g.tensors()[i].name]);
    }
  for (size_t i = 0; i < g.tensors().size(); ++i)
    if (g.tensors()[i].output) r.got[g.tensors()[i].name] = got[i];
  const auto bad = compare_outputs(g, run_reference(g, cfg.mxm_dim), got);
  if (!bad.empty())
    return {
        fmt::format("{}[{}]: model 0x{:x}, reference 0x{:x}", bad[0].tensor, bad[0].index, bad[0].got, bad[0].want)};
  // Independent: every source Transpose of an input, recomputed by index arithmetic.
  for (const Node& n : source.nodes()) {
    if (n.op != GraphOp::Transpose || source.tensor(n.inputs[0]).kind == TensorKind::Value) continue;
    const Tensor& x = source.tensor(n.inputs[0]);
    const auto want = transpose_direct(x.shape, x.data, n.perm);
    const auto id = g.find(source.tensor(n.output).name);
    if (!id || got[*id].empty()) continue;
    for (size_t i = 0; i < want.size(); ++i)
      if (got[*id][i] != want[i])
        return {fmt::format("{}[{}]: model 0x{:x}, direct transpose 0x{:x}", source.tensor(n.output).name, i,
                            got[*id][i], want[i])};
  }
  return r;
}

Graph transpose_graph(isa::DType t, std::vector<uint32_t> shape, std::vector<uint32_t> perm, uint64_t seed) {
  Graph g;
  uint64_t n = 1;
  for (uint32_t d : shape) n *= d;
  const TensorId x = g.add_input("x", t, shape, random_data(t, n, seed));
  g.mark_output(g.add_transpose("y", x, std::move(perm)));
  return g;
}

TEST(CompilerTranspose, NodeTestShapesAreExact) {
  // ONNX test_transpose_default ([2,3,4] f32, reversed) and Gemm transA ([6,3] f32).
  for (const char* cfg : {"mini", "tsp1"}) {
    const Outcome a = run_check(transpose_graph(isa::DType::f32, {2, 3, 4}, {}, 1), cfg);
    EXPECT_EQ(a.error, "") << cfg;
    const Outcome b = run_check(transpose_graph(isa::DType::f32, {6, 3}, {1, 0}, 2), cfg);
    EXPECT_EQ(b.error, "") << cfg;
    fmt::print("{}: [2,3,4] f32 reversed {} cycles, [6,3] f32 {} cycles\n", cfg, a.cycles, b.cycles);
  }
}

TEST(CompilerTranspose, TwoDimensionalShapesAndWidthsAreExact) {
  // Not multiples of 16 nor of the lanes; more rows and columns than mini's 32 lanes.
  const isa::DType types[] = {isa::DType::i8, isa::DType::i16, isa::DType::f32};
  const std::vector<std::vector<uint32_t>> shapes = {{1, 1}, {1, 7}, {5, 1}, {17, 3}, {3, 40}, {33, 45}, {70, 9}};
  uint64_t seed = 10;
  for (const auto& s : shapes)
    for (isa::DType t : types) {
      // mini's SRAM (8 slices x 1024 vectors) holds no 33x45 f32 transpose's intermediates.
      const char* cfg = s[0] * s[1] > 1000 && t == isa::DType::f32 ? "tsp1" : "mini";
      const Outcome r = run_check(transpose_graph(t, s, {1, 0}, ++seed), cfg);
      EXPECT_EQ(r.error, "") << isa::dtype_desc(t).name << fmt::format("[{}]", fmt::join(s, ","));
    }
}

TEST(CompilerTranspose, RandomPermsUpToRankFourAreExact) {
  std::mt19937_64 rng(7);
  const isa::DType types[] = {isa::DType::i8,   isa::DType::u8,  isa::DType::i16, isa::DType::f16,
                              isa::DType::bf16, isa::DType::i32, isa::DType::f32};
  for (int i = 0; i < 40; ++i) {
    const size_t rank = 1 + rng() % 4;
    std::vector<uint32_t> shape(rank), perm(rank);
    for (auto& d : shape) d = 1 + uint32_t(rng() % (rank > 2 ? 6 : 40));
    std::iota(perm.begin(), perm.end(), 0u);
    std::shuffle(perm.begin(), perm.end(), rng);
    const isa::DType t = types[rng() % 7];
    const Outcome r = run_check(transpose_graph(t, shape, perm, 100 + i), i % 3 == 2 ? "tsp1" : "mini");
    EXPECT_EQ(r.error, "") << isa::dtype_desc(t).name
                           << fmt::format("[{}] perm [{}]", fmt::join(shape, ","), fmt::join(perm, ","));
  }
}

TEST(CompilerTranspose, PlantedLateSxmWriteIsCaught) {
  // The first SXM run's WRITE one cycle late: it meets no value on its stream.
  const Outcome r = run_check(transpose_graph(isa::DType::i8, {17, 3}, {1, 0}, 3), "mini", 4);
  EXPECT_NE(r.error.find("model error"), std::string::npos) << r.error;
  EXPECT_EQ(run_check(transpose_graph(isa::DType::i8, {17, 3}, {1, 0}, 3), "mini").error, "");
}

// The documented figure: a full-width f32 transpose on tsp1 (docs/compiler.md).
TEST(CompilerTranspose, Tsp1Full320F32IsExact) {
  const auto start = std::chrono::steady_clock::now();
  const Graph g = transpose_graph(isa::DType::f32, {320, 320}, {1, 0}, 9);
  const Compiled c = compile(g, *isa::find_config("tsp1"));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Outcome r = run_check(g, "tsp1");
  EXPECT_EQ(r.error, "");
  fmt::print("tsp1 [320,320] f32: {} cycles, compile {:.2f} s, SXM {:.1f} %, MEM {:.1f} %\n", r.cycles, secs,
             100 * c.utilisation(isa::Unit::SXM), 100 * c.utilisation(isa::Unit::MEM));
}

// Gemm transA / transB: transposed results have zero padding lanes, so they
// serve as float MatMul activations with K not a multiple of the lanes, and
// as weights.
// Many small transposes in one program, split into parts that run side by
// side: K^T of 8 attention heads of 64 x 64.
TEST(CompilerTranspose, Tsp1AttentionHeadsAreExact) {
  const Outcome r = run_check(transpose_graph(isa::DType::f16, {1, 8, 64, 64}, {0, 1, 3, 2}, 4), "tsp1");
  EXPECT_EQ(r.error, "");
  fmt::print("tsp1 [1,8,64,64] f16 perm (0,1,3,2): {} cycles\n", r.cycles);
}

TEST(CompilerTranspose, TransposedOperandsFeedAMatMul) {
  for (const char* cfg : {"mini", "tsp1"}) {
    Graph g;
    const TensorId a = g.add_input("a", isa::DType::f16, {6, 3}, random_data(isa::DType::f16, 18, 1));
    const TensorId b = g.add_input("b", isa::DType::f16, {5, 6}, random_data(isa::DType::f16, 30, 2));
    const TensorId at = g.add_transpose("at", a, {});
    const TensorId bt = g.add_transpose("bt", b, {});
    g.mark_output(g.add(GraphOp::MatMul, "y", {at, bt}));
    g.mark_output(at);
    const Outcome r = run_check(g, cfg);
    EXPECT_EQ(r.error, "") << cfg;
    const uint32_t lanes = isa::find_config(cfg)->lanes;
    for (size_t e = 0; e < r.raw.at("at").size(); ++e)  // at is [3, 6]: lanes 6.. are padding
      if (e % lanes >= 6) {
        EXPECT_EQ(r.raw.at("at")[e], 0u) << cfg << " lane " << e % lanes;
      }
  }
}

// Transposes and gathers mixed with elementwise ops and each other, random
// shapes and types from fixed seeds: the scheduler must keep every dependency.
TEST(CompilerMove, RandomMixedGraphsAreExact) {
  const isa::DType types[] = {isa::DType::i8, isa::DType::i16, isa::DType::f16, isa::DType::i32};
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    std::mt19937_64 rng(seed);
    const isa::DType t = types[rng() % 4];
    const uint32_t r = 1 + uint32_t(rng() % 20), c = 1 + uint32_t(rng() % 40);
    Graph g;
    const TensorId x = g.add_input("x", t, {r, c}, random_data(t, uint64_t(r) * c, seed));
    const TensorId y = g.add_input("y", t, {c, r}, random_data(t, uint64_t(r) * c, seed + 100));
    const TensorId xt = g.add_transpose("xt", x, {});
    const TensorId s = g.add(GraphOp::Add, "s", {xt, y});  // [c, r]
    const TensorId st = g.add_transpose("st", s, {});      // [r, c]
    const TensorId m = g.add(GraphOp::Max, "m", {st, x});  // [r, c]
    std::vector<uint32_t> raw(1 + rng() % 6);
    for (auto& v : raw) v = uint32_t(rng() % (2 * r)) - r / 2;  // some out of range, some negative
    const TensorId i0 = g.add_input("i0", isa::DType::i32, {uint32_t(raw.size())}, raw);
    const TensorId i1 = g.add(GraphOp::Add, "i1", {i0, i0});  // computed: clamped at run time
    const TensorId gm = g.add(GraphOp::Gather, "gm", {m, i1});
    g.mark_output(g.add_transpose("out", gm, {}));
    g.mark_output(m);
    // Placement never frees: three 32-bit transposes' intermediates overflow mini's 8 x 1024 vectors.
    const Outcome o = run_check(g, seed % 4 == 0 || t == isa::DType::i32 ? "tsp1" : "mini");
    EXPECT_EQ(o.error, "") << "seed " << seed << " " << isa::dtype_desc(t).name << " [" << r << "," << c << "]";
  }
}

TEST(CompilerMove, ExampleIsExact) {
  const Program p = load_program(std::string(TSP_SOURCE_DIR) + "/firmware/examples/graphs/mini_move.txt");
  const Outcome r = run_check(p.graph, *p.config);
  EXPECT_EQ(r.error, "");
  fmt::print("mini_move.txt: {} cycles\n", r.cycles);
}

TEST(CompilerTranspose, TextFormatAndBadPermErrors) {
  const Program p = parse_program(
      "config mini\ninput x : i16[3, 5, 2] random 4\nt = transpose x [1, 2, 0]\nu = transpose t\noutput t u\n",
      "perm.txt");
  EXPECT_EQ(p.graph.tensor(*p.graph.find("t")).shape, (std::vector<uint32_t>{5, 2, 3}));
  EXPECT_EQ(p.graph.tensor(*p.graph.find("u")).shape, (std::vector<uint32_t>{3, 2, 5}));
  EXPECT_EQ(run_check(p.graph, "mini").error, "");
  try {
    parse_program("input x : f32[2, 3] random 1\ny = transpose x [0, 0]\noutput y\n", "bad.txt");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "bad.txt:2: error: node 'y' (transpose): perm [0,0] is not a permutation of the 2 dimensions of 'x' "
              "[2,3]");
  }
}

// out[i, ...] = data[clamp(idx[i], 0, N - 1), ...], by index arithmetic.
std::vector<uint32_t> gather_direct(const Tensor& data, const std::vector<uint32_t>& idx) {
  const uint64_t per = data.elements() / data.shape[0];
  std::vector<uint32_t> out;
  for (uint32_t i : idx) {
    const int64_t j = std::clamp<int64_t>(int32_t(i), 0, data.shape[0] - 1);
    out.insert(out.end(), data.data.begin() + j * per, data.data.begin() + (j + 1) * per);
  }
  return out;
}

// ONNX Gather on any axis: out[pre, j..., post] = data[pre, clamp(idx[j...]), post].
std::vector<uint32_t> gather_axis_direct(const Tensor& data, const std::vector<uint32_t>& idx, size_t axis) {
  uint64_t pre = 1, post = 1;
  for (size_t d = 0; d < axis; ++d) pre *= data.shape[d];
  for (size_t d = axis + 1; d < data.shape.size(); ++d) post *= data.shape[d];
  const int64_t n = data.shape[axis];
  std::vector<uint32_t> out;
  for (uint64_t a = 0; a < pre; ++a)
    for (uint32_t i : idx) {
      const int64_t j = std::clamp<int64_t>(int32_t(i), 0, n - 1);
      for (uint64_t b = 0; b < post; ++b) out.push_back(data.data[(a * n + j) * post + b]);
    }
  return out;
}

Graph gather_graph(isa::DType t, std::vector<uint32_t> shape, std::vector<uint32_t> idx, uint64_t seed) {
  Graph g;
  uint64_t n = 1;
  for (uint32_t d : shape) n *= d;
  const TensorId x = g.add_input("data", t, shape, random_data(t, n, seed));
  const TensorId i = g.add_input("idx", isa::DType::i32, {uint32_t(idx.size())}, idx);
  g.mark_output(g.add(GraphOp::Gather, "y", {x, i}));
  return g;
}

std::string check_gather(const Graph& g, const std::string& cfg, const std::vector<uint32_t>& idx, bool print = false) {
  const Outcome r = run_check(g, cfg);
  if (!r.error.empty()) return r.error;
  const auto want = gather_direct(g.tensor(*g.find("data")), idx);
  const auto& got = r.got.at("y");
  for (size_t e = 0; e < want.size(); ++e)
    if (got.at(e) != want[e]) return fmt::format("y[{}]: model 0x{:x}, direct gather 0x{:x}", e, got[e], want[e]);
  if (print) fmt::print("{} gather {} -> {} cycles\n", cfg, fmt::join(g.tensor(*g.find("y")).shape, "x"), r.cycles);
  return "";
}

// The independent checkers themselves, on cases worked by hand, and a wrong answer they reject.
TEST(CompilerMoveCheckers, DirectTransposeAndGatherAreRight) {
  // [2,3] -> [3,2]: 1 2 3 / 4 5 6 -> 1 4 / 2 5 / 3 6; [2,1,2] perm (2,0,1) -> [2,2,1].
  EXPECT_EQ(transpose_direct({2, 3}, {1, 2, 3, 4, 5, 6}, {1, 0}), (std::vector<uint32_t>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(transpose_direct({2, 1, 2}, {1, 2, 3, 4}, {2, 0, 1}), (std::vector<uint32_t>{1, 3, 2, 4}));
  EXPECT_NE(transpose_direct({2, 3}, {1, 2, 3, 4, 5, 6}, {1, 0}), (std::vector<uint32_t>{1, 2, 3, 4, 5, 6}));
  Tensor d;
  d.shape = {3, 2};
  d.data = {10, 11, 20, 21, 30, 31};
  EXPECT_EQ(gather_direct(d, {2, uint32_t(-1), 7}), (std::vector<uint32_t>{30, 31, 10, 11, 30, 31}));
  // A model answer that differs from the direct gather is reported.
  Graph g = gather_graph(isa::DType::i8, {4, 3}, {1, 2}, 1);
  EXPECT_NE(check_gather(g, "mini", {2, 1}), "");
  // axis 1 of [2, 3] = 1 2 3 / 4 5 6 by [2, 0]: 3 1 / 6 4.
  d.shape = {2, 3};
  d.data = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(gather_axis_direct(d, {2, 0}, 1), (std::vector<uint32_t>{3, 1, 6, 4}));
}

TEST(CompilerGather, NodeTestShapeIsExact) {
  // ONNX test_gather_0: data f32 [5,4,3,2], indices [3], axis 0.
  for (const char* cfg : {"mini", "tsp1"})
    EXPECT_EQ(check_gather(gather_graph(isa::DType::f32, {5, 4, 3, 2}, {0, 4, 2}, 1), cfg, {0, 4, 2}, true), "") << cfg;
}

TEST(CompilerGather, ShapesAndWidthsAreExact) {
  std::mt19937_64 rng(3);
  const isa::DType types[] = {isa::DType::i8, isa::DType::u8, isa::DType::i16, isa::DType::bf16, isa::DType::i32};
  const std::vector<std::vector<uint32_t>> shapes = {{7, 40}, {3, 2, 33}, {9, 1}, {2, 3, 2, 5}, {40, 17}};
  for (const auto& s : shapes)
    for (isa::DType t : types) {
      std::vector<uint32_t> idx(1 + rng() % 5);
      for (auto& i : idx) i = uint32_t(rng() % s[0]);
      EXPECT_EQ(check_gather(gather_graph(t, s, idx, rng()), "mini", idx), "")
          << isa::dtype_desc(t).name << fmt::format("[{}] idx [{}]", fmt::join(s, ","), fmt::join(idx, ","));
    }
  // More indices than mini's 32 lanes, on tsp1 too.
  std::vector<uint32_t> idx(40);
  for (auto& i : idx) i = uint32_t(rng() % 6);
  EXPECT_EQ(check_gather(gather_graph(isa::DType::i8, {6, 3}, idx, 5), "mini", idx), "");
  EXPECT_EQ(check_gather(gather_graph(isa::DType::f32, {6, 400}, idx, 6), "tsp1", idx), "");
}

// Indices computed on the chip can be anything: out of range they are clamped
// to [0, N - 1] on the chip and in the reference alike (docs/compiler.md).
TEST(CompilerGather, RuntimeIndicesOutOfRangeAreClamped) {
  Graph g;
  const std::vector<uint32_t> raw = {1, 3, uint32_t(-2), 2, 0};  // doubled: 2, 6, -4, 4, 0 with N = 5
  const TensorId x = g.add_input("data", isa::DType::f16, {5, 6}, random_data(isa::DType::f16, 30, 8));
  const TensorId i0 = g.add_input("i0", isa::DType::i32, {5}, raw);
  const TensorId i = g.add(GraphOp::Add, "idx2", {i0, i0});
  g.mark_output(g.add(GraphOp::Gather, "y", {x, i}));
  const Outcome r = run_check(g, "mini");
  ASSERT_EQ(r.error, "");
  std::vector<uint32_t> doubled;
  for (uint32_t v : raw) doubled.push_back(v * 2);
  EXPECT_EQ(r.got.at("y"), gather_direct(g.tensor(x), doubled));
}

// MoE routing: experts' weight rows gathered at run time feed a MatMul as weights.
TEST(CompilerGather, GatheredWeightsFeedAMatMul) {
  for (const char* cfg : {"mini", "tsp1"}) {
    Graph g;
    const TensorId d = g.add_const("experts", isa::DType::i8, {6, 40}, random_data(isa::DType::i8, 240, 2));
    const TensorId i0 = g.add_input("pick", isa::DType::i32, {3}, {5, 0, 3});
    const TensorId one = g.add_const("one", isa::DType::i32, {3}, {1, 1, 1});
    const TensorId i = g.add(GraphOp::Sub, "route", {i0, one});  // computed on chip: 4, -1 (clamped to 0), 2
    const TensorId w = g.add(GraphOp::Gather, "w", {d, i});
    const TensorId x = g.add_input("x", isa::DType::i8, {2, 3}, random_data(isa::DType::i8, 6, 3));
    g.mark_output(w);
    g.mark_output(g.add(GraphOp::MatMul, "y", {x, w}));
    const Outcome r = run_check(g, cfg);
    EXPECT_EQ(r.error, "") << cfg;
    if (r.error.empty()) {
      EXPECT_EQ(r.got.at("w"), gather_direct(g.tensor(d), {4, 0, 2})) << cfg;
    }
  }
}

TEST(CompilerGather, AxesAndIndexRanksAreExact) {
  struct Case {
    isa::DType t;
    std::vector<uint32_t> shape, idx_shape, idx;
    int32_t axis;
    const char* cfg;
  };
  const Case cases[] = {
      {isa::DType::f32, {5, 4, 3, 2}, {3}, {0, 3, 1}, 1, "mini"},  // ONNX test_gather_1
      {isa::DType::f32, {5, 4, 3, 2}, {3}, {0, 3, 1}, 1, "tsp1"},
      {isa::DType::i8, {5, 7}, {2, 3}, {4, 0, 1, 1, 3, 2}, 0, "mini"},
      {isa::DType::i16, {4, 6}, {2}, {5, 2}, -1, "mini"},
      {isa::DType::bf16, {3, 4, 5}, {2, 2}, {4, 0, 2, 2}, 2, "tsp1"},
  };
  for (const Case& c : cases) {
    Graph g;
    uint64_t n = 1;
    for (uint32_t d : c.shape) n *= d;
    const TensorId d = g.add_input("data", c.t, c.shape, random_data(c.t, n, 3));
    const TensorId i = g.add_input("idx", isa::DType::i32, c.idx_shape, c.idx);
    g.mark_output(g.add_gather("y", d, i, c.axis));
    const Outcome r = run_check(g, c.cfg);
    const std::string what =
        fmt::format("{}[{}] axis {} on {}", isa::dtype_desc(c.t).name, fmt::join(c.shape, ","), c.axis, c.cfg);
    EXPECT_EQ(r.error, "") << what;
    if (!r.error.empty()) continue;
    const size_t axis = size_t(c.axis < 0 ? c.axis + int32_t(c.shape.size()) : c.axis);
    EXPECT_EQ(r.got.at("y"), gather_axis_direct(g.tensor(d), c.idx, axis)) << what;
  }
}

TEST(CompilerGather, IndexOutOfRangeAtCompileTimeIsAnError) {
  try {
    parse_program("input d : f32[5, 4] random 1\nconst i : i32[2] = 1 5\ny = gather d i\noutput y\n", "g.txt");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "g.txt:3: error: node 'y' (gather): index 1 = 5 of 'i' is out of range [0, 5) of data 'd' axis 0");
  }
  const Program p = parse_program(
      "config mini\ninput d : i8[5, 4] random 1\nconst i : i32[2] = 1 3\ny = gather d i axis -1\noutput y\n", "a.txt");
  EXPECT_EQ(p.graph.tensor(*p.graph.find("y")).shape, (std::vector<uint32_t>{5, 2}));
  EXPECT_EQ(run_check(p.graph, "mini").error, "");
  try {
    parse_program("input d : f32[5, 4] random 1\nconst i : i32[1] = 4\ny = gather d i axis 1\noutput y\n", "g.txt");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "g.txt:3: error: node 'y' (gather): index 0 = 4 of 'i' is out of range [0, 4) of data 'd' axis 1");
  }
}

}  // namespace
}  // namespace tsp::compiler
