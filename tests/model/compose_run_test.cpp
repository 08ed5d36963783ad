// Composed ops on the engine: f32 MatMul from f16 parts and Sqrt from RSQRT.
// Each runs in exactly the predicted cycles with outputs bit-equal to the host
// reference (common/numerics), and lands within its documented error of the
// exact result computed here in double precision.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <random>

#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/reference.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "tests/model/exact_run.hpp"

namespace tsp::compiler {
namespace {

// Compiles and runs `src`; checks cycles and bits; returns output `name`'s elements.
std::vector<uint32_t> run_exact(const Graph& src, const std::string& config, const std::string& name) {
  return run_exact_outputs(src, config).at(name);
}

std::vector<uint32_t> normal_f32(size_t n, uint64_t seed, double scale) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, float(scale));
  std::vector<uint32_t> v(n);
  for (auto& x : v) x = std::bit_cast<uint32_t>(d(rng));
  return v;
}

float f(uint32_t b) { return std::bit_cast<float>(b); }

// y = x . w in f32 against double. Documented bound (docs/compiler.md): each
// operand element carries ~22 bits when |v| >= 2^-13, else an absolute error
// up to 2^-25 (the f16 lo part flushes); the f32 sums add ~K ulps.
void check_f32_matmul(const std::string& config, uint32_t M, uint32_t K, uint32_t N, double scale, bool onnx) {
  Graph g;
  const TensorId x = g.add_input("x", isa::DType::f32, {M, K}, normal_f32(size_t(M) * K, 1, scale));
  const TensorId w = g.add_input("w", isa::DType::f32, {K, N}, normal_f32(size_t(K) * N, 2, 1.0));
  g.mark_output(f32_matmul(g, "y", x, w, {}));
  const std::vector<uint32_t> y = run_exact(g, config, "y");
  double worst = 0, worst_rel = 0, worst_bound = 0;
  for (uint32_t m = 0; m < M; ++m)
    for (uint32_t n = 0; n < N; ++n) {
      double exact = 0, mag = 0, floor = 0;
      for (uint32_t k = 0; k < K; ++k) {
        const double a = f(g.tensor(x).data[m * K + k]), b = f(g.tensor(w).data[k * N + n]);
        exact += a * b;
        mag += std::fabs(a * b);
        floor += std::ldexp(std::fabs(a) + std::fabs(b), -25);
      }
      const double err = std::fabs(double(f(y[m * N + n])) - exact);
      // A quarter of the documented worst case: these cases measure 0.07-0.13 of it (docs/testing.md).
      const double bound = (std::ldexp(mag, -20) + floor) / 4;
      EXPECT_LE(err, bound) << config << " y[" << m << "," << n << "]";
      worst_bound = std::max(worst_bound, err / bound);
      worst = std::max(worst, err / mag);
      if (std::fabs(exact) > 1e-3 * mag) worst_rel = std::max(worst_rel, err / std::fabs(exact));
      if (onnx) {
        EXPECT_LE(err, 1e-7 + 1e-3 * std::fabs(exact)) << config << " y[" << m << "," << n << "]";
      }
    }
  fmt::print(
      "f32 matmul {}x{}x{} on {}, |x| ~ {}: max |err| / sum|x||w| = {:.3g}, max relative error = {:.3g}, worst error "
      "/ bound = {:.3g}\n",
      M, K, N, config, scale, worst, worst_rel, worst_bound);
}

TEST(ComposeRun, F32MatMulFromF16PartsMeetsOnnxTolerance) {
  check_f32_matmul("mini", 3, 40, 5, 1.0, true);     // K past one 32-row block: padded rows of computed weights
  check_f32_matmul("tsp1", 16, 700, 48, 1.0, true);  // three K blocks on tsp1
  check_f32_matmul("tsp1", 4, 64, 8, 1e-4, false);   // small activations: the 2^-25 floor shows
}

// f16 products (MatmulPrecision::F16Products): one MatMul of the f16-rounded
// operands into f32. Each operand loses up to half an f16 ulp (2^-11
// relative), so |err| <= 2^-10 sum |x||w| plus the f32 sums' few ulps.
TEST(ComposeRun, F32MatMulFromF16ProductsIsOnePassWithinF16Rounding) {
  const uint32_t M = 8, K = 700, N = 48;
  Graph g;
  const TensorId x = g.add_input("x", isa::DType::f32, {M, K}, normal_f32(size_t(M) * K, 1, 1.0));
  const TensorId w = g.add_const("w", isa::DType::f32, {K, N}, normal_f32(size_t(K) * N, 2, 1.0));
  g.mark_output(f32_matmul(g, "y", x, w, {}, MatmulPrecision::F16Products));
  EXPECT_EQ(std::count_if(g.nodes().begin(), g.nodes().end(), [](const Node& n) { return n.op == GraphOp::MatMul; }),
            1);
  const std::vector<uint32_t> y = run_exact(g, "tsp1", "y");
  double worst = 0;
  for (uint32_t m = 0; m < M; ++m)
    for (uint32_t n = 0; n < N; ++n) {
      double exact = 0, mag = 0;
      for (uint32_t k = 0; k < K; ++k) {
        const double a = f(g.tensor(x).data[m * K + k]), b = f(g.tensor(w).data[k * N + n]);
        exact += a * b;
        mag += std::fabs(a * b);
      }
      const double err = std::fabs(double(f(y[m * N + n])) - exact);
      EXPECT_LE(err, std::ldexp(mag, -10)) << "y[" << m << "," << n << "]";
      worst = std::max(worst, err / mag);
    }
  fmt::print("f32 matmul from f16 products {}x{}x{} on tsp1: max |err| / sum|x||w| = {:.3g}\n", M, K, N, worst);
}

// W8A8 (MatmulPrecision::Int8): one int8 MatMul. x's row r is quantised with
// step m_r / 127 and w's column j with step s_j, each rounded to nearest, so
// |err| <= sum_k (|x_k| s_j / 2 + |w_kj| m_r / 254 + m_r s_j / 508), plus the
// f32 rescale's few ulps. With a bound b for x the step is b / 127 instead.
void check_int8_matmul(std::optional<double> bound) {
  const uint32_t M = 8, K = 700, N = 48;
  Graph g;
  std::vector<uint32_t> xv = normal_f32(size_t(M) * K, 1, 0.4);
  if (bound)
    for (auto& v : xv) v = std::bit_cast<uint32_t>(std::clamp(f(v), -float(*bound), float(*bound)));
  const TensorId x = g.add_input("x", isa::DType::f32, {M, K}, xv);
  const TensorId w = g.add_const("w", isa::DType::f32, {K, N}, normal_f32(size_t(K) * N, 2, 0.05));
  g.mark_output(bound ? int8_matmul(g, "y", quantise_rows(g, "x", x, {}, bound), w, {})
                      : f32_matmul(g, "y", x, w, {}, MatmulPrecision::Int8));
  const auto matmuls = std::count_if(g.nodes().begin(), g.nodes().end(), [&](const Node& n) {
    return n.op == GraphOp::MatMul && g.tensor(n.inputs[1]).dtype == isa::DType::i8;
  });
  EXPECT_EQ(matmuls, 1);
  const std::vector<uint32_t> y = run_exact(g, "tsp1", "y");
  double worst = 0, worst_ideal = 0;
  for (uint32_t m = 0; m < M; ++m) {
    double mr = 0;
    for (uint32_t k = 0; k < K; ++k) mr = std::max(mr, std::fabs(double(f(xv[m * K + k]))));
    const double xstep = bound ? *bound / 127 : mr / 127;
    for (uint32_t n = 0; n < N; ++n) {
      double sj = 0;
      for (uint32_t k = 0; k < K; ++k) sj = std::max(sj, std::fabs(double(f(g.tensor(w).data[k * N + n]))));
      sj /= 127;
      double exact = 0, bound_err = 0;
      for (uint32_t k = 0; k < K; ++k) {
        const double a = f(xv[m * K + k]), b = f(g.tensor(w).data[k * N + n]);
        exact += a * b;
        bound_err += std::fabs(a) * sj / 2 + std::fabs(b) * xstep / 2 + xstep * sj / 4;
      }
      const double err = std::fabs(double(f(y[m * N + n])) - exact);
      EXPECT_LE(err, bound_err * (1 + 1e-5)) << "y[" << m << "," << n << "]";
      worst = std::max(worst, err / bound_err);
      // The quantised product in double: only an f32 rescale's ulps and, where the chip's
      // 1 / m (from rsqrt) moves a tie, one step of one x element away (none here: a hundredth of a step).
      double ideal = 0;
      for (uint32_t k = 0; k < K; ++k) {
        const double a = f(xv[m * K + k]), b = f(g.tensor(w).data[k * N + n]);
        ideal += std::nearbyint(a / xstep) * std::nearbyint(b / sj);
      }
      ideal *= xstep * sj;
      const double off = std::fabs(double(f(y[m * N + n])) - ideal);
      EXPECT_LE(off, 1e-5 * std::fabs(ideal) + 0.01 * xstep * sj * 127) << "y[" << m << "," << n << "] against " << ideal;
      worst_ideal = std::max(worst_ideal, off / (xstep * sj * 127));
    }
  }
  fmt::print(
      "int8 matmul {}x{}x{} ({}) on tsp1: max |err| / bound = {:.3g}; from the quantised product in double, at most "
      "{:.3g} of one x step times max |w|\n",
      M, K, N, bound ? "x's bound given" : "rows' max on the chip", worst, worst_ideal);
}

TEST(ComposeRun, F32MatMulInInt8IsOneIntegerPassWithinQuantisationSteps) {
  check_int8_matmul(std::nullopt);
  check_int8_matmul(1.0);
}

TEST(ComposeRun, ComputedIntWeightsHaveZeroPaddingRows) {
  // x's padding lanes hold 1 (exp(0)), so any non-zero weight padding row would show.
  Graph g;
  const TensorId e =
      g.add(GraphOp::Exp, "e", {g.add_input("xf", isa::DType::f16, {2, 40}, random_data(isa::DType::f16, 80, 3))});
  const TensorId x = g.add(GraphOp::Cast, "x", {e}, {}, isa::DType::i8);
  const TensorId w = g.add(GraphOp::Add, "w",
                           {g.add_input("v", isa::DType::i8, {40, 8}, random_data(isa::DType::i8, 320, 4)),
                            g.add_input("u", isa::DType::i8, {40, 8}, random_data(isa::DType::i8, 320, 5))});
  g.mark_output(g.add(GraphOp::MatMul, "y", {x, w}));
  run_exact(g, "mini", "y");
  const Compiled c = compile(g, *isa::find_config("mini"));
  bool zeroed = false;  // the image zeroes w's rows 40..63 (two blocks of 32)
  for (const auto& s : c.image.chips[0].sram)
    for (const auto& sym : c.image.symbols)
      if (sym.name == "w" && s.slice == sym.slice && s.address == sym.address + 40)
        zeroed = s.bytes == std::vector<uint8_t>(24 * 32, 0);
  EXPECT_TRUE(zeroed);
}

TEST(ComposeRun, SqrtFromRsqrtSpecialValuesAndAccuracy) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> in = {0.0f,  -0.0f,         1e-40f, 1.17549435e-38f, 1.0f, 2.0f,
                           1e30f, 3.4028235e38f, inf,    -1.0f,           -inf, nan};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lg(-37.0, 38.0);
  while (in.size() < 200) in.push_back(float(std::pow(10.0, lg(rng))));
  std::vector<uint32_t> bits;
  for (float v : in) bits.push_back(std::bit_cast<uint32_t>(v));
  Graph g;
  const TensorId x = g.add_input("x", isa::DType::f32, {uint32_t(in.size())}, bits);
  g.mark_output(float_sqrt(g, "y", x, {}));
  const std::vector<uint32_t> y = run_exact(g, "tsp1", "y");
  EXPECT_EQ(y[0], 0u);      // sqrt(+0) = +0
  EXPECT_EQ(y[1], 0u);      // sqrt(-0) = +0 (IEEE: -0; equal as numbers)
  EXPECT_EQ(y[2], 0u);      // a subnormal reads as 0
  EXPECT_EQ(f(y[8]), inf);  // sqrt(inf) = inf
  EXPECT_TRUE(std::isnan(f(y[9])));
  EXPECT_TRUE(std::isnan(f(y[10])));
  EXPECT_TRUE(std::isnan(f(y[11])));
  double worst = 0;
  for (size_t i = 3; i < in.size(); ++i) {
    if (i >= 8 && i <= 11) continue;
    const double exact = std::sqrt(double(in[i]));
    worst = std::max(worst, std::fabs(double(f(y[i])) - exact) / exact);
  }
  fmt::print("sqrt: max relative error {:.3g} over {} positive normals\n", worst, in.size() - 8);
  EXPECT_LT(worst, 3e-7);  // rsqrt <= 1.22 ulp, then one rounding of the product: measured 9.9e-8
}

// Sigmoid, SiLU and GELU (both forms) of f32, f16 and bf16 on mini and tsp1:
// exact cycles and bits (their accuracy against double: tests/unit/activation_test.cpp).
TEST(ComposeRun, ActivationsRunExactOnMiniAndTsp1) {
  for (const char* cfg : {"mini", "tsp1"})
    for (const char* t : {"f32", "f16", "bf16"}) {
      const std::string text = fmt::format(
          "input x : {}[3, 40] random 5\na = sigmoid x\nb = silu x\nc = gelu x\nd = gelu x approximate tanh\n"
          "output a b c d\n",
          t);
      const Graph g = parse_program(text, "act.txt").graph;
      const Compiled c = compile(g, *isa::find_config(cfg));
      run_exact(g, cfg, "a");  // compares every output
      fmt::print("activations {} on {}: {} cycles, {} chip ops, compiled in {:.1f} ms\n", t, cfg, c.predicted_cycles,
                 c.graph.nodes().size(), 1e3 * c.seconds);
    }
}

}  // namespace
}  // namespace tsp::compiler
