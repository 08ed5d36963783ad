// Sigmoid, SiLU and GELU (activation.hpp) through the expansion and the host
// reference (common/numerics: the chip's exact arithmetic) against double
// precision math written here: ONNX's tolerance, the measured worst errors,
// and the edges (exp overflow, +-inf, -0, NaN) exactly.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/reference.hpp"

namespace tsp::compiler {
namespace {

using isa::DType;
constexpr double kInf = std::numeric_limits<double>::infinity();

enum class Act { Sigmoid, Silu, Gelu, GeluTanh };

double exact(Act a, double x) {
  const double sig = 1.0 / (1.0 + std::exp(-x));
  switch (a) {
    case Act::Sigmoid:
      return sig;
    case Act::Silu:
      return x * sig;
    case Act::Gelu:  // erfc keeps the negative tail's relative accuracy
      return 0.5 * x * std::erfc(-x / std::numbers::sqrt2);
    case Act::GeluTanh: {
      const double c = std::sqrt(2.0 / std::numbers::pi);
      // 0.5 x (1 + tanh(v)) = x / (1 + exp(-2v)): the same in exact math, without double's own cancellation
      return x / (1.0 + std::exp(-2.0 * c * (x + 0.044715 * x * x * x)));
    }
  }
  return 0;
}

uint32_t bits_of(DType t, double v) {
  if (t == DType::f16) return num::from_double<num::kF16>(v);
  if (t == DType::bf16) return num::from_double<num::kBF16>(v);
  return num::from_double<num::kF32>(v);
}
double value_of(DType t, uint32_t b) {
  if (t == DType::f16) return num::to_double<num::kF16>(b);
  if (t == DType::bf16) return num::to_double<num::kBF16>(b);
  return num::to_double<num::kF32>(b);
}

// y = act(x) on the host reference of the expanded graph; x rounded to t first.
struct ActRun {
  std::vector<double> x, y;
  std::vector<uint32_t> ybits;
};
ActRun run(Act a, DType t, const std::vector<double>& xs) {
  Graph g;
  std::vector<uint32_t> b;
  for (double v : xs) b.push_back(bits_of(t, v));
  const TensorId x = g.add_input("x", t, {uint32_t(xs.size())}, b);
  Attrs at;
  at.gelu_tanh = a == Act::GeluTanh;
  const GraphOp op = a == Act::Sigmoid ? GraphOp::Sigmoid : a == Act::Silu ? GraphOp::Silu : GraphOp::Gelu;
  g.mark_output(g.add(op, "y", {x}, {}, std::nullopt, at));
  const Graph e = expand(g, *isa::find_config("mini"));
  const auto v = run_reference(e, 32);
  ActRun r;
  for (uint32_t xb : b) r.x.push_back(value_of(t, xb));
  r.ybits = v[*e.find("y")];
  for (uint32_t yb : r.ybits) r.y.push_back(value_of(t, yb));
  return r;
}

std::vector<double> sweep() {
  std::vector<double> v;
  for (double x = -30; x <= 30; x += 0.0173) v.push_back(x);                 // the body
  for (double x = -1e-3; x <= 1e-3; x += 1.7e-6) v.push_back(x);             // around 0
  for (double x = 30; x <= 100; x += 0.37) v.push_back(x), v.push_back(-x);  // the tails
  for (double m = 1e-30; m < 1e30; m *= 3.7) v.push_back(m), v.push_back(-m);
  return v;
}

struct Errors {
  double onnx = 0;    // worst |got - want| / (atol + rtol |want|)
  double rel = 0;     // worst relative error where want is a normal of the type
  double scaled = 0;  // worst |got - want| / max(1, |x|) (GELU's output scale)
};
Errors errors(const ActRun& r, Act a, double rtol, double atol, double smallest_normal) {
  Errors e;
  for (size_t i = 0; i < r.x.size(); ++i) {
    const double want = exact(a, r.x[i]), d = std::abs(r.y[i] - want);
    if (std::isnan(r.y[i])) return {kInf, kInf, kInf};
    e.onnx = std::max(e.onnx, d / (atol + rtol * std::abs(want)));
    // Relative error where sigmoid / Phi (want / x) is a normal: below, FTZ flushes it (x < -87.3 or -13.1).
    const double factor = a == Act::Sigmoid ? want : want / r.x[i];
    if (std::abs(want) >= smallest_normal && factor >= 2 * smallest_normal && d / std::abs(want) > e.rel) {
      e.rel = d / std::abs(want);
      if (getenv("ACT_DEBUG")) fmt::print("  worst x {} got {} want {}\n", r.x[i], r.y[i], want);
    }
    e.scaled = std::max(e.scaled, d / std::max(1.0, std::abs(r.x[i])));
  }
  return e;
}

TEST(Activation, F32MeetsOnnxToleranceWithMeasuredErrors) {
  const std::vector<double> xs = sweep();
  // Worst relative error bounds (measured values in docs/compiler.md, "Expansions"): a few f32 ulps, but
  // GELU's exp carries the rounding of its large argument (relative ~6e-8 |arg|: 5e-6 at x = -13).
  const struct {
    Act a;
    const char* name;
    double rel, scaled;
  } cases[] = {{Act::Sigmoid, "sigmoid", 5e-7, 2e-7},
               {Act::Silu, "silu", 5e-7, 2e-7},
               {Act::Gelu, "gelu", 2e-5, 2e-7},
               {Act::GeluTanh, "gelu tanh", 2e-5, 2e-7}};
  for (const auto& c : cases) {
    const ActRun r = run(c.a, DType::f32, xs);
    const Errors e = errors(r, c.a, 1e-3, 1e-7, 0x1p-126);
    fmt::print("{} f32: onnx ratio {:.3g}, max relative error {:.3g}, max |err| / max(1, |x|) {:.3g}\n", c.name, e.onnx,
               e.rel, e.scaled);
    EXPECT_LE(e.onnx, 1.0) << c.name;
    EXPECT_LE(e.rel, c.rel) << c.name;
    EXPECT_LE(e.scaled, c.scaled) << c.name;
  }
}

TEST(Activation, HalfTypesRoundOnceFromF32) {
  const std::vector<double> xs = sweep();
  for (Act a : {Act::Sigmoid, Act::Silu, Act::Gelu, Act::GeluTanh}) {
    // f16: half an ulp (4.9e-4) plus the f32 error; outputs under 6.1e-5 flush. bf16: half an ulp is 3.9e-3.
    const Errors h = errors(run(a, DType::f16, xs), a, 1e-3, 6.2e-5, 0x1p-14);
    const Errors b = errors(run(a, DType::bf16, xs), a, 4e-3, 1e-7, 0x1p-126);
    fmt::print("act {}: f16 relative {:.3g}, bf16 relative {:.3g}\n", int(a), h.rel, b.rel);
    EXPECT_LE(h.onnx, 1.0) << int(a);
    EXPECT_LE(b.onnx, 1.0) << int(a);
  }
}

TEST(Activation, EdgesAreExact) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> xs = {-kInf, kInf, nan, -0.0, 0.0, -88.8, 88.8, -1e30, 1e30, 1e-40};
  auto bits = [&](Act a, DType t) { return run(a, t, xs); };
  for (DType t : {DType::f32, DType::f16, DType::bf16}) {
    const uint32_t one = bits_of(t, 1.0), half = bits_of(t, 0.5), inf = bits_of(t, kInf);
    const uint32_t neg0 = t == DType::f32 ? 0x80000000u : 0x8000u;
    const ActRun s = bits(Act::Sigmoid, t);
    EXPECT_EQ(s.ybits[0], 0u);  // exp(inf) clamped: exactly +0, not NaN
    EXPECT_EQ(s.ybits[1], one);
    EXPECT_TRUE(std::isnan(s.y[2]));
    EXPECT_EQ(s.ybits[3], half);
    EXPECT_EQ(s.ybits[4], half);
    EXPECT_EQ(s.ybits[5], 0u);
    EXPECT_EQ(s.ybits[6], one);
    EXPECT_EQ(s.ybits[7], 0u);
    EXPECT_EQ(s.ybits[8], one);
    EXPECT_EQ(s.ybits[9], half);  // a subnormal reads as 0
    for (Act a : {Act::Silu, Act::Gelu, Act::GeluTanh}) {
      const ActRun r = bits(a, t);
      EXPECT_EQ(r.ybits[0], neg0) << int(a);  // f(-inf) = -0, not -inf x 0
      EXPECT_EQ(r.ybits[1], inf) << int(a);
      EXPECT_TRUE(std::isnan(r.y[2])) << int(a);
      EXPECT_EQ(r.ybits[3], neg0) << int(a);
      EXPECT_EQ(r.ybits[4], 0u) << int(a);
      EXPECT_EQ(r.ybits[7], neg0) << int(a);
      EXPECT_EQ(r.y[8], t == DType::f16 ? kInf : value_of(t, bits_of(t, 1e30))) << int(a);
    }
  }
}

// The checks catch planted errors: one element off by twice the tolerance,
// and GELU's tanh form where the exact (erf) form is asked for.
TEST(Activation, PlantedErrorsAreCaught) {
  const std::vector<double> xs = sweep();
  ActRun r = run(Act::Gelu, DType::f32, xs);
  ASSERT_LE(errors(r, Act::Gelu, 1e-3, 1e-7, 0x1p-126).onnx, 1.0);
  const size_t i = r.x.size() / 3;
  r.y[i] += 2 * (1e-7 + 1e-3 * std::abs(exact(Act::Gelu, r.x[i])));
  EXPECT_GT(errors(r, Act::Gelu, 1e-3, 1e-7, 0x1p-126).onnx, 1.0);
  const ActRun t = run(Act::GeluTanh, DType::f32, xs);
  EXPECT_GT(errors(t, Act::Gelu, 1e-3, 1e-7, 0x1p-126).onnx, 1.0);
}

TEST(Activation, TextFormatAndErrors) {
  const Program p = parse_program(
      "input x : f16[2, 5] random 1\na = sigmoid x\nb = silu x\nc = gelu x\nd = gelu x approximate tanh\n"
      "e = gelu x approximate none\noutput a b c d e\n",
      "t.txt");
  EXPECT_FALSE(p.graph.nodes()[2].attrs.gelu_tanh);
  EXPECT_TRUE(p.graph.nodes()[3].attrs.gelu_tanh);
  EXPECT_FALSE(p.graph.nodes()[4].attrs.gelu_tanh);
  auto error_of = [](const std::string& text) {
    try {
      parse_program(text, "t.txt");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of("input x : i8[4] random 1\ny = sigmoid x\n").find("t.txt:2: error: node 'y' (sigmoid)"),
            std::string::npos);
  EXPECT_NE(error_of("input x : f32[4] random 1\ny = gelu x approximate erf\n").find("approximate 'erf'"),
            std::string::npos);
  EXPECT_NE(error_of("input x : f32[4] random 1\ny = silu x approximate tanh\n").find("only gelu"), std::string::npos);
}

}  // namespace
}  // namespace tsp::compiler
