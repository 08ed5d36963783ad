// MXM on `mini` (one 32x32 plane per hemisphere; west plane at position 1:
// MXM.W.0 weights, MXM.W.1 activations, MXM.W.2 results). Results are checked
// against a host matmul written here from docs/numerics.md §7: int8 products
// summed in int32; f16 products (exact in f32) summed in f32 in increasing k.
// Positions: MEM.W.i = 6-i, so a westward READ at t reaches position 1 at
// t + 2 (latency) + (5 - i); an eastward value put at 1 at T reaches MEM.W.i at T + 5 - i.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "tests/model/engine_helpers.hpp"

using tsp::isa::DType;
using tsp::isa::Op;
using tsp::model::ChipEngine;
using namespace tsp::test;

namespace {

constexpr unsigned N = 32;  // mini's mxm_dim = lanes
using Matrix = std::vector<std::vector<uint32_t>>;

int64_t i8(DType t, uint32_t v) { return t == DType::u8 ? int64_t(v) : int64_t(int8_t(uint8_t(v))); }

// out[n] = sum_k a[k] * w[k][n], int32 wrapping.
std::vector<uint32_t> host_int(const std::vector<uint32_t>& a, DType at, const Matrix& w, DType wt) {
  std::vector<uint32_t> out(N, 0);
  for (unsigned n = 0; n < N; ++n)
    for (unsigned k = 0; k < N; ++k) out[n] += uint32_t(i8(at, a[k]) * i8(wt, w[k][n]));
  return out;
}

float f16_value(uint32_t h) {  // normal numbers only (the tests draw nothing else)
  const float mag = std::ldexp(1.0f + float(h & 0x3FF) / 1024.0f, int((h >> 10) & 0x1F) - 15);
  return (h & 0x8000) ? -mag : mag;
}
uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// acc = +0; acc += a[k] * w[k][n] for k = 0..N-1 (or reversed), in f32 (RNE, no
// subnormals arise with these magnitudes; f16 x f16 products are exact in f32).
std::vector<float> host_f16(const std::vector<uint32_t>& a, const Matrix& w, bool reversed = false) {
  std::vector<float> out(N, 0.0f);
  for (unsigned n = 0; n < N; ++n)
    for (unsigned i = 0; i < N; ++i) {
      const unsigned k = reversed ? N - 1 - i : i;
      out[n] = out[n] + f16_value(a[k]) * f16_value(w[k][n]);
    }
  return out;
}

std::vector<uint32_t> random_i8(std::mt19937& rng) {
  std::vector<uint32_t> v(N);
  for (auto& x : v) x = rng() & 0xFF;
  return v;
}
// f16 normals in [2^-4, 2^4) with random sign and fraction.
std::vector<uint32_t> random_f16(std::mt19937& rng) {
  std::vector<uint32_t> v(N);
  for (auto& x : v) x = (rng() & 1) << 15 | (11 + rng() % 8) << 10 | (rng() & 0x3FF);
  return v;
}

// Int8 weights w (row k at MEM.W.3 address k) loaded and installed on the west
// plane. MEM.W.3 (position 3) READs address k at cycle k onto S0.W (REPEAT 31,1,1):
// at position 1 at k + 4. LW row k at 4 + k (REPEAT 31,1,1 striding the row),
// the queue is free at 36: IW at 36, installed at 36 + 20 = 56.
Timed int_weights(const Matrix& w, DType wt = DType::i8) {
  Timed p;
  for (unsigned k = 0; k < N; ++k) put_tensor(p.b, 'W', 3, k, 1, w[k]);
  p.at("MEM.W.3", 0, Op::READ, {0, west(0)}).at("MEM.W.3", 1, Op::REPEAT, {31, 1, 1}, 31);
  p.at("MXM.W.0", 4, Op::LW, {west(0), 1, 0, int64_t(wt)}).at("MXM.W.0", 5, Op::REPEAT, {31, 1, 1}, 31);
  p.at("MXM.W.0", 36, Op::IW, {});
  return p;
}

Matrix random_matrix(std::mt19937& rng, bool f16) {
  Matrix w(N);
  for (auto& row : w) row = f16 ? random_f16(rng) : random_i8(rng);
  return w;
}

// An activation vector at MEM.W.2 (position 4) `address`, read at t - 5 onto
// S1.W so that it is at position 1 at t.
void activation_at(Timed& p, uint64_t t, uint32_t address) { p.at("MEM.W.2", t - 5, Op::READ, {address, west(1)}); }

// ACC of `slot` as a 4-byte type at t onto S<base>..+3.E: at position 1 at t + 24,
// byte i written by MEM.W.i at t + 24 + 5 - i to `address`.
void acc_to_sram(Timed& p, uint64_t t, uint32_t slot, DType type, unsigned base, uint32_t address) {
  p.at("MXM.W.2", t, Op::ACC, {east(base), slot, int64_t(type)});
  for (unsigned i = 0; i < 4; ++i) p.at("MEM.W." + std::to_string(i), t + 29 - i, Op::WRITE, {address, east(base + i)});
}

TEST(EngineMxm, Int8FlowMatchesTheHostMatmul) {
  std::mt19937 rng(1);
  const Matrix w = random_matrix(rng, false);
  const auto a0 = random_i8(rng), a1 = random_i8(rng);
  Timed p = int_weights(w);
  put_tensor(p.b, 'W', 2, 0, 1, a0);
  put_tensor(p.b, 'W', 2, 1, 1, a1);
  // ABC set slot 0 with a0 at 56 (the IW latency has passed), add a1 at 57.
  activation_at(p, 56, 0);
  activation_at(p, 57, 1);
  p.at("MXM.W.1", 56, Op::ABC, {west(1), 0, 0, int64_t(DType::i8)});
  p.at("MXM.W.1", 57, Op::ABC, {west(1), 0, 1, int64_t(DType::i8)});
  acc_to_sram(p, 58, 0, DType::i32, 0, 100);  // writes at 87 - i
  acc_to_sram(p, 59, 0, DType::f32, 4, 101);  // writes at 88 - i
  ChipEngine e(p.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  auto want = host_int(a0, DType::i8, w, DType::i8);
  const auto d1 = host_int(a1, DType::i8, w, DType::i8);
  for (unsigned n = 0; n < N; ++n) want[n] += d1[n];
  EXPECT_EQ(get_tensor(e, p.b, 'W', 0, 100, 4), want);
  // As f32: the int32 sums (|x| < 2^21) convert exactly.
  std::vector<uint32_t> want_f(N);
  for (unsigned n = 0; n < N; ++n) want_f[n] = bits(float(int32_t(want[n])));
  EXPECT_EQ(get_tensor(e, p.b, 'W', 0, 101, 4), want_f);
  // Program length: last result ACC at 59 + 24 + 1 = 84 < MEM.W.0's last WRITE
  // at 88, slot ends 89; plus 1 stagger cycle.
  EXPECT_EQ(e.end_cycle(), 90u);
  EXPECT_EQ(e.stats().macs, 2u * N * N);
}

TEST(EngineMxm, U8ActivationsWithI8Weights) {
  std::mt19937 rng(2);
  const Matrix w = random_matrix(rng, false);
  const auto a = random_i8(rng);
  Timed p = int_weights(w);
  put_tensor(p.b, 'W', 2, 0, 1, a);
  activation_at(p, 56, 0);
  p.at("MXM.W.1", 56, Op::ABC, {west(1), 3, 0, int64_t(DType::u8)});
  acc_to_sram(p, 57, 3, DType::i32, 0, 100);
  ChipEngine e(p.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  EXPECT_EQ(get_tensor(e, p.b, 'W', 0, 100, 4), host_int(a, DType::u8, w, DType::i8));
}

TEST(EngineMxm, F16FlowAccumulatesInIncreasingK) {
  // Weights f16: byte 0 on MEM.W.2 (position 4), byte 1 on MEM.W.3 (position 3)
  // (slices 2, 3). Row k: W.2 READs k at k, W.3 at k + 1: both at position 1 at
  // k + 5 on S0.W, S1.W. LW (2 streams, one f16 row) at 5 + k, queue free at 37:
  // IW at 37, installed at 57. Activations on W.0/W.1 (positions 6, 5): W.0 READs
  // at t - 7, W.1 at t - 6, onto S2.W, S3.W.
  std::mt19937 rng(3);
  const Matrix w = random_matrix(rng, true);
  const auto a0 = random_f16(rng), a1 = random_f16(rng);
  Timed p;
  for (unsigned k = 0; k < N; ++k) put_tensor(p.b, 'W', 2, k, 2, w[k]);
  put_tensor(p.b, 'W', 0, 0, 2, a0);
  put_tensor(p.b, 'W', 0, 1, 2, a1);
  p.at("MEM.W.2", 0, Op::READ, {0, west(0)}).at("MEM.W.2", 1, Op::REPEAT, {31, 1, 1}, 31);
  p.at("MEM.W.3", 1, Op::READ, {0, west(1)}).at("MEM.W.3", 2, Op::REPEAT, {31, 1, 1}, 31);
  p.at("MXM.W.0", 5, Op::LW, {west(0), 2, 0, int64_t(DType::f16)}).at("MXM.W.0", 6, Op::REPEAT, {31, 1, 1}, 31);
  p.at("MXM.W.0", 37, Op::IW, {});
  // ABC set at 57; the add at 61 = 57 + mxm_float_cycles.
  for (auto [t, addr] : {std::pair<uint64_t, uint32_t>{57, 0}, {61, 1}}) {
    p.at("MEM.W.0", t - 7, Op::READ, {addr, west(2)});
    p.at("MEM.W.1", t - 6, Op::READ, {addr, west(3)});
  }
  p.at("MXM.W.1", 57, Op::ABC, {west(2), 0, 0, int64_t(DType::f16)});
  p.at("MXM.W.1", 61, Op::ABC, {west(2), 0, 1, int64_t(DType::f16)});
  acc_to_sram(p, 62, 0, DType::f32, 0, 200);
  ChipEngine e(p.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  const auto d0 = host_f16(a0, w), d1 = host_f16(a1, w);
  std::vector<uint32_t> want(N);
  for (unsigned n = 0; n < N; ++n) want[n] = bits(d0[n] + d1[n]);  // accmode add: one f32 ADD
  EXPECT_EQ(get_tensor(e, p.b, 'W', 0, 200, 4), want);
  // The data are such that the order is visible: summing k downwards differs somewhere.
  const auto r0 = host_f16(a0, w, true);
  bool differs = false;
  for (unsigned n = 0; n < N; ++n) differs |= bits(r0[n]) != bits(d0[n]);
  EXPECT_TRUE(differs);
}

TEST(EngineMxm, AbcBeforeTheIwLatencyUsesTheOldWeights) {
  // Set A (random) installed at 56. Then row 0 is reloaded with all 7s: MEM.W.3
  // READs address 40 at 52, at position 1 at 56, LW row 0 at 56 (no IW pending
  // any more); IW at 57 installs at 77. Activation e0 (1 in lane 0) gives row 0.
  std::mt19937 rng(4);
  const Matrix w = random_matrix(rng, false);
  Timed p = int_weights(w);
  put_tensor(p.b, 'W', 3, 40, 1, std::vector<uint32_t>(N, 7));
  put_tensor(p.b, 'W', 2, 0, 1, {1});
  p.at("MEM.W.3", 52, Op::READ, {40, west(0)});
  p.at("MXM.W.0", 56, Op::LW, {west(0), 1, 0, int64_t(DType::i8)}).at("MXM.W.0", 57, Op::IW, {});
  activation_at(p, 76, 0);
  activation_at(p, 77, 0);
  p.at("MXM.W.1", 76, Op::ABC, {west(1), 2, 0, int64_t(DType::i8)});  // 76 < 77: set A
  p.at("MXM.W.1", 77, Op::ABC, {west(1), 3, 0, int64_t(DType::i8)});  // 77: the new set
  acc_to_sram(p, 78, 2, DType::i32, 0, 100);
  acc_to_sram(p, 79, 3, DType::i32, 4, 101);
  ChipEngine e(p.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  std::vector<uint32_t> old_row(N);
  for (unsigned n = 0; n < N; ++n) old_row[n] = uint32_t(i8(DType::i8, w[0][n]));
  EXPECT_EQ(get_tensor(e, p.b, 'W', 0, 100, 4), old_row);
  EXPECT_EQ(get_tensor(e, p.b, 'W', 0, 101, 4), std::vector<uint32_t>(N, 7));
}

// --- errors ---------------------------------------------------------------

TEST(EngineMxm, AbcBeforeAnyIwIsAnError) {
  Timed p;
  activation_at(p, 10, 0);
  p.at("MXM.W.1", 10, Op::ABC, {west(1), 0, 0, int64_t(DType::i8)});
  expect_contains(run_error(p.image()),
                  {"chip 0, MXM.W.1 #1 `ABC.i8 S1.W, 0, set`, cycle 10: ABC before any weights were installed"});
  // Loaded but never installed (no IW): still no weights in the array.
  Timed q = int_weights(Matrix(N, std::vector<uint32_t>(N, 1)));
  activation_at(q, 40, 0);
  q.at("MXM.W.1", 40, Op::ABC, {west(1), 0, 0, int64_t(DType::i8)});
  expect_contains(run_error(q.image()), {"MXM.W.1 #1 `ABC.i8 S1.W, 0, set`, cycle 40: ABC before any weights"});
  // One cycle before the first install completes (56): the array is still empty.
  Timed r = int_weights(Matrix(N, std::vector<uint32_t>(N, 1)));
  activation_at(r, 55, 0);
  r.at("MXM.W.1", 55, Op::ABC, {west(1), 0, 0, int64_t(DType::i8)});
  expect_contains(run_error(r.image()), {"cycle 55: ABC before any weights were installed"});
}

TEST(EngineMxm, LwDuringAPendingIwIsAnError) {
  // IW at 36 installs until 56; an LW at 40 would overwrite the shadow set.
  // MXM.W.0: NOP #0, LW #1 (at 4), REPEAT #2, IW #3, NOP #4, LW #5.
  Timed p = int_weights(Matrix(N, std::vector<uint32_t>(N, 1)));
  p.at("MEM.W.3", 36, Op::READ, {0, west(0)});
  p.at("MXM.W.0", 40, Op::LW, {west(0), 1, 0, int64_t(DType::i8)});
  expect_contains(run_error(p.image()),
                  {"chip 0, MXM.W.0 #5 `LW.i8 S0.W, 1, 0`, cycle 40: LW overwrites the shadow weights that IW is "
                   "installing until cycle 56"});
}

TEST(EngineMxm, IntegerAndFloatDoNotMix) {
  // f16 activations on S2/S3.W (W.0 at 50, W.1 at 51 -> position 1 at 57) against i8 weights.
  Timed p = int_weights(Matrix(N, std::vector<uint32_t>(N, 1)));
  p.at("MEM.W.0", 50, Op::READ, {0, west(2)}).at("MEM.W.1", 51, Op::READ, {0, west(3)});
  p.at("MXM.W.1", 57, Op::ABC, {west(2), 0, 0, int64_t(DType::f16)});
  expect_contains(run_error(p.image()), {"MXM.W.1 #1 `ABC.f16 S2.W, 0, set`, cycle 57: f16 activations with i8 "
                                         "weights: integer and float do not mix"});
}

// f16 weights all 1.0 (0x3C00) installed at 57 as in the f16 flow; activations 1.0.
Timed f16_ones() {
  Timed p;
  for (unsigned k = 0; k < N; ++k) put_tensor(p.b, 'W', 2, k, 2, std::vector<uint32_t>(N, 0x3C00));
  put_tensor(p.b, 'W', 0, 0, 2, std::vector<uint32_t>(N, 0x3C00));
  p.at("MEM.W.2", 0, Op::READ, {0, west(0)}).at("MEM.W.2", 1, Op::REPEAT, {31, 1, 1}, 31);
  p.at("MEM.W.3", 1, Op::READ, {0, west(1)}).at("MEM.W.3", 2, Op::REPEAT, {31, 1, 1}, 31);
  p.at("MXM.W.0", 5, Op::LW, {west(0), 2, 0, int64_t(DType::f16)}).at("MXM.W.0", 6, Op::REPEAT, {31, 1, 1}, 31);
  p.at("MXM.W.0", 37, Op::IW, {});
  return p;
}
void f16_abc(Timed& p, uint64_t t, uint32_t slot, int64_t mode) {
  p.at("MEM.W.0", t - 7, Op::READ, {0, west(2)}).at("MEM.W.1", t - 6, Op::READ, {0, west(3)});
  p.at("MXM.W.1", t, Op::ABC, {west(2), slot, mode, int64_t(DType::f16)});
}

TEST(EngineMxm, FloatAbcRate) {
  // mxm_float_cycles = 4: after a float ABC at 57 the next may issue at 61, not 60.
  Timed ok = f16_ones();
  f16_abc(ok, 57, 0, 0);
  f16_abc(ok, 61, 0, 1);
  acc_to_sram(ok, 62, 0, DType::f32, 0, 300);
  ChipEngine e(ok.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  // 32 products of 1*1 = 32, twice: 64.0 = 0x42800000.
  EXPECT_EQ(get_tensor(e, ok.b, 'W', 0, 300, 4), std::vector<uint32_t>(N, 0x42800000));

  Timed fast = f16_ones();
  f16_abc(fast, 57, 0, 0);
  f16_abc(fast, 60, 1, 0);
  expect_contains(run_error(fast.image()),
                  {"MXM.W.1 #3 `ABC.f16 S2.W, 1, set`, cycle 60: the array is busy with a float ABC until cycle 61 "
                   "(float runs at 1/4 rate)"});
}

TEST(EngineMxm, AccOfAnUnwrittenSlotAndAddIntoAnUnsetSlot) {
  Timed p = int_weights(Matrix(N, std::vector<uint32_t>(N, 1)));
  activation_at(p, 56, 0);
  p.at("MXM.W.1", 56, Op::ABC, {west(1), 0, 0, int64_t(DType::i8)});
  p.at("MXM.W.2", 57, Op::ACC, {east(0), 5, int64_t(DType::i32)});
  expect_contains(run_error(p.image()), {"chip 0, MXM.W.2 #1 `ACC.i32 S0.E, 5`, cycle 57: ACC of accumulator slot 5, "
                                         "which no ABC has written"});

  Timed q = int_weights(Matrix(N, std::vector<uint32_t>(N, 1)));
  activation_at(q, 56, 0);
  q.at("MXM.W.1", 56, Op::ABC, {west(1), 7, 1, int64_t(DType::i8)});
  expect_contains(run_error(q.image()), {"chip 0, MXM.W.1 #1 `ABC.i8 S1.W, 7, add`, cycle 56: ABC adds into "
                                         "accumulator slot 7, which no ABC has set"});
}

// An ABC and an ACC of one slot in one cycle: the result would depend on queue
// issue order (west and east planes order their queues differently), so the
// model refuses it whichever queue issues first; other slots are fine.
TEST(EngineMxm, AbcAndAccOfOneSlotInOneCycleIsAnError) {
  Timed p = int_weights(Matrix(N, std::vector<uint32_t>(N, 1)));
  activation_at(p, 56, 0);
  activation_at(p, 57, 1);
  p.at("MXM.W.1", 56, Op::ABC, {west(1), 0, 0, int64_t(DType::i8)});
  p.at("MXM.W.1", 57, Op::ABC, {west(1), 0, 1, int64_t(DType::i8)});
  p.at("MXM.W.2", 57, Op::ACC, {east(0), 0, int64_t(DType::i32)});
  expect_contains(run_error(p.image()), {"MXM.W.2 #1 `ACC.i32 S0.E, 0`, cycle 57: ACC reads accumulator slot 0 in the "
                                         "cycle an ABC writes it: their order is not defined"});
}

TEST(EngineMxm, AccResultTimingIsExact) {
  // ACC.i32 at 58 -> S0.E at position 1 at 82, at MEM.W.0 (6) at 87; a WRITE at 86 or 88 finds nothing.
  for (uint64_t wrong : {86, 88}) {
    Timed p = int_weights(Matrix(N, std::vector<uint32_t>(N, 1)));
    activation_at(p, 56, 0);
    p.at("MXM.W.1", 56, Op::ABC, {west(1), 0, 0, int64_t(DType::i8)});
    p.at("MXM.W.2", 58, Op::ACC, {east(0), 0, int64_t(DType::i32)});
    p.at("MEM.W.0", wrong, Op::WRITE, {100, east(0)});
    expect_contains(run_error(p.image()), {"MEM.W.0 #1 `WRITE 0x64, S0.E`, cycle " + std::to_string(wrong),
                                           "stream S0.E holds no value at MEM.W.0 (position 6)"});
  }
}

}  // namespace
