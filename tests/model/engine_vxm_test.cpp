// VXM semantics and timing on `mini`: every op family fed from SRAM through
// streams into VXM.0 and written back. Expected lane bits come from a host
// reference written here from docs/numerics.md (integers) or from hand bit
// patterns (floats, with the arithmetic in a comment); never from the engine.
//
// The program (positions: MEM.W.i = 6-i, VXM = 7, MEM.E.i = 8+i), issue cycle T = 6:
//  - operand a, byte i on MEM.W.i (slice i), READ at T-3-i onto S<i>.E: on the
//    stream at 6-i at T-1-i (READ latency 2), at VXM (7) at T-1-i + (i+1) = T.
//  - operand b, byte i on MEM.E.i, READ at T-3-i onto S<i>.W: at 8+i at T-1-i,
//    at 7 at T.
//  - SEL's c, byte i on MEM.W.(w+i), READ at T-3-(w+i) onto S<w+i>.E: at T too.
//  - VXM.0 issues at T, its result on S8.E.. at 7 at T+latency; byte i is
//    written by MEM.E.i at T+latency+1+i (one hop per position) to address 1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>

#include "tests/model/engine_helpers.hpp"

using tsp::isa::DType;
using tsp::isa::Op;
using tsp::model::ChipEngine;
using namespace tsp::test;

namespace {

constexpr uint64_t T = 6;

unsigned width(DType t) { return tsp::isa::dtype_desc(t).bytes; }

struct Case {
  Op op;
  DType type;
  std::vector<uint32_t> a, b = {}, c = {};
  std::vector<uint32_t> want;
  DType from = DType::i8;  // CVT, CVTS
  int64_t shamt = 0;       // SHLI, SHRI, SRAI
};

std::string name(const Case& k) {
  return std::string(tsp::isa::op_desc(k.op).mnemonic) + "." + std::string(tsp::isa::dtype_desc(k.type).name);
}

// The program described at the top; `vxm_shift`/`write_shift` move VXM.0 and
// MEM.E.0's WRITE off their cycles.
Timed program(const Case& k, int64_t vxm_shift = 0, int64_t write_shift = 0) {
  const bool cvt = k.op == Op::CVT || k.op == Op::CVTS;
  const unsigned in_w = width(cvt ? k.from : k.type), out_w = width(k.type);
  const uint64_t lat = tsp::isa::op_desc(k.op).latency;
  Timed p;
  put_tensor(p.b, 'W', 0, 0, in_w, cycle_lanes(k.a));
  for (unsigned i = 0; i < in_w; ++i) p.at("MEM.W." + std::to_string(i), T - 3 - i, Op::READ, {0, east(i)});
  if (!k.b.empty()) {
    put_tensor(p.b, 'E', 0, 0, in_w, cycle_lanes(k.b));
    for (unsigned i = 0; i < in_w; ++i) p.at("MEM.E." + std::to_string(i), T - 3 - i, Op::READ, {0, west(i)});
  }
  if (!k.c.empty()) {
    put_tensor(p.b, 'W', in_w, 0, in_w, cycle_lanes(k.c));
    for (unsigned i = in_w; i < 2 * in_w; ++i) p.at("MEM.W." + std::to_string(i), T - 3 - i, Op::READ, {0, east(i)});
  }
  std::vector<int64_t> ops;
  for (const auto& f : tsp::isa::op_desc(k.op).fields) {
    const std::string_view n = f.name;
    if (n == "dst") ops.push_back(east(8));
    if (n == "a") ops.push_back(east(0));
    if (n == "b") ops.push_back(west(0));
    if (n == "c") ops.push_back(east(in_w));
    if (n == "type") ops.push_back(int64_t(k.type));
    if (n == "from") ops.push_back(int64_t(k.from));
    if (n == "shamt") ops.push_back(k.shamt);
  }
  p.b.op("VXM.0", Op::NOP, {int64_t(T) + vxm_shift});
  p.b.op("VXM.0", k.op,
         {ops[0], ops[1], ops.size() > 2 ? ops[2] : 0, ops.size() > 3 ? ops[3] : 0, ops.size() > 4 ? ops[4] : 0});
  for (unsigned i = 0; i < out_w; ++i)
    p.at("MEM.E." + std::to_string(i), T + lat + 1 + i + uint64_t(i == 0 ? write_shift : 0), Op::WRITE,
         {1, east(8 + i)});
  return p;
}

void check(const Case& k) {
  SCOPED_TRACE(name(k));
  Timed p = program(k);
  ChipEngine e(p.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  const auto got = get_tensor(e, p.b, 'E', 0, 1, width(k.type));
  const auto want = cycle_lanes(k.want);
  for (size_t l = 0; l < want.size(); ++l) EXPECT_EQ(got[l], want[l]) << "lane " << l;
}

// --- host reference for integers, from docs/numerics.md §4 -----------------
int64_t value(uint32_t bits, DType t) {
  const unsigned w = 8 * width(t);
  const uint64_t m = w == 32 ? 0xFFFFFFFFull : (1ull << w) - 1;
  const uint64_t v = bits & m;
  if (t == DType::u8) return int64_t(v);
  return (v >> (w - 1)) ? int64_t(v) - int64_t(m) - 1 : int64_t(v);
}
uint32_t wrap(int64_t v, DType t) {
  const unsigned w = 8 * width(t);
  return w == 32 ? uint32_t(v) : uint32_t(uint64_t(v) & ((1ull << w) - 1));
}
int64_t lo(DType t) { return t == DType::u8 ? 0 : -(int64_t{1} << (8 * width(t) - 1)); }
int64_t hi(DType t) { return t == DType::u8 ? 255 : (int64_t{1} << (8 * width(t) - 1)) - 1; }
uint32_t sat(int64_t v, DType t) { return wrap(std::clamp(v, lo(t), hi(t)), t); }
uint32_t mask(bool c, DType t) { return c ? wrap(-1, t) : 0; }

// A case whose expected lanes the host reference computes from a and b.
Case ref(Op op, DType t, std::vector<uint32_t> a, std::vector<uint32_t> b,
         const std::function<uint32_t(int64_t, int64_t, uint32_t, uint32_t)>& f, int64_t shamt = 0) {
  Case k{op, t, a, b, {}, {}, DType::i8, shamt};
  for (size_t i = 0; i < a.size(); ++i)
    k.want.push_back(f(value(a[i], t), b.empty() ? 0 : value(b[i], t), a[i], b.empty() ? 0 : b[i]));
  return k;
}

const std::vector<uint32_t> kA8 = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x64, 0x9C, 0x05, 0x40, 0xC0};
const std::vector<uint32_t> kB8 = {0x00, 0x01, 0x01, 0xFF, 0xFF, 0x64, 0x9C, 0xFD, 0x40, 0x41};
const std::vector<uint32_t> kA16 = {0x00FF, 0x7FFF, 0x8000, 0xFFFF, 0x1234, 0x0100, 0xC000, 0x4000};
const std::vector<uint32_t> kB16 = {0x0001, 0x0001, 0x0001, 0xFFFF, 0x0F0F, 0x00FF, 0xC000, 0x0004};
const std::vector<uint32_t> kA32 = {0x00FFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x12345678, 0x0000FFFF};
const std::vector<uint32_t> kB32 = {0x00000001, 0x00000001, 0x00000001, 0xFFFFFFFF, 0x0F0F0F0F, 0x00010001};
// Shift amounts: taken mod the width (8: 9 -> 1, 255 -> 7).
const std::vector<uint32_t> kS8 = {0, 1, 7, 8, 9, 3, 255, 4, 2, 6};
const std::vector<uint32_t> kS16 = {0, 1, 15, 16, 17, 4, 0xFFFF, 8};

std::vector<Case> integer_cases() {
  using L = std::function<uint32_t(int64_t, int64_t, uint32_t, uint32_t)>;
  std::vector<Case> cs;
  for (DType t : {DType::i8, DType::u8, DType::i16, DType::i32}) {
    const auto& a = t == DType::i16 ? kA16 : t == DType::i32 ? kA32 : kA8;
    const auto& b = t == DType::i16 ? kB16 : t == DType::i32 ? kB32 : kB8;
    const L add = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return wrap(x + y, t); };
    const L adds = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return sat(x + y, t); };
    const L sub = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return wrap(x - y, t); };
    const L subs = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return sat(x - y, t); };
    const L mul = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return wrap(x * y, t); };
    const L muls = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return sat(x * y, t); };
    const L mn = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return wrap(std::min(x, y), t); };
    const L mx = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return wrap(std::max(x, y), t); };
    const L eq = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return mask(x == y, t); };
    const L lt = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return mask(x < y, t); };
    const L le = [t](int64_t x, int64_t y, uint32_t, uint32_t) { return mask(x <= y, t); };
    const L band = [t](int64_t, int64_t, uint32_t x, uint32_t y) { return wrap(x & y, t); };
    const L bor = [t](int64_t, int64_t, uint32_t x, uint32_t y) { return wrap(x | y, t); };
    const L bxor = [t](int64_t, int64_t, uint32_t x, uint32_t y) { return wrap(x ^ y, t); };
    const L bnot = [t](int64_t, int64_t, uint32_t x, uint32_t) { return wrap(~x, t); };
    for (auto [op, f] : std::vector<std::pair<Op, L>>{{Op::ADD, add},
                                                      {Op::ADDS, adds},
                                                      {Op::SUB, sub},
                                                      {Op::SUBS, subs},
                                                      {Op::MUL, mul},
                                                      {Op::MULS, muls},
                                                      {Op::MIN, mn},
                                                      {Op::MAX, mx},
                                                      {Op::CMPEQ, eq},
                                                      {Op::CMPLT, lt},
                                                      {Op::CMPLE, le},
                                                      {Op::AND, band},
                                                      {Op::OR, bor},
                                                      {Op::XOR, bxor}})
      cs.push_back(ref(op, t, a, b, f));
    cs.push_back(ref(Op::NOT, t, a, {}, bnot));
    const unsigned bits = 8 * width(t);
    const auto& s = t == DType::i16 ? kS16 : t == DType::i32 ? kB32 : kS8;
    const L shl = [t, bits](int64_t, int64_t, uint32_t x, uint32_t y) {
      return wrap(int64_t(uint64_t(x) << (y % bits)), t);
    };
    const L shr = [t, bits](int64_t, int64_t, uint32_t x, uint32_t y) {
      return wrap(int64_t(uint64_t(x & wrap(-1, t)) >> (y % bits)), t);
    };
    cs.push_back(ref(Op::SHL, t, a, s, shl));
    cs.push_back(ref(Op::SHR, t, a, s, shr));
    for (int64_t sh : {int64_t{0}, int64_t{3}, int64_t(bits) - 1, std::min<int64_t>(bits, 31), int64_t{31}}) {
      // SHLI/SHRI: sh >= width shifts everything out (0).
      cs.push_back(ref(
          Op::SHLI, t, a, {},
          [t, sh](int64_t, int64_t, uint32_t x, uint32_t) {
            return sh >= 32 ? 0u : wrap(int64_t(uint64_t(x) << sh), t);
          },
          sh));
      cs.push_back(ref(
          Op::SHRI, t, a, {},
          [t, sh](int64_t, int64_t, uint32_t x, uint32_t) { return wrap(int64_t(uint64_t(x & wrap(-1, t)) >> sh), t); },
          sh));
    }
    if (t == DType::u8) continue;  // the rest are signed-only
    const L sra = [t, bits](int64_t x, int64_t, uint32_t, uint32_t y) { return wrap(x >> (y % bits), t); };
    cs.push_back(ref(Op::SRA, t, a, s, sra));
    for (int64_t sh : {int64_t{0}, int64_t{3}, int64_t(bits) - 1, std::min<int64_t>(bits, 31),
                       int64_t{31}})  // >= width: 0 or all ones
      cs.push_back(ref(
          Op::SRAI, t, a, {},
          [t, sh](int64_t x, int64_t, uint32_t, uint32_t) { return wrap(x >> std::min<int64_t>(sh, 63), t); }, sh));
    // ABS/NEG wrap: ABS(min) = NEG(min) = min.
    cs.push_back(
        ref(Op::ABS, t, a, {}, [t](int64_t x, int64_t, uint32_t, uint32_t) { return wrap(x < 0 ? -x : x, t); }));
    cs.push_back(ref(Op::NEG, t, a, {}, [t](int64_t x, int64_t, uint32_t, uint32_t) { return wrap(-x, t); }));
    cs.push_back(ref(Op::RELU, t, a, {},
                     [t](int64_t x, int64_t, uint32_t, uint32_t) { return wrap(std::max<int64_t>(x, 0), t); }));
  }
  return cs;
}

TEST(EngineVxm, IntegerOpsOnI8U8I16I32MatchTheHostReference) {
  const auto cs = integer_cases();
  EXPECT_GT(cs.size(), 100u);
  for (const Case& k : cs) check(k);
}

TEST(EngineVxm, SelectTestsTheConditionLaneRaw) {
  // c != 0 ? a : b per lane; i16 c = 0x0100 is non-zero only in its high byte (stream 3).
  check({Op::SEL,
         DType::i8,
         {0x11, 0x22, 0x33, 0x44},
         {0xA1, 0xA2, 0xA3, 0xA4},
         {0x00, 0x01, 0x80, 0x00},
         {0xA1, 0x22, 0x33, 0xA4}});
  check({Op::SEL,
         DType::i16,
         {0x1111, 0x2222, 0x3333},
         {0xAAAA, 0xBBBB, 0xCCCC},
         {0x0100, 0x0000, 0xFFFF},
         {0x1111, 0xBBBB, 0x3333}});
  // f16: the mask -0 (0x8000) is non-zero bits and selects a.
  check({Op::SEL, DType::f16, {0x3C00, 0x4000}, {0x7E00, 0xBC00}, {0x8000, 0x0000}, {0x3C00, 0xBC00}});
}

TEST(EngineVxm, IntegerConversionsWrapOrSaturate) {
  // i16 -> i8: CVT keeps the low byte (0x0180 -> 0x80, 0xFF38 (-200) -> 0x38);
  // CVTS clamps (384 -> 127, -200 -> -128, 5 -> 5).
  check({Op::CVT, DType::i8, {0x0180, 0xFF38, 0x0005, 0x007F}, {}, {}, {0x80, 0x38, 0x05, 0x7F}, DType::i16});
  check({Op::CVTS, DType::i8, {0x0180, 0xFF38, 0x0005, 0x007F}, {}, {}, {0x7F, 0x80, 0x05, 0x7F}, DType::i16});
  // i8 -> i32 sign-extends, u8 -> i32 zero-extends.
  check({Op::CVT, DType::i32, {0x80, 0x7F, 0xFF}, {}, {}, {0xFFFFFF80, 0x7F, 0xFFFFFFFF}, DType::i8});
  check({Op::CVT, DType::i32, {0x80, 0x7F, 0xFF}, {}, {}, {0x80, 0x7F, 0xFF}, DType::u8});
  // i32 -> u8 saturating: -5 -> 0, 300 -> 255, 7 -> 7.
  check({Op::CVTS, DType::u8, {0xFFFFFFFB, 300, 7}, {}, {}, {0x00, 0xFF, 0x07}, DType::i32});
  // i32 -> i16 wrapping: 0x12345678 -> 0x5678.
  check({Op::CVT, DType::i16, {0x12345678, 0xFFFF8000}, {}, {}, {0x5678, 0x8000}, DType::i32});
}

TEST(EngineVxm, TanhI16IsTheQ12TableInterpolation) {
  // docs/numerics.md §6.4: 0 -> T[0] = 0; 4096 (1.0): i = 32, f = 0 -> T[32] = 3119 (0x0C2F);
  // -4096 -> -3119 = 0xF3D1; 20480 (5.0) and above -> 4096; 64: i = 0, f = 64 ->
  // 0 + ((128*64 + 64) >> 7) = 64; 200: i = 1, f = 72 -> 128 + ((128*72 + 64) >> 7) = 200;
  // -32768: a = 32768 >= 20480 -> -4096 = 0xF000.
  check({Op::TANH,
         DType::i16,
         {0, 4096, 0xF000, 20480, 64, 200, 0x8000, 0x7FFF},
         {},
         {},
         {0, 0x0C2F, 0xF3D1, 4096, 64, 200, 0xF000, 4096}});
}

TEST(EngineVxm, F16ArithmeticRoundsAndFlushes) {
  // 1+2 = 3 (0x4200); 1+1 = 2; 65504+65504 overflows to inf; subnormal 0x0001
  // reads as 0 -> +0; 1 + -1 = +0; NaN in -> canonical 0x7E00; inf + -inf = NaN;
  // -0 + -0 = -0; 1 + 2^-11 (0x1000) ties to even 1.0; (1+2^-10) + 2^-11 ties to 1+2^-9 (0x3C02).
  check({Op::ADD,
         DType::f16,
         {0x3C00, 0x3C00, 0x7BFF, 0x0001, 0x3C00, 0x7D01, 0x7C00, 0x8000, 0x3C00, 0x3C01},
         {0x4000, 0x3C00, 0x7BFF, 0x0000, 0xBC00, 0x3C00, 0xFC00, 0x8000, 0x1000, 0x1000},
         {},
         {0x4200, 0x4000, 0x7C00, 0x0000, 0x0000, 0x7E00, 0x7E00, 0x8000, 0x3C00, 0x3C02}});
  // 3-1 = 2; 1-1 = +0; (-0)-(+0) = -0.
  check({Op::SUB, DType::f16, {0x4200, 0x3C00, 0x8000}, {0x3C00, 0x3C00, 0x0000}, {}, {0x4000, 0x0000, 0x8000}});
  // 1.5*2 = 3; 0x3BFF*0x0400 is below 2^-14 before rounding -> 0 (tininess before
  // rounding); -1*0 = -0; inf*0 = NaN.
  check({Op::MUL,
         DType::f16,
         {0x3E00, 0x3BFF, 0xBC00, 0x7C00},
         {0x4000, 0x0400, 0x0000, 0x0000},
         {},
         {0x4200, 0x0000, 0x8000, 0x7E00}});
  // bf16: 1 + 1 = 2 (0x3F80 + 0x3F80 = 0x4000).
  check({Op::ADD, DType::bf16, {0x3F80}, {0x3F80}, {}, {0x4000}});
}

TEST(EngineVxm, F16MinMaxAbsNegReluAndCompares) {
  const std::vector<uint32_t> a = {0x0000, 0x8000, 0x3C00, 0x0001, 0x7E00, 0xC000};
  const std::vector<uint32_t> b = {0x8000, 0x0000, 0x4000, 0x3C00, 0x3C00, 0xBC00};
  // -0 < +0 either way; MIN(subnormal, 1) is the flushed +0; NaN wins.
  check({Op::MIN, DType::f16, a, b, {}, {0x8000, 0x8000, 0x3C00, 0x0000, 0x7E00, 0xC000}});
  check({Op::MAX, DType::f16, a, b, {}, {0x0000, 0x0000, 0x4000, 0x3C00, 0x7E00, 0xBC00}});
  // Compares: -0 == +0, subnormal == 0, NaN false.
  check({Op::CMPEQ, DType::f16, a, b, {}, {0xFFFF, 0xFFFF, 0, 0, 0, 0}});
  check({Op::CMPLT, DType::f16, a, b, {}, {0, 0, 0xFFFF, 0xFFFF, 0, 0xFFFF}});
  check({Op::CMPLE, DType::f16, a, b, {}, {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0, 0xFFFF}});
  // -2, 1, -0, negative subnormal, NaN with payload, -inf.
  const std::vector<uint32_t> u = {0xC000, 0x3C00, 0x8000, 0x8001, 0x7D00, 0xFC00};
  check({Op::ABS, DType::f16, u, {}, {}, {0x4000, 0x3C00, 0x0000, 0x0000, 0x7E00, 0x7C00}});
  check({Op::NEG, DType::f16, u, {}, {}, {0x4000, 0xBC00, 0x0000, 0x0000, 0x7E00, 0x7C00}});
  check({Op::RELU, DType::f16, u, {}, {}, {0x0000, 0x3C00, 0x0000, 0x0000, 0x7E00, 0x0000}});
  // MOV is a bit copy: NaN payload and subnormals kept.
  check({Op::MOV, DType::f16, {0x7D01, 0x0001, 0x8000}, {}, {}, {0x7D01, 0x0001, 0x8000}});
}

TEST(EngineVxm, F32ArithmeticAndConversions) {
  // 3 * 0.5 = 1.5; 1 + 2^-24 ties to 1; 1 + 1.5*2^-23 ties to even 1 + 2^-22.
  check({Op::MUL, DType::f32, {0x40400000}, {0x3F000000}, {}, {0x3FC00000}});
  check({Op::ADD, DType::f32, {0x3F800000, 0x3F800000}, {0x33800000, 0x34400000}, {}, {0x3F800000, 0x3F800002}});
  // f16 -> f32 is exact: 1, -2, subnormal -> 0, NaN -> canonical, inf, 0x3555
  // (exp 13, frac 0x155) -> exp 125, frac 0x155 << 13 = 0x3EAAA000.
  check({Op::CVT,
         DType::f32,
         {0x3C00, 0xC000, 0x0001, 0x7E01, 0x7C00, 0x3555},
         {},
         {},
         {0x3F800000, 0xC0000000, 0x00000000, 0x7FC00000, 0x7F800000, 0x3EAAA000},
         DType::f16});
  // f32 -> f16: 1; 1 + 2^-11 ties to 1; 1 + 3*2^-11 ties to 1 + 2^-9; 65520 rounds
  // up past 65504 -> inf; 65504 exact; 2^-25 flushes; -2^-14 is the smallest normal.
  check({Op::CVT,
         DType::f16,
         {0x3F800000, 0x3F801000, 0x3F803000, 0x477FF000, 0x477FE000, 0x33000000, 0xB8800000},
         {},
         {},
         {0x3C00, 0x3C00, 0x3C02, 0x7C00, 0x7BFF, 0x0000, 0x8400},
         DType::f32});
  // f32 -> i8: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, 300 -> 127, NaN -> 0, -inf -> -128, 0.5 -> 0.
  const std::vector<uint32_t> f = {0x40200000, 0x40600000, 0xC0200000, 0x43960000, 0x7FC00000, 0xFF800000, 0x3F000000};
  check({Op::CVT, DType::i8, f, {}, {}, {0x02, 0x04, 0xFE, 0x7F, 0x00, 0x80, 0x00}, DType::f32});
  check({Op::CVTS, DType::i8, f, {}, {}, {0x02, 0x04, 0xFE, 0x7F, 0x00, 0x80, 0x00}, DType::f32});
  // f32 -> i32: 2^31 -> max, -2^31 exact, -3.5 -> -4.
  check({Op::CVT,
         DType::i32,
         {0x4F000000, 0xCF000000, 0xC0600000},
         {},
         {},
         {0x7FFFFFFF, 0x80000000, 0xFFFFFFFC},
         DType::f32});
  // i32 -> f32: 2^24+1 ties to 2^24; 2^24+3 ties to 2^24+4 (mantissa 2); -1; 2^31-1 -> 2^31.
  check({Op::CVT,
         DType::f32,
         {16777217, 16777219, 0xFFFFFFFF, 0x7FFFFFFF},
         {},
         {},
         {0x4B800000, 0x4B800002, 0xBF800000, 0x4F000000},
         DType::i32});
  // i32 -> f16: 257 = 2^8 * (1 + 4/1024) -> 0x5C04; 65520 -> inf; 2049 ties to 2048 (0x6800); -1.
  check({Op::CVT, DType::f16, {257, 65520, 2049, 0xFFFFFFFF}, {}, {}, {0x5C04, 0x7C00, 0x6800, 0xBC00}, DType::i32});
}

TEST(EngineVxm, Transcendentals) {
  // EXP.f16: e^0 = 1; e^1 = 2.71828 = 2 * 1.35914, frac 0.35914*1024 = 367.8 -> 368
  // (0x4170); e^-1 = 0.36788 = 2^-2 * 1.47152, frac 482.8 -> 483 (0x35E3); e^-inf = 0;
  // e^inf = inf; NaN; e^16 = 8.9e6 overflows f16.
  check({Op::EXP,
         DType::f16,
         {0x0000, 0x3C00, 0xBC00, 0xFC00, 0x7C00, 0x7E00, 0x4C00},
         {},
         {},
         {0x3C00, 0x4170, 0x35E3, 0x0000, 0x7C00, 0x7E00, 0x7C00}});
  // RSQRT.f16: 4 -> 0.5; 1 -> 1; +0 -> inf; -0 -> -inf; -1 -> NaN; inf -> 0;
  // 2 -> 0.70711 = 2^-1 * 1.41421, frac 424.2 -> 424 (0x39A8).
  check({Op::RSQRT,
         DType::f16,
         {0x4400, 0x3C00, 0x0000, 0x8000, 0xBC00, 0x7C00, 0x4000},
         {},
         {},
         {0x3800, 0x3C00, 0x7C00, 0xFC00, 0x7E00, 0x0000, 0x39A8}});
  // TANH.f16: +-0 kept; 10 -> 1; 0.5 -> 0.46212 = 2^-2 * 1.84847, frac 868.8 -> 869 (0x3765); odd.
  check({Op::TANH,
         DType::f16,
         {0x0000, 0x8000, 0x4900, 0x3800, 0xB800, 0x7E00},
         {},
         {},
         {0x0000, 0x8000, 0x3C00, 0x3765, 0xB765, 0x7E00}});
  // EXP.f32 edges: e^+-0 = 1; x >= 89 -> inf; x <= -104 -> 0; NaN.
  check({Op::EXP,
         DType::f32,
         {0x00000000, 0x80000000, 0x42B20000, 0xC2D00000, 0x7FC00001},
         {},
         {},
         {0x3F800000, 0x3F800000, 0x7F800000, 0x00000000, 0x7FC00000}});
  // RSQRT.f32 edges: +0 -> inf, -0 -> -inf, inf -> +0, -4 -> NaN.
  check({Op::RSQRT,
         DType::f32,
         {0x00000000, 0x80000000, 0x7F800000, 0xC0800000},
         {},
         {},
         {0x7F800000, 0xFF800000, 0x00000000, 0x7FC00000}});
  // TANH.f32: +-10 saturate to +-1; 2^-31 is returned as itself (its products flush away).
  check({Op::TANH, DType::f32, {0x41200000, 0xC1200000, 0x30000000}, {}, {}, {0x3F800000, 0xBF800000, 0x30000000}});
}

TEST(EngineVxm, ResultLandsOnTheExactCycle) {
  const Case k{Op::ADD, DType::i16, {0x00FF}, {0x0001}, {}, {0x0100}};
  ASSERT_EQ(run_error(program(k).image()), "no error");
  // VXM.0 one cycle early or late: its operand wavefront passes 7 only at T = 6.
  for (int64_t d : {-1, 1}) {
    Timed p = program(k, d);
    expect_contains(run_error(p.image()),
                    {"chip 0, VXM.0 #1 `ADD.i16 S8.E, S0.E, S0.W`, cycle " + std::to_string(T + d),
                     "stream S0.E holds no value at VXM.0 (position 7) in cycle " + std::to_string(T + d)});
  }
  // MEM.E.0's WRITE one cycle off: the sum is at 8 only at T + 2 + 1 = 9. E.0's
  // program is NOP 3, READ (cycle 3), NOP, WRITE: instruction #3.
  for (int64_t d : {-1, 1}) {
    Timed p = program(k, 0, d);
    expect_contains(run_error(p.image()),
                    {"chip 0, MEM.E.0 #3 `WRITE 0x1, S8.E`, cycle " + std::to_string(9 + d),
                     "stream S8.E holds no value at MEM.E.0 (position 8) in cycle " + std::to_string(9 + d)});
  }
  // Wide operands arrive only if each byte plane's slice reads at its own cycle:
  // MEM.W.1 reading together with MEM.W.0 (one cycle late) leaves S1.E empty at T.
  Timed p;
  put_tensor(p.b, 'W', 0, 0, 2, {1});
  put_tensor(p.b, 'E', 0, 0, 2, {1});
  p.at("MEM.W.0", 3, Op::READ, {0, east(0)}).at("MEM.W.1", 3, Op::READ, {0, east(1)});
  p.at("MEM.E.0", 3, Op::READ, {0, west(0)}).at("MEM.E.1", 2, Op::READ, {0, west(1)});
  p.at("VXM.0", T, Op::ADD, {east(8), east(0), west(0), int64_t(DType::i16)});
  expect_contains(run_error(p.image()), {"stream S1.E holds no value at VXM.0 (position 7) in cycle 6"});
}

TEST(EngineVxm, ChainedAlusHandOverOnTheStream) {
  // VXM.0 ADD.i8 at T = 6 puts a+b on S8.E at 7 at 8 (latency 2); VXM.1 reads it
  // there at 8 and squares it (MUL, latency 3): S9.E at 7 at 11, at MEM.E.0 (8) at 12.
  auto chain = [](uint64_t vxm1) {
    Timed p;
    p.b.sram("MEM.W.0", 0, {1, 2, 3, 0x10, 0xFF}).sram("MEM.E.0", 0, {2, 2, 2, 0x01, 0x02});
    p.at("MEM.W.0", 3, Op::READ, {0, east(0)}).at("MEM.E.0", 3, Op::READ, {0, west(0)});
    p.at("VXM.0", T, Op::ADD, {east(8), east(0), west(0), int64_t(DType::i8)});
    p.at("VXM.1", vxm1, Op::MUL, {east(9), east(8), east(8), int64_t(DType::i8)});
    p.at("MEM.E.0", vxm1 + 4, Op::WRITE, {1, east(9)});
    return p;
  };
  Timed p = chain(8);
  ChipEngine e(p.image(), 0);
  ASSERT_TRUE(e.run_until(~0ull));
  // (1+2)^2 = 9, (2+2)^2 = 16, (3+2)^2 = 25, 17^2 = 289 -> 0x21, (-1+2)^2 = 1; lanes 5.. (0+0)^2 = 0.
  std::vector<uint32_t> want(32, 0);
  want[0] = 9, want[1] = 16, want[2] = 25, want[3] = 0x21, want[4] = 1;
  EXPECT_EQ(get_tensor(e, p.b, 'E', 0, 1, 1), want);
  // Last result: WRITE at 12 -> 13; plus 1 stagger cycle.
  EXPECT_EQ(e.end_cycle(), 14u);
  for (uint64_t wrong : {7, 9})
    expect_contains(run_error(chain(wrong).image()),
                    {"VXM.1 #1 `MUL.i8 S9.E, S8.E, S8.E`, cycle " + std::to_string(wrong),
                     "stream S8.E holds no value at VXM.1 (position 7) in cycle " + std::to_string(wrong)});
}

}  // namespace
