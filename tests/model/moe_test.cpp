// The MoE MLP layer (firmware/compiler/layers.hpp) on the engine: cycles as
// predicted and outputs bit-equal to the host reference; the chosen experts
// equal the top-2 of a double-precision router written here from the math;
// the output close to a double MoE (the layer's int8 weights and scales
// dequantised, exact softmax and SiLU); and different inputs choose different
// experts under one schedule (the same queue programs, the same cycles).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "firmware/compiler/layers.hpp"
#include "layer_run.hpp"

namespace tsp::compiler::test {
namespace {

using Vec = std::vector<double>;

// Planted bugs (the checker must see each): 1 the two weights not
// renormalised (softmax over all experts), 2 the two weights swapped, 3 the
// first weight 1.6% too high (small: the old tolerance, 0.04, missed it).
struct DoubleMoe {
  const Graph& g;
  const MoeSpec& s;
  int bug = 0;
  bool w8a8 = false;  // each linear layer's input rounded to int8 steps of max|x| / 127

  Vec q8(const Vec& x) const { return w8a8 ? int8_steps(x) : x; }
  // Expert e's matrix [K, N] out of the stacked tensors (W1/W3 chunked by columns, W2 by rows).
  struct Expert {
    Vec w, scale;  // [K, N], [N]
  };
  Expert expert(const std::string& name, uint32_t e, uint32_t k, uint32_t n, bool rows) const {
    const uint32_t F = s.ffn, C = s.chunk ? s.chunk : F, nc = F / C;
    Expert x{Vec(size_t(k) * n), Vec(n)};
    for (uint32_t c = 0; c < nc; ++c) {
      const std::string cn = nc > 1 ? fmt::format("{}.c{}", name, c) : name;
      const Vec w = data_of(g, cn);
      const uint32_t ck = rows ? C : k, cn_ = rows ? n : C;  // this chunk's [K, N]
      for (uint32_t i = 0; i < ck; ++i)
        for (uint32_t j = 0; j < cn_; ++j)
          x.w[size_t(rows ? c * C + i : i) * n + (rows ? j : c * C + j)] = w[(size_t(e) * ck + i) * cn_ + j];
      if (!rows) {
        const Vec sc = data_of(g, cn + ".scale");
        for (uint32_t j = 0; j < C; ++j) x.scale[c * C + j] = sc[size_t(e) * C + j];
      }
    }
    if (rows) {
      const Vec sc = data_of(g, name + ".scale");
      for (uint32_t j = 0; j < n; ++j) x.scale[j] = sc[size_t(e) * n + j];
    }
    return x;
  }
  static Vec apply(const Vec& x, const Vec& w, const Vec& scale) {
    const size_t n = scale.size();
    Vec y(n, 0.0);
    for (size_t k = 0; k < x.size(); ++k)
      for (size_t j = 0; j < n; ++j) y[j] += x[k] * w[k * n + j];
    for (size_t j = 0; j < n; ++j) y[j] *= scale[j];
    return y;
  }

  struct Out {
    Vec y;
    uint32_t e1 = 0, e2 = 0;
    double gap = 0;  // logit gap between the second and the third expert: how clear the choice is
  };
  Out run() const {
    const uint32_t D = s.dim, F = s.ffn, E = s.experts;
    const Vec x = data_of(g, "x"), gain = data_of(g, "g");
    double ms = 0;
    for (double v : x) ms += v * v;
    Vec hn(D);
    for (uint32_t i = 0; i < D; ++i) hn[i] = x[i] / std::sqrt(ms / D + s.epsilon) * gain[i];
    hn = q8(hn);
    const Vec logits = apply(hn, data_of(g, "wg"), data_of(g, "wg.scale"));
    std::vector<uint32_t> order(E);
    for (uint32_t e = 0; e < E; ++e) order[e] = e;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return logits[a] > logits[b]; });
    Out out;
    out.e1 = order[0], out.e2 = order[1], out.gap = logits[order[1]] - logits[order[2]];
    double w1 = 1.0 / (1.0 + std::exp(logits[out.e2] - logits[out.e1])), w2 = 1.0 - w1;
    if (bug == 1) {
      double z = 0;
      for (double l : logits) z += std::exp(l - logits[out.e1]);
      w1 = 1.0 / z, w2 = std::exp(logits[out.e2] - logits[out.e1]) / z;
    }
    if (bug == 2) std::swap(w1, w2);
    if (bug == 3) w1 *= 1 + 0x1p-6;  // a subtle one: the first weight 1.6% high
    out.y = x;
    for (const auto& [e, w] : {std::pair{out.e1, w1}, std::pair{out.e2, w2}}) {
      const Expert x1 = expert("w1", e, D, F, false), x3 = expert("w3", e, D, F, false);
      const Expert x2 = expert("w2", e, F, D, true);
      Vec gate = apply(hn, x1.w, x1.scale);
      const Vec up = apply(hn, x3.w, x3.scale);
      for (uint32_t i = 0; i < F; ++i) gate[i] = gate[i] / (1.0 + std::exp(-gate[i])) * up[i];
      const Vec down = apply(q8(gate), x2.w, x2.scale);
      for (uint32_t j = 0; j < D; ++j) out.y[j] += w * down[j];
    }
    return out;
  }
};

// Tolerances of y as max |y - y_double| / rms(y_double), each about 3x the
// worst measured (docs/testing.md). Against the double model that emulates
// the W8A8 rounding what is left is the chip's f16/f32 arithmetic and the
// router's f16 logits and weights (2^-11 relative): measured 3.1e-5 to 8.3e-4
// on mini (8 inputs), 1.8e-4 to 4.5e-4 on tsp1 chunked (4), 1.2e-4 full size.
// Against the pure math the quantisation dominates: 5.3e-3 to 0.028 on mini,
// 0.022 to 0.038 chunked, 0.041 full size. Planted bugs 1 and 2 measure 0.20
// and more; bug 3 measures 0.016-0.017, which the old W8A8 tolerance (0.04,
// 330x the full size's error) let pass.
constexpr double kW8A8Tolerance = 2.5e-3;
constexpr double kMathTolerance = 0.12;

struct Checked {
  uint32_t e1 = 0, e2 = 0;
  uint64_t cycles = 0;
  std::vector<image::QueueProgram> queues;
};

Checked check_moe(const MoeSpec& s, const isa::Config& cfg, bool print, bool planted_bugs = false) {
  Graph g;
  add_moe(g, s);
  const LayerRun r = run_layer(g, cfg);
  if (print) print_run(fmt::format("moe {}/{} x{} chunk {}", s.dim, s.ffn, s.experts, s.chunk).c_str(), r, cfg);
  EXPECT_EQ(r.error, "");
  Checked c{uint32_t(r.outputs.at("moe.s0.i")[0]), uint32_t(r.outputs.at("moe.s1.i")[0]), r.cycles,
            r.compiled.image.chips.at(0).queues};
  const DoubleMoe::Out q = DoubleMoe{g, s, 0, true}.run(), m = DoubleMoe{g, s}.run();
  EXPECT_EQ(c.e1, q.e1) << "input " << s.input_seed << ": first expert (gap to the third " << q.gap << ")";
  EXPECT_EQ(c.e2, q.e2) << "input " << s.input_seed << ": second expert";
  const double err_q = rel_rms_error(r.outputs.at("y"), q.y), err_m = rel_rms_error(r.outputs.at("y"), m.y);
  fmt::print(
      "input {}: experts {} {}; max |y - double| / rms(y): {:.3g} against W8A8 emulated, {:.3g} against the "
      "math{}\n",
      s.input_seed, c.e1, c.e2, err_q, err_m, m.e1 == c.e1 && m.e2 == c.e2 ? "" : " (math chose other experts)");
  EXPECT_LE(err_q, kW8A8Tolerance) << "input " << s.input_seed;
  if (m.e1 == c.e1 && m.e2 == c.e2) {  // quantisation may flip a close choice of the pure math
    EXPECT_LE(err_m, kMathTolerance) << "input " << s.input_seed;
  }
  for (int bug = 1; planted_bugs && bug <= 3; ++bug) {
    const double bad = rel_rms_error(r.outputs.at("y"), DoubleMoe{g, s, bug, true}.run().y);
    EXPECT_GT(bad, kW8A8Tolerance) << "planted bug " << bug;
    fmt::print("planted bug {}: {:.3g}\n", bug, bad);
  }
  return c;
}

// Several inputs, one schedule: the queue programs and cycles of every
// compilation are identical (only the input data differ), and the inputs
// choose several different expert pairs.
void expect_one_schedule_many_choices(MoeSpec s, const isa::Config& cfg, uint32_t inputs) {
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  std::set<uint32_t> firsts, seconds;
  Checked first;
  for (uint32_t i = 1; i <= inputs; ++i) {
    s.input_seed = i;
    const Checked c = check_moe(s, cfg, i == 1, i == 1);
    if (i == 1) first = c;
    EXPECT_EQ(c.cycles, first.cycles) << "input " << i;
    EXPECT_TRUE(c.queues == first.queues) << "input " << i << ": the schedule changed";
    pairs.insert({c.e1, c.e2});
    firsts.insert(c.e1);
    seconds.insert(c.e2);
  }
  fmt::print("{} inputs chose {} expert pairs ({} first, {} second experts) in {} cycles each\n", inputs, pairs.size(),
             firsts.size(), seconds.size(), first.cycles);
  EXPECT_GE(pairs.size(), 3u);
  EXPECT_GE(firsts.size(), 2u);
  EXPECT_GE(seconds.size(), 2u);
}

TEST(Moe, MiniChoosesByInputUnderOneSchedule) {
  expect_one_schedule_many_choices({.dim = 16, .ffn = 32, .experts = 8, .seed = 2}, *isa::find_config("mini"), 8);
}

// The schedule comparison is not vacuous: another layer size gives other queue programs.
TEST(Moe, ScheduleComparisonSeesAnotherLayer) {
  const isa::Config& cfg = *isa::find_config("mini");
  Graph a, b;
  add_moe(a, {.dim = 16, .ffn = 32, .experts = 8, .seed = 2});
  add_moe(b, {.dim = 16, .ffn = 16, .experts = 8, .seed = 2});
  const auto qa = compile(a, cfg).image.chips.at(0).queues, qb = compile(b, cfg).image.chips.at(0).queues;
  EXPECT_FALSE(qa.empty());
  EXPECT_FALSE(qa == qb);
}

TEST(Moe, Tsp1ChunkedChoosesByInputUnderOneSchedule) {
  expect_one_schedule_many_choices({.dim = 256, .ffn = 640, .experts = 8, .seed = 2, .chunk = 320},
                                   *isa::find_config("tsp1"), 4);
}

// tsp1 at a size that fills a real share of the chip: d_model 1024, 8
// experts of SwiGLU 1536 in chunks of 256 (each stacked chunk [8, 1024, 256]
// is 8192 vectors: one whole slice).
TEST(Moe, Tsp1FullSize) {
  check_moe({.dim = 1024, .ffn = 1536, .experts = 8, .seed = 1, .input_seed = 1, .chunk = 256},
            *isa::find_config("tsp1"), true);
}

}  // namespace
}  // namespace tsp::compiler::test
