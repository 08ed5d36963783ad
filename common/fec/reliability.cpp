#include "common/fec/reliability.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "tsp/isa_gen.hpp"

namespace tsp::fec {

double uncorrectable_frame_probability(double ber, unsigned frame_symbols) {
  if (!(ber >= 0.0 && ber <= 1.0)) throw Error(fmt::format("fec: bit error rate {} is not a probability", ber));
  const unsigned n = frame_symbols, t = isa::kFecT;
  if (n <= t || ber == 0.0) return 0.0;
  if (ber == 1.0) return 1.0;
  // log(1 - ps) = 10 log(1 - ber); ps itself through expm1 so a tiny ber keeps its digits.
  const double log_q = isa::kFecSymbolBits * std::log1p(-ber);
  const double log_p = std::log(-std::expm1(log_q));
  const double log_n_fact = std::lgamma(n + 1.0);
  auto log_term = [&](unsigned k) {
    return log_n_fact - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * log_p + (n - k) * log_q;
  };
  // log-sum-exp over k = t+1 .. n, scaled by the largest term.
  double top = -INFINITY;
  for (unsigned k = t + 1; k <= n; ++k) top = std::max(top, log_term(k));
  double sum = 0.0;
  for (unsigned k = t + 1; k <= n; ++k) sum += std::exp(log_term(k) - top);
  return std::min(1.0, std::exp(top + std::log(sum)));
}

double max_ber_for_frames(double frames, double survival, unsigned frame_symbols) {
  if (!(frames > 0.0) || !(survival > 0.0 && survival < 1.0))
    throw Error(fmt::format("fec: {} frames surviving with probability {}: need frames > 0 and 0 < survival < 1",
                            frames, survival));
  // All frames survive iff frames * log(1 - P(ber)) >= log(survival); P grows with ber.
  const double budget = std::log(survival) / frames;
  auto survives = [&](double log10_ber) {
    return std::log1p(-uncorrectable_frame_probability(std::pow(10.0, log10_ber), frame_symbols)) >= budget;
  };
  double lo = -20.0, hi = -0.5;  // log10(ber)
  if (!survives(lo)) return 0.0;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (survives(mid) ? lo : hi) = mid;
  }
  return std::pow(10.0, lo);
}

}  // namespace tsp::fec
