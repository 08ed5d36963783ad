// GF(2^10): the table arithmetic against shift-and-add products.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "common/fec/gf.hpp"
#include "fec_reference.hpp"

using namespace tsp::fec;

TEST(FecGf, EveryProductMatchesShiftAndAdd) {
  for (unsigned a = 0; a < kFieldSize; ++a)
    for (unsigned b = 0; b < kFieldSize; ++b)
      ASSERT_EQ(gf::mul(Symbol(a), Symbol(b)), fec_ref::mul(Symbol(a), Symbol(b))) << a << " * " << b;
}

TEST(FecGf, AlphaIsXAndGeneratesTheField) {
  EXPECT_EQ(gf::exp(1), 2);
  EXPECT_EQ(gf::exp(10), tsp::isa::kFecPoly ^ (1u << 10));  // x^10 = x^3 + 1
  EXPECT_EQ(gf::exp(kOrder), 1);
  for (unsigned i = 0; i < kOrder; ++i) ASSERT_EQ(gf::log(gf::exp(i)), i);
}

TEST(FecGf, InverseDivisionAndPower) {
  for (unsigned a = 1; a < kFieldSize; ++a) {
    ASSERT_EQ(gf::mul(Symbol(a), gf::inv(Symbol(a))), 1) << a;
    ASSERT_EQ(gf::div(gf::mul(Symbol(a), 0x155), 0x155), a);
    ASSERT_EQ(gf::pow(Symbol(a), 3), fec_ref::mul(Symbol(a), fec_ref::mul(Symbol(a), Symbol(a))));
    ASSERT_EQ(gf::pow(Symbol(a), -1), gf::inv(Symbol(a)));
    ASSERT_EQ(gf::pow(Symbol(a), int(kOrder)), 1);
  }
  EXPECT_EQ(gf::div(0, 7), 0);
  EXPECT_EQ(gf::pow(0, 0), 1);
  EXPECT_EQ(gf::pow(0, 5), 0);
  EXPECT_THROW(gf::inv(0), tsp::Error);
  EXPECT_THROW(gf::div(3, 0), tsp::Error);
  EXPECT_THROW(gf::pow(0, -1), tsp::Error);
}
