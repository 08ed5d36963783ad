#include "firmware/compiler/activation.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <functional>
#include <numbers>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"

namespace tsp::compiler {
namespace {

using isa::DType;

// exp(88) = 1.65e38 is finite and 1/exp(88) = 6e-39 flushes to +0 (FTZ):
// clamping x below at -88 makes sigmoid's tail exactly 0 without an inf.
constexpr double kSigmoidFloor = -88.0;
// Phi(20) rounds to 1 and Phi(-20) = 2.8e-89 to 0 in f32: the erf form's argument range.
constexpr double kPhiRange = 20.0;
// Numerical Recipes' erfcc (2nd ed., 6.2): erfc(z) = t exp(-z^2 + P(t)), t = 1/(1 + z/2),
// P(t) = sum c_i t^i, relative error < 1.2e-7 for z >= 0.
constexpr std::array<double, 10> kErfc = {-1.26551223, 1.00002368,  0.37409196, 0.09678418,  -0.18628806,
                                          0.27886807,  -1.13520398, 1.48851587, -0.82215223, 0.17087277};

// erf's Maclaurin coefficients of a^(2k+1): 2/sqrt(pi) (-1)^k / (k! (2k+1)), k = 0..6 (the next term is under
// 2e-9 relative at a = 0.5).
constexpr std::array<double, 7> kErfSeries = {1.1283791670955126,    -0.37612638903183754,  0.11283791670955126,
                                              -0.026866170645131252, 0.0052239776254421877, -0.00085483270234508528,
                                              0.00012055332981789664};

uint32_t bits(DType t, double v) {
  if (t == DType::f16) return num::from_double<num::kF16>(v);
  if (t == DType::bf16) return num::from_double<num::kBF16>(v);
  return num::from_double<num::kF32>(v);
}

// Names every step `<y>.<what>` and every constant a [1] scalar (a broadcast of any shape).
class Steps {
 public:
  Steps(Graph& g, std::string y, DType t, Where w) : g_(g), y_(std::move(y)), t_(t), w_(std::move(w)) {}
  TensorId k(double v, const char* what = "k") {
    return g_.add_const(fmt::format("{}.{}{}", y_, what, ++consts_), t_, {1}, {bits(t_, v)}, w_);
  }
  TensorId op(GraphOp o, const std::string& what, std::vector<TensorId> in) {
    return g_.add(o, what.empty() ? y_ : y_ + "." + what, std::move(in), w_);
  }
  const std::string& y() const { return y_; }
  Graph& g() { return g_; }
  const Where& where() const { return w_; }

 private:
  Graph& g_;
  std::string y_;
  DType t_;
  Where w_;
  int consts_ = 0;
};

// Runs `body` on x in f32 (f16/bf16 widened exactly, the result rounded once).
TensorId in_f32(Graph& g, const std::string& y, TensorId x, const Where& w, const char* what,
                const std::function<TensorId(Steps&, TensorId)>& body) {
  const DType t = g.tensor(x).dtype;
  if (!isa::dtype_desc(t).is_float)
    throw Error(fmt::format("{}: error: node '{}' ({}): not supported on {} (f16, bf16 or f32)", w.str(), y, what,
                            isa::dtype_desc(t).name));
  if (t == DType::f32) {
    Steps s(g, y, t, w);
    return body(s, x);
  }
  const TensorId xf = g.add(GraphOp::Cast, y + ".x32", {x}, w, DType::f32);
  Steps s(g, y + ".f32", DType::f32, w);
  return g.add(GraphOp::Cast, y, {body(s, xf)}, w, t);
}

// recip(1 + exp(-xc)) for xc >= -88, named s.y() + suffix.
TensorId sigmoid_of(Steps& s, TensorId xc, const std::string& name) {
  const TensorId e = s.op(GraphOp::Exp, name + "e", {s.op(GraphOp::Mul, name + "neg", {xc, s.k(-1.0)})});
  const TensorId d = s.op(GraphOp::Add, name + "d", {e, s.k(1.0)});
  return float_recip(s.g(), name.empty() ? s.y() : s.y() + "." + name + "sig", d, s.where());
}

}  // namespace

TensorId float_recip(Graph& g, const std::string& y, TensorId s, const Where& where) {
  Steps st(g, y, g.tensor(s).dtype, where);
  const TensorId q = st.op(GraphOp::Rsqrt, "rs", {s});
  const TensorId r = st.op(GraphOp::Mul, "r0", {q, q});
  // The residual form r + r (1 - s r): 1 - s r is exact (Sterbenz), so the step
  // rounds once near r; r (2 - s r) would round 2 - s r to 1 + 2^-23 and miss 1/2^k.
  const TensorId e = st.op(GraphOp::Sub, "r1", {st.k(1.0, "one"), st.op(GraphOp::Mul, "sr", {s, r})});
  return st.op(GraphOp::Add, "", {r, st.op(GraphOp::Mul, "re", {r, e})});
}

TensorId float_recip_signed(Graph& g, const std::string& y, TensorId s, const Where& where) {
  Steps st(g, y, g.tensor(s).dtype, where);
  const TensorId q = st.op(GraphOp::Rsqrt, "rs", {st.op(GraphOp::Abs, "abs", {s})});
  const TensorId r = st.op(GraphOp::Mul, "r0", {q, q});
  // s r0 r0 = sign(s) / |s| = 1 / s (s r0 first: about +-1, so neither product overflows).
  const TensorId rs = st.op(GraphOp::Mul, "r0s", {st.op(GraphOp::Mul, "sr0", {s, r}), r});
  const TensorId e = st.op(GraphOp::Sub, "r1", {st.k(1.0, "one"), st.op(GraphOp::Mul, "sr", {s, rs})});
  return st.op(GraphOp::Add, "", {rs, st.op(GraphOp::Mul, "re", {rs, e})});
}

TensorId float_sigmoid(Graph& g, const std::string& y, TensorId x, const Where& where) {
  return in_f32(g, y, x, where, "sigmoid", [](Steps& s, TensorId v) {
    return sigmoid_of(s, s.op(GraphOp::Max, "xc", {v, s.k(kSigmoidFloor)}), "");
  });
}

TensorId float_silu(Graph& g, const std::string& y, TensorId x, const Where& where) {
  return in_f32(g, y, x, where, "silu", [](Steps& s, TensorId v) {
    const TensorId xc = s.op(GraphOp::Max, "xc", {v, s.k(kSigmoidFloor)});
    return s.op(GraphOp::Mul, "", {xc, sigmoid_of(s, xc, "s")});
  });
}

TensorId float_gelu(Graph& g, const std::string& y, TensorId x, bool tanh, const Where& where) {
  if (tanh)
    return in_f32(g, y, x, where, "gelu", [](Steps& s, TensorId v) {
      // 0.5 x (1 + tanh(v)) = x sigmoid(2v), v = c (x + 0.044715 x^3), c = sqrt(2/pi): the same function
      // without the cancellation of 1 + tanh(v) for x < 0 (relative accuracy in the tail). xc = max(x, -88)
      // keeps -inf out of the product; -2v is clamped at 88 (exp finite, its reciprocal flushes to 0).
      const double c = std::sqrt(2.0 / std::numbers::pi);
      const TensorId xc = s.op(GraphOp::Max, "xc", {v, s.k(kSigmoidFloor)});
      const TensorId x2 = s.op(GraphOp::Mul, "x2", {xc, xc});
      const TensorId p = s.op(GraphOp::Add, "p", {s.op(GraphOp::Mul, "p0", {x2, s.k(-2 * c * 0.044715)}), s.k(-2 * c)});
      const TensorId nv = s.op(GraphOp::Min, "nvc", {s.op(GraphOp::Mul, "nv", {xc, p}), s.k(-kSigmoidFloor)});
      const TensorId d = s.op(GraphOp::Add, "d", {s.op(GraphOp::Exp, "e", {nv}), s.k(1.0)});
      return s.op(GraphOp::Mul, "", {xc, float_recip(s.g(), s.y() + ".sig", d, s.where())});
    });
  return in_f32(g, y, x, where, "gelu", [](Steps& s, TensorId v) {
    // xl = max(x, -20) (gelu there is 0: xl x Phi = -0, also for -inf); xk = min(xl, 20).
    const TensorId xl = s.op(GraphOp::Max, "xl", {v, s.k(-kPhiRange)});
    const TensorId xk = s.op(GraphOp::Min, "xk", {xl, s.k(kPhiRange)});
    const TensorId ax = s.op(GraphOp::Max, "ax", {xk, s.op(GraphOp::Mul, "nx", {xk, s.k(-1.0)})});
    // z = |x| / sqrt 2; t = 1 / (1 + z / 2).
    const TensorId d =
        s.op(GraphOp::Add, "d", {s.op(GraphOp::Mul, "hz", {ax, s.k(0.5 / std::numbers::sqrt2)}), s.k(1.0)});
    const TensorId t = float_recip(s.g(), s.y() + ".t", d, s.where());
    // P(t) by Horner; c0 takes -ln 2 so that exp gives q = erfc / 2 directly.
    TensorId p = s.op(GraphOp::Mul, "p9", {t, s.k(kErfc[9])});
    for (int i = 8; i >= 0; --i) {
      const double c = i ? kErfc[size_t(i)] : kErfc[0] - std::numbers::ln2;
      p = s.op(GraphOp::Add, fmt::format("p{}", i), {p, s.k(c)});
      if (i) p = s.op(GraphOp::Mul, fmt::format("pt{}", i), {p, t});
    }
    const TensorId nz2 = s.op(GraphOp::Mul, "nz2", {s.op(GraphOp::Mul, "a2", {ax, ax}), s.k(-0.5)});
    const TensorId q = s.op(GraphOp::Mul, "q", {t, s.op(GraphOp::Exp, "e", {s.op(GraphOp::Add, "arg", {p, nz2})})});
    // h = 1 for x > 0, else 0 (the smallest normal times 2^127 is 2); Phi = |h - q|: 1 - q or q.
    // Arithmetic, not SEL: three f32 operands do not fit a hemisphere of mini.
    const TensorId h =
        s.op(GraphOp::Min, "h", {s.op(GraphOp::Mul, "hb", {s.op(GraphOp::Relu, "hr", {xk}), s.k(0x1p127)}), s.k(1.0)});
    const TensorId dq = s.op(GraphOp::Sub, "dq", {h, q});
    const TensorId phi = s.op(GraphOp::Max, "phi", {dq, s.op(GraphOp::Mul, "ndq", {dq, s.k(-1.0)})});
    return s.op(GraphOp::Mul, "", {xl, phi});
  });
}

TensorId float_erf(Graph& g, const std::string& y, TensorId x, const Where& where) {
  return in_f32(g, y, x, where, "erf", [](Steps& s, TensorId v) {
    // a = min(|x|, 10): erf(10) rounds to 1.
    const TensorId a = s.op(GraphOp::Min, "a", {s.op(GraphOp::Abs, "ax", {v}), s.k(10.0)});
    // |x| >= 0.5: 1 - erfc(a), erfc(a) = t exp(-a^2 + P(t)), t = 1 / (1 + a/2) (GELU's erfcc).
    const TensorId t = float_recip(
        s.g(), s.y() + ".t", s.op(GraphOp::Add, "d", {s.op(GraphOp::Mul, "ha", {a, s.k(0.5)}), s.k(1.0)}), s.where());
    TensorId p = s.op(GraphOp::Mul, "p9", {t, s.k(kErfc[9])});
    for (int i = 8; i >= 0; --i) {
      p = s.op(GraphOp::Add, fmt::format("p{}", i), {p, s.k(kErfc[size_t(i)])});
      if (i) p = s.op(GraphOp::Mul, fmt::format("pt{}", i), {p, t});
    }
    const TensorId a2 = s.op(GraphOp::Mul, "a2", {a, a});
    const TensorId erfc =
        s.op(GraphOp::Mul, "erfc", {t, s.op(GraphOp::Exp, "e", {s.op(GraphOp::Sub, "arg", {p, a2})})});
    const TensorId big = s.op(GraphOp::Sub, "big", {s.k(1.0), erfc});
    // |x| < 0.5: the Maclaurin series to a^13 (1 - erfc would cancel): 2/sqrt(pi) sum (-1)^k a^(2k+1) / (k! (2k+1)).
    TensorId q = s.k(kErfSeries.back());
    for (size_t k = kErfSeries.size() - 1; k-- > 0;)
      q = s.op(GraphOp::Add, fmt::format("q{}", k),
               {s.op(GraphOp::Mul, fmt::format("qa{}", k), {q, a2}), s.k(kErfSeries[k])});
    const TensorId small = s.op(GraphOp::Mul, "small", {q, a});
    const TensorId e = s.op(GraphOp::Sel, "mag", {s.op(GraphOp::CmpLt, "near0", {a, s.k(0.5)}), small, big});
    return s.op(GraphOp::Sel, "", {s.op(GraphOp::CmpLt, "neg", {v, s.k(0.0)}), s.op(GraphOp::Neg, "ne", {e}), e});
  });
}

}  // namespace tsp::compiler
