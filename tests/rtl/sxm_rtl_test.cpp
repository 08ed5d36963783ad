// The SXM superlane RTL on its own: every op with random operands, on
// superlanes at both ends of the chip (tsp1's 320 lanes and mini's 32), with
// the expected lanes computed here from the ISA table's definitions and
// docs/timing.md's SXM lane rules, and each result required at exactly its
// ISA-table latency (and on no other tap). Back-to-back ops of different
// latencies that finish in the same cycle come out on their own taps. The
// same checks on the planted RTL (TRANSPOSE swaps lanes 14 and 15) must fail.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vtsp_sxm_superlane.h"
#include "Vtsp_sxm_superlane_planted.h"
#include "firmware/isa/isa.hpp"
#include "tb/cosim/rtl_bits.hpp"
#include "tb/cosim/rtl_coverage.hpp"

namespace {

using tsp::isa::Op;
namespace bits = tsp::cosim::bits;
const uint32_t kSlw = tsp::isa::find_config("tsp1")->lanes_per_superlane;
const uint32_t kRtlLanes = tsp::isa::find_config("tsp1")->lanes;

uint32_t taps() {
  uint32_t m = 0;
  for (const auto& d : tsp::isa::kOps)
    if (d.unit == tsp::isa::Unit::SXM) m = std::max<uint32_t>(m, d.latency);
  return m;
}

struct OpIn {
  Op op = Op::SHIFTUP;
  uint16_t param = 0;
  std::vector<uint8_t> src, b, c, blk;
  std::vector<uint16_t> map;
};
using Result = std::vector<std::vector<uint8_t>>;  // [stream][own lane]

OpIn random_op(std::mt19937& rng, Op op, uint32_t lanes) {
  OpIn x;
  x.op = op;
  x.src.resize(kRtlLanes);
  for (uint32_t l = 0; l < lanes; ++l) x.src[l] = uint8_t(rng());
  x.b.resize(kSlw);
  x.c.resize(kSlw);
  x.map.resize(kSlw);
  x.blk.resize(kSlw * kSlw);
  for (auto& v : x.b) v = uint8_t(rng());
  for (auto& v : x.c) v = rng() % 2 ? 0 : uint8_t(rng());
  for (auto& v : x.map) v = op == Op::PERMUTE ? uint16_t(rng() % lanes) : uint16_t(rng());
  for (auto& v : x.blk) v = uint8_t(rng());
  x.param = op == Op::ROTATE ? uint16_t(rng() % 32) : uint16_t(rng() % (lanes + 8));
  return x;
}

// Superlane `sl`'s lanes of the op's result, from the ISA table's definitions.
Result expected(const OpIn& x, uint32_t sl, uint32_t lanes) {
  Result r(x.op == Op::TRANSPOSE ? kSlw : 1, std::vector<uint8_t>(kSlw, 0));
  for (uint32_t j = 0; j < kSlw; ++j) {
    const uint32_t l = sl * kSlw + j, n = x.param;
    switch (x.op) {
      case Op::SHIFTUP:
        r[0][j] = l >= n ? x.src[l - n] : 0;
        break;
      case Op::SHIFTDN:
        r[0][j] = l + n < lanes ? x.src[l + n] : 0;
        break;
      case Op::SELECT:
        r[0][j] = x.c[j] ? x.src[l] : x.b[j];
        break;
      case Op::PERMUTE:
        r[0][j] = x.src[x.map[j]];
        break;
      case Op::DISTRIBUTE:
        r[0][j] = x.src[sl * kSlw + x.map[j] % kSlw];
        break;
      case Op::ROTATE: {
        const uint32_t g = n + 1, base = l / g * g, len = std::min(g, lanes - base);
        r[0][j] = x.src[base + (l - base + 1) % len];
        break;
      }
      case Op::TRANSPOSE:
        for (uint32_t i = 0; i < kSlw; ++i) r[i][j] = x.blk[j * kSlw + i];
        break;
      default:
        break;
    }
  }
  return r;
}

template <class Tile>
struct Sl {
  std::unique_ptr<VerilatedContext> ctx = std::make_unique<VerilatedContext>();  // one per superlane: see rtl_coverage.hpp
  std::unique_ptr<Tile> m = std::make_unique<Tile>(ctx.get());
  tsp::cosim::CoverageSaver coverage{ctx.get(), "sxm", m->modelName()};  // dies before m
  Sl(uint32_t sl, uint32_t lanes) {
    m->sl_i = uint16_t(sl);
    m->num_lanes_i = uint16_t(lanes);
    m->rst_ni = 0;
    m->eval();
    m->rst_ni = 1;
    m->eval();
  }
  void present(const OpIn* x) {
    m->clk_i = 0;
    m->valid_i = x != nullptr;
    if (x) {
      m->op_i = uint8_t(x->op);
      m->param_i = x->param;
      for (uint32_t l = 0; l < kRtlLanes; ++l) bits::put(m->src_i, 8 * l, 8, x->src[l]);
      for (uint32_t j = 0; j < kSlw; ++j) {
        bits::put(m->b_i, 8 * j, 8, x->b[j]);
        bits::put(m->c_i, 8 * j, 8, x->c[j]);
        bits::put(m->map_i, 16 * j, 16, x->map[j]);
      }
      for (uint32_t i = 0; i < kSlw * kSlw; ++i) bits::put(m->blk_i, 8 * i, 8, x->blk[i]);
    }
    m->eval();
    m->clk_i = 1;
    m->eval();
    m->clk_i = 0;
    m->valid_i = 0;
    m->eval();
  }
  std::string tap(uint32_t t, const Result& want) const {
    for (uint32_t i = 0; i < want.size(); ++i)
      for (uint32_t j = 0; j < kSlw; ++j) {
        const uint32_t got = bits::get(m->out_data_o, 8 * ((t * kSlw + i) * kSlw + j), 8);
        if (got != want[i][j])
          return fmt::format("tap {} stream {} lane {}: expected {:02x} got {:02x}", t, i, j, want[i][j], got);
      }
    return "";
  }
};

// One op at a time: after c cycles only tap c - 1 may be valid, and only when c is its latency.
template <class Tile>
std::string run_op(Sl<Tile>& s, Op op, uint32_t sl, uint32_t lanes, uint32_t seed) {
  std::mt19937 rng(seed);
  const OpIn x = random_op(rng, op, lanes);
  const uint32_t lat = tsp::isa::op_desc(op).latency;
  s.present(&x);
  for (uint32_t c = 1; c <= taps(); ++c) {
    for (uint32_t t = 0; t < taps(); ++t)
      if (bits::get(s.m->out_valid_o, t, 1) != (t + 1 == c && c == lat))
        return fmt::format("{}: tap {} valid wrong {} cycles after issue", tsp::isa::op_desc(op).mnemonic, t, c);
    if (c == lat)
      if (auto d = s.tap(c - 1, expected(x, sl, lanes)); !d.empty())
        return fmt::format("{} superlane {}: {}", tsp::isa::op_desc(op).mnemonic, sl, d);
    s.present(nullptr);
  }
  return "";
}
template <class Tile>
std::string check_op(Op op, uint32_t sl, uint32_t lanes, uint32_t seed) {
  Sl<Tile> s(sl, lanes);
  return run_op(s, op, sl, lanes, seed);
}

const Op kOps[] = {Op::SHIFTUP, Op::SHIFTDN, Op::SELECT, Op::PERMUTE, Op::DISTRIBUTE, Op::ROTATE, Op::TRANSPOSE};

template <class Tile>
std::string check_all() {
  for (const auto& [lanes, sls] : {std::pair{kRtlLanes, std::vector<uint32_t>{0, 1, kRtlLanes / kSlw - 1}},
                                   std::pair{32u, std::vector<uint32_t>{0, 1}}})
    for (uint32_t sl : sls)
      for (Op op : kOps)
        for (uint32_t seed = 1; seed <= 3; ++seed)
          if (auto d = check_op<Tile>(op, sl, lanes, seed + 10 * sl); !d.empty()) return d;
  return "";
}

TEST(SxmRtl, EveryOpOnEverySuperlaneEndAtItsLatency) { EXPECT_EQ(check_all<Vtsp_sxm_superlane>(), ""); }

// SHIFTUP (latency 2) then SELECT (latency 1) a cycle later: both results in the same cycle, on taps 1 and 0.
TEST(SxmRtl, OpsFinishingTogetherUseTheirOwnTaps) {
  std::mt19937 rng(5);
  Sl<Vtsp_sxm_superlane> s(3, kRtlLanes);
  const OpIn a = random_op(rng, Op::SHIFTUP, kRtlLanes), b = random_op(rng, Op::SELECT, kRtlLanes);
  ASSERT_EQ(tsp::isa::op_desc(Op::SHIFTUP).latency, tsp::isa::op_desc(Op::SELECT).latency + 1);
  s.present(&a);
  s.present(&b);
  EXPECT_EQ(bits::get(s.m->out_valid_o, 0, taps()), 3u);
  EXPECT_EQ(s.tap(1, expected(a, 3, kRtlLanes)), "");
  EXPECT_EQ(s.tap(0, expected(b, 3, kRtlLanes)), "");
}

// A reset pulse between clock edges (rst_ni falls, then rises) while two ops
// are in flight drops them: no tap is valid at once nor later, and the next op
// (a SELECT with every condition bit set) comes out at its latency. (Every harness holds rst_ni low from time 0, so
// only this runs the asynchronous reset branch: docs/coverage.md.)
TEST(SxmRtl, ResetPulseDropsTheOpsInFlight) {
  std::mt19937 rng(6);
  Sl<Vtsp_sxm_superlane> s(2, kRtlLanes);
  const OpIn a = random_op(rng, Op::TRANSPOSE, kRtlLanes), b = random_op(rng, Op::ROTATE, kRtlLanes);
  s.present(&a);
  s.present(&b);
  s.m->rst_ni = 0;
  s.m->eval();
  EXPECT_EQ(bits::get(s.m->out_valid_o, 0, taps()), 0u);
  s.m->rst_ni = 1;
  s.m->eval();
  for (uint32_t c = 0; c < taps(); ++c) {
    s.present(nullptr);
    EXPECT_EQ(bits::get(s.m->out_valid_o, 0, taps()), 0u) << "cycle " << c;
  }
  ASSERT_EQ(tsp::isa::op_desc(Op::SELECT).latency, 1);
  OpIn sel = random_op(rng, Op::SELECT, kRtlLanes);
  sel.c.assign(kSlw, 0xFF);  // every condition bit set: every lane takes a
  s.present(&sel);
  EXPECT_EQ(bits::get(s.m->out_valid_o, 0, taps()), 1u);
  EXPECT_EQ(s.tap(0, expected(sel, 2, kRtlLanes)), "");
}

TEST(SxmRtl, PlantedTransposeBugFailsTheSameChecks) {
  const std::string d = check_all<Vtsp_sxm_superlane_planted>();
  EXPECT_NE(d.find("TRANSPOSE superlane 0: tap 3 stream 0 lane 14"), std::string::npos) << d;
}

}  // namespace
