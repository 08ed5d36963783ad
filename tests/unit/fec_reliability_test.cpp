// The frame loss model: P(more than t of n symbols wrong) at a bit error rate.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.hpp"
#include "common/fec/reliability.hpp"
#include "tsp/isa_gen.hpp"

using namespace tsp::fec;

namespace {

// 1 - P(at most t wrong), by a plain sum: good where the answer is well above 1e-12.
double naive_tail(double ber, unsigned n) {
  const double ps = 1 - std::pow(1 - ber, 10);
  double head = 0, choose = 1;  // choose = C(n, k)
  for (unsigned k = 0; k <= tsp::isa::kFecT; ++k) {
    head += choose * std::pow(ps, k) * std::pow(1 - ps, n - k);
    choose = choose * (n - k) / (k + 1);
  }
  return 1 - head;
}

}  // namespace

TEST(FecReliability, MatchesAPlainSumWhereThatIsAccurate) {
  for (double ber : {1e-3, 3e-3, 1e-2, 3e-2})
    for (unsigned n : {56u, 286u}) {
      const double want = naive_tail(ber, n);
      if (want < 1e-9) continue;
      EXPECT_NEAR(uncorrectable_frame_probability(ber, n) / want, 1.0, 1e-6) << ber << " " << n;
    }
}

TEST(FecReliability, TinyRatesFollowTheFirstTerm) {
  // At ber = 1e-6, P ~ C(286,16) ps^16 with ps ~ 1e-5: C(286,16) ~ 6.3e25, so about 6e-55.
  const double p = uncorrectable_frame_probability(1e-6, 286);
  const double ps = -std::expm1(10 * std::log1p(-1e-6));
  const double first =
      std::exp(std::lgamma(287.0) - std::lgamma(17.0) - std::lgamma(271.0) + 16 * std::log(ps) + 270 * std::log1p(-ps));
  EXPECT_NEAR(p / first, 1.0, 1e-3);
  EXPECT_GT(p, 1e-55);
  EXPECT_LT(p, 1e-54);
}

TEST(FecReliability, EdgesAndMonotone) {
  EXPECT_EQ(uncorrectable_frame_probability(0.0, 286), 0.0);
  EXPECT_EQ(uncorrectable_frame_probability(1.0, 286), 1.0);
  EXPECT_EQ(uncorrectable_frame_probability(0.5, 15), 0.0);  // t symbols can always be corrected
  double last = 0;
  for (double ber = 1e-8; ber < 1e-2; ber *= 2) {  // beyond, P rounds to 1
    const double p = uncorrectable_frame_probability(ber, 286);
    EXPECT_GT(p, last);
    last = p;
  }
  EXPECT_THROW(uncorrectable_frame_probability(-0.1, 286), tsp::Error);
  EXPECT_THROW(max_ber_for_frames(10, 1.0, 286), tsp::Error);
}

TEST(FecReliability, MaxBerMeetsTheBudget) {
  for (double frames : {1e3, 1e6, 1e9}) {
    const double ber = max_ber_for_frames(frames, 0.999, 286);
    const double loss = frames * uncorrectable_frame_probability(ber, 286);
    EXPECT_NEAR(loss, -std::log(0.999), 1e-6) << frames;
  }
  EXPECT_GT(max_ber_for_frames(1e3, 0.999, 286), max_ber_for_frames(1e9, 0.999, 286));
}
