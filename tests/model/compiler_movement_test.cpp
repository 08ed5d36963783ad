// Data movement (concat, slice, pad, reshapes that move values across lanes),
// M blocking and batched MatMul, compiled and run on the engine: exactly the
// predicted cycles, every output bit-equal to the host reference, and equal to
// the result computed here by index arithmetic or int64 math alone (the
// reference runs the same vector programs, so only this catches a wrong offset).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "common/error.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/reference.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "tests/support/planted_movement.hpp"

namespace tsp::compiler {
namespace {

using Want = std::map<std::string, std::vector<uint32_t>>;

struct Outcome {
  std::string error;  // "" when exact
  uint64_t cycles = 0;
};

// Compiles, runs, checks cycles and the reference, then every output named in `want`.
Outcome run_check(const Graph& source, const std::string& config, const Want& want) {
  const isa::Config& cfg = *isa::find_config(config);
  Compiled c;
  try {
    c = compile(source, cfg, {});
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
  if (e.end_cycle() != c.predicted_cycles)
    return {fmt::format("simulated {} cycles, predicted {}", e.end_cycle(), c.predicted_cycles)};
  std::vector<std::vector<uint32_t>> got(g.tensors().size());
  for (size_t i = 0; i < g.tensors().size(); ++i)
    if (g.tensors()[i].output)
      got[i] = unpack(g.tensors()[i], cfg.lanes, model::read_tensor(e, symbol_of(c.image, g.tensors()[i])));
  const auto bad = compare_outputs(g, run_reference(g, cfg.mxm_dim), got);
  if (!bad.empty())
    return {
        fmt::format("{}[{}]: model 0x{:x}, reference 0x{:x}", bad[0].tensor, bad[0].index, bad[0].got, bad[0].want)};
  for (const auto& [name, w] : want) {
    const auto id = g.find(name);
    if (!id || got[*id].size() != w.size()) return {fmt::format("{}: no such output of {} elements", name, w.size())};
    for (size_t i = 0; i < w.size(); ++i)
      if (got[*id][i] != w[i]) return {fmt::format("{}[{}]: model 0x{:x}, direct 0x{:x}", name, i, got[*id][i], w[i])};
  }
  return {"", e.end_cycle()};
}

uint64_t count(const std::vector<uint32_t>& s) {
  uint64_t n = 1;
  for (uint32_t d : s) n *= d;
  return n;
}
// Row-major multi-index of element e of `shape`, and back.
std::vector<uint32_t> index_of(const std::vector<uint32_t>& shape, uint64_t e) {
  std::vector<uint32_t> i(shape.size());
  for (size_t d = shape.size(); d-- > 0;) i[d] = uint32_t(e % shape[d]), e /= shape[d];
  return i;
}
uint64_t offset_of(const std::vector<uint32_t>& shape, const std::vector<uint32_t>& i) {
  uint64_t e = 0;
  for (size_t d = 0; d < shape.size(); ++d) e = e * shape[d] + i[d];
  return e;
}

std::vector<uint32_t> concat_direct(const std::vector<const Tensor*>& xs, size_t axis) {
  std::vector<uint32_t> shape = xs[0]->shape;
  shape[axis] = 0;
  for (const Tensor* t : xs) shape[axis] += t->shape[axis];
  std::vector<uint32_t> out(count(shape));
  for (uint64_t e = 0; e < out.size(); ++e) {
    auto i = index_of(shape, e);
    size_t k = 0;
    while (i[axis] >= xs[k]->shape[axis]) i[axis] -= xs[k++]->shape[axis];
    out[e] = xs[k]->data[offset_of(xs[k]->shape, i)];
  }
  return out;
}

// One axis, step 1 or other.
std::vector<uint32_t> slice_direct(const Tensor& x, size_t axis, int64_t start, int64_t step, uint32_t n) {
  std::vector<uint32_t> shape = x.shape;
  shape[axis] = n;
  std::vector<uint32_t> out(count(shape));
  for (uint64_t e = 0; e < out.size(); ++e) {
    auto i = index_of(shape, e);
    i[axis] = uint32_t(start + int64_t(i[axis]) * step);
    out[e] = x.data[offset_of(x.shape, i)];
  }
  return out;
}

std::vector<uint32_t> pad_direct(const Tensor& x, const std::vector<int64_t>& pads, uint32_t fill) {
  const size_t r = x.shape.size();
  std::vector<uint32_t> shape = x.shape;
  for (size_t d = 0; d < r; ++d) shape[d] += uint32_t(pads[d] + pads[r + d]);
  std::vector<uint32_t> out(count(shape), fill);
  for (uint64_t e = 0; e < x.data.size(); ++e) {
    auto i = index_of(x.shape, e);
    for (size_t d = 0; d < r; ++d) i[d] += uint32_t(pads[d]);
    out[offset_of(shape, i)] = x.data[e];
  }
  return out;
}

// int8 x int8 -> i32 in int64 math; batch dims broadcast (numpy).
std::vector<uint32_t> matmul_direct(const Tensor& x, const Tensor& w, const std::vector<uint32_t>& yshape) {
  const uint32_t M = x.shape[x.shape.size() - 2], K = x.shape.back(), N = w.shape.back();
  const std::vector<uint32_t> yb(yshape.begin(), yshape.end() - 2), xb(x.shape.begin(), x.shape.end() - 2),
      wb(w.shape.begin(), w.shape.end() - 2);
  std::vector<uint32_t> out(count(yshape));
  for (uint64_t b = 0; b < count(yb); ++b) {
    const uint64_t xi = xb.empty() ? 0 : broadcast_index(xb, yb, b), wi = wb.empty() ? 0 : broadcast_index(wb, yb, b);
    for (uint32_t m = 0; m < M; ++m)
      for (uint32_t n = 0; n < N; ++n) {
        int64_t s = 0;
        for (uint32_t k = 0; k < K; ++k)
          s += int64_t(int8_t(x.data[(xi * M + m) * K + k])) * int8_t(w.data[(wi * K + k) * N + n]);
        out[(b * M + m) * N + n] = uint32_t(int32_t(s));
      }
  }
  return out;
}

TensorId input(Graph& g, const std::string& name, isa::DType t, std::vector<uint32_t> shape, uint64_t seed) {
  const uint64_t n = count(shape);
  return g.add_input(name, t, std::move(shape), random_data(t, n, seed));
}

TensorId concat(Graph& g, const std::string& name, std::vector<TensorId> in, int64_t axis) {
  Attrs a;
  a.axes = {axis};
  return g.add(GraphOp::Concat, name, std::move(in), {}, std::nullopt, a);
}
TensorId slice(Graph& g, const std::string& name, TensorId x, int64_t axis, int64_t start, int64_t end,
               int64_t step = 1) {
  Attrs a;
  a.axes = {axis};
  a.starts = {start};
  a.ends = {end};
  a.steps = {step};
  return g.add(GraphOp::Slice, name, {x}, {}, std::nullopt, a);
}

TEST(CompilerMovement, ConcatEveryAxisAndWidthIsExact) {
  for (const char* cfg : {"mini", "tsp1"})
    for (isa::DType t : {isa::DType::i8, isa::DType::f16, isa::DType::f32})
      for (int64_t axis = 0; axis < 3; ++axis) {
        Graph g;
        std::vector<uint32_t> sa = {3, 4, 37}, sb = sa;
        sb[size_t(axis)] = axis == 2 ? 45 : 2;  // the last axis: pieces straddle mini's 32 lanes
        const TensorId a = input(g, "a", t, sa, 1), b = input(g, "b", t, sb, 2);
        g.mark_output(concat(g, "y", {a, b}, axis));
        const Want want{{"y", concat_direct({&g.tensor(a), &g.tensor(b)}, size_t(axis))}};
        const Outcome r = run_check(g, cfg, want);
        EXPECT_EQ(r.error, "") << cfg << " " << isa::dtype_desc(t).name << " axis " << axis;
      }
}

TEST(CompilerMovement, SliceStartsEndsStepsAreExact) {
  struct Case {
    int64_t axis, start, end, step;
  };
  for (const char* cfg : {"mini", "tsp1"})
    for (const Case c : {Case{0, 1, 4, 1}, Case{1, -3, 100, 1}, Case{2, 3, 40, 1}, Case{2, 33, 70, 1},
                         Case{0, 4, -100, -2}, Case{1, 0, 5, 2}, Case{2, 7, 9, 1}}) {
      Graph g;
      const TensorId x = input(g, "x", isa::DType::f32, {5, 5, 70}, 3);
      g.mark_output(slice(g, "y", x, c.axis, c.start, c.end, c.step));
      const Tensor& y = g.tensor(*g.find("y"));
      const Node& n = g.nodes().back();  // starts clamped by the graph
      const Want want{
          {"y", slice_direct(g.tensor(x), size_t(c.axis), n.attrs.starts[0], c.step, y.shape[size_t(c.axis)])}};
      EXPECT_EQ(run_check(g, cfg, want).error, "") << cfg << " axis " << c.axis << " start " << c.start;
    }
}

TEST(CompilerMovement, PadReshapeAndRotateHalfAreExact) {
  for (const char* cfg : {"mini", "tsp1"}) {
    Graph g;
    const TensorId x = input(g, "x", isa::DType::f16, {2, 3, 40}, 4);
    Attrs pa;
    pa.pads = {1, 0, 3, 0, 2, 5};
    pa.value = -2.5;
    g.mark_output(g.add(GraphOp::Pad, "p", {x}, {}, std::nullopt, pa));
    // The head split and back: [T, H*dh] -> [T, H, dh] -> [T, H*dh].
    const TensorId h = input(g, "h", isa::DType::bf16, {3, 48}, 5);
    Attrs ra;
    ra.shape = {3, 4, 12};
    const TensorId heads = g.add(GraphOp::Reshape, "heads", {h}, {}, std::nullopt, ra);
    ra.shape = {3, 48};
    g.mark_output(heads);
    g.mark_output(g.add(GraphOp::Reshape, "joined", {heads}, {}, std::nullopt, ra));
    // RoPE's rotate_half: cat(x[..., h:], x[..., :h]) (the sign is a VXM op).
    const TensorId q = input(g, "q", isa::DType::f32, {4, 64}, 6);
    g.mark_output(concat(g, "rot", {slice(g, "q2", q, 1, 32, 64), slice(g, "q1", q, 1, 0, 32)}, 1));
    // A KV cache append: cat(cache, new, dim=seq).
    const TensorId cache = input(g, "cache", isa::DType::f16, {2, 9, 16}, 7),
                   knew = input(g, "k", isa::DType::f16, {2, 1, 16}, 8);
    g.mark_output(concat(g, "cache2", {cache, knew}, 1));
    const Tensor& tq = g.tensor(q);
    std::vector<uint32_t> rot(tq.data.size());
    for (uint32_t r = 0; r < 4; ++r)
      for (uint32_t c = 0; c < 64; ++c) rot[r * 64 + c] = tq.data[r * 64 + (c + 32) % 64];
    const Want want{{"p", pad_direct(g.tensor(x), pa.pads, 0xC100)},  // -2.5 in f16
                    {"heads", g.tensor(h).data},
                    {"joined", g.tensor(h).data},
                    {"rot", rot},
                    {"cache2", concat_direct({&g.tensor(cache), &g.tensor(knew)}, 1)}};
    const Outcome r = run_check(g, cfg, want);
    EXPECT_EQ(r.error, "") << cfg;
  }
}

TEST(CompilerMovement, PlantedWrongOffsetsAreCaughtByIndexArithmetic) {
  const isa::Config& cfg = *isa::find_config("mini");
  {
    Graph g;
    const TensorId a = input(g, "a", isa::DType::i8, {3, 40}, 1), b = input(g, "b", isa::DType::i8, {2, 40}, 2);
    g.mark_output(planted_concat_early(g, a, b, "y", cfg));
    const Outcome r = run_check(g, "mini", {{"y", concat_direct({&g.tensor(a), &g.tensor(b)}, 0)}});
    EXPECT_NE(r.error.find("y[80]: model"), std::string::npos) << r.error;  // row 2: b's first row, one early
    EXPECT_NE(r.error.find("direct"), std::string::npos) << r.error;        // the reference agreed (same program)
  }
  {
    Graph g;
    const TensorId x = input(g, "x", isa::DType::f32, {2, 50}, 3);
    g.mark_output(planted_slice_off_by_one(g, x, 5, 40, "y", cfg));
    const Outcome r = run_check(g, "mini", {{"y", slice_direct(g.tensor(x), 1, 5, 1, 35)}});
    EXPECT_NE(r.error.find("y[0]: model"), std::string::npos) << r.error;
  }
}

// M larger than the accumulator slots (mini 64, tsp1 256): blocks of at most the slots, each on the next plane.
TEST(CompilerMovement, MBlockingBeyondTheAccumulatorSlotsIsExact) {
  for (auto [cfg, M] : {std::pair<const char*, uint32_t>{"mini", 150}, {"tsp1", 300}}) {
    Graph g;
    const TensorId x = input(g, "x", isa::DType::i8, {M, 70}, 1);
    const TensorId w = g.add_const("w", isa::DType::i8, {70, 40}, random_data(isa::DType::i8, 70 * 40, 2));
    g.mark_output(g.add(GraphOp::MatMul, "y", {x, w}));
    const TensorId a = input(g, "a", isa::DType::f16, {M, 40}, 3);
    const TensorId b = input(g, "b", isa::DType::f16, {40, 24}, 4);
    g.mark_output(g.add(GraphOp::MatMul, "z", {a, b}));  // bit-exact with the reference's f32 blocks
    const Want want{{"y", matmul_direct(g.tensor(x), g.tensor(w), {M, 40})}};
    const Outcome r = run_check(g, cfg, want);
    EXPECT_EQ(r.error, "") << cfg;
  }
}

TEST(CompilerMovement, BatchedMatMulBroadcastsAndIsExact) {
  struct Case {
    std::vector<uint32_t> xs, ws;
    bool const_w;
  };
  for (const char* cfg : {"mini", "tsp1"})
    for (const Case& c :
         {Case{{3, 5, 40}, {3, 40, 7}, false}, Case{{2, 3, 5, 40}, {2, 3, 40, 7}, true},
          Case{{3, 5, 40}, {40, 9}, true}, Case{{5, 40}, {2, 40, 9}, false}, Case{{2, 1, 5, 40}, {3, 40, 6}, true},
          Case{{4, 1, 16}, {4, 16, 12}, true}}) {  // attention-shaped [H,1,dh] x [H,dh,S]
      Graph g;
      const TensorId x = input(g, "x", isa::DType::i8, c.xs, 1);
      const TensorId w = c.const_w ? g.add_const("w", isa::DType::i8, c.ws, random_data(isa::DType::i8, count(c.ws), 2))
                                   : input(g, "w", isa::DType::i8, c.ws, 2);
      const TensorId y = g.add(GraphOp::MatMul, "y", {x, w});
      g.mark_output(y);
      const Want want{{"y", matmul_direct(g.tensor(x), g.tensor(w), g.tensor(y).shape)}};
      EXPECT_EQ(run_check(g, cfg, want).error, "") << cfg << " x rank " << c.xs.size() << " w rank " << c.ws.size();
    }
}

// Attention on tsp1: 8 heads, q [H, 1, dh] . K^T [H, dh, S] with K^T computed on the chip, then . V [H, S, dh].
TEST(CompilerMovement, Tsp1AttentionHeadsBatchedAreExact) {
  Graph g;
  const TensorId q = input(g, "q", isa::DType::f16, {8, 1, 64}, 1);
  const TensorId k = input(g, "k", isa::DType::f16, {8, 128, 64}, 2);
  const TensorId kt = g.add_transpose("kt", k, {0, 2, 1});
  const TensorId s = g.add(GraphOp::MatMul, "s", {q, kt});
  const TensorId s16 = g.add(GraphOp::Cast, "s16", {s}, {}, isa::DType::f16);
  // Activations computed on the chip need zero padding lanes: sel(mask, s, mask), the mask's padding zero.
  const TensorId m = g.add_const("m", isa::DType::f16, {1, 1, 128}, std::vector<uint32_t>(128, 0x3C00));
  const TensorId sh = g.add(GraphOp::Sel, "sh", {m, s16, m});
  const TensorId v = input(g, "v", isa::DType::f16, {8, 128, 64}, 3);
  g.mark_output(s);
  g.mark_output(g.add(GraphOp::MatMul, "o", {sh, v}));
  const Outcome r = run_check(g, "tsp1", {});
  EXPECT_EQ(r.error, "");
  std::printf("tsp1 attention, 8 heads of 64 over 128 tokens: %llu cycles\n", (unsigned long long)r.cycles);
}

TEST(CompilerMovement, BadShapesAreErrorsNamingTheNode) {
  Graph g;
  const TensorId a = input(g, "a", isa::DType::f16, {3, 4}, 1), b = input(g, "b", isa::DType::f32, {3, 4}, 2);
  try {
    concat(g, "y", {a, b}, 0);
    FAIL() << "mixed types joined";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'y' (concat)"), std::string::npos) << e.what();
  }
  try {
    slice(g, "s", a, 1, 3, 3);
    FAIL() << "an empty slice";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("keeps no element"), std::string::npos) << e.what();
  }
  const TensorId w = input(g, "w", isa::DType::f16, {2, 5, 6}, 3);
  try {
    g.add(GraphOp::MatMul, "m", {a, w});
    FAIL() << "K differs";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("do not multiply"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tsp::compiler
