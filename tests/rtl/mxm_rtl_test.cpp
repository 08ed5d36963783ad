// The MXM supercell RTL on its own, against common/numerics (docs/numerics.md
// §7): random i8/u8 weights and activations with the -128/127/255 extremes,
// f16/bf16 ones (moderate, any exponent, and the special values), sums
// chained through several tiles along K, set/add accumulator slots of both
// kinds emitted as i32 and f32, and the ISA table's timing: an ABC presented
// LatIw - 1 cycles after IW uses the old weights and one at LatIw the new
// ones; an ACC read emits after LatAcc. Every check returns the first
// mismatch as text; the planted RTL (weights installed one cycle early, f32
// ties rounded away from zero) must fail the install and float checks and
// pass the integer arithmetic.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vtsp_mxm_cell.h"
#include "Vtsp_mxm_cell_planted.h"
#include "common/numerics/convert.hpp"
#include "common/numerics/mxm.hpp"
#include "firmware/isa/isa.hpp"
#include "tb/cosim/rtl_bits.hpp"
#include "tb/cosim/rtl_coverage.hpp"

namespace {

namespace bits = tsp::cosim::bits;
const uint32_t kDim = tsp::isa::find_config("tsp1")->lanes_per_superlane;
const uint32_t kLatIw = tsp::isa::op_desc(tsp::isa::Op::IW).latency;
const uint32_t kLatAcc = tsp::isa::op_desc(tsp::isa::Op::ACC).latency;

using tsp::isa::DType;
using Block = std::vector<std::vector<uint16_t>>;  // [k][n], lane bits (8-bit types in the low byte)
using Lanes = std::vector<uint16_t>;

Block random_block(std::mt19937& rng) {
  Block w(kDim, Lanes(kDim));
  for (auto& row : w)
    for (auto& x : row) x = uint8_t(rng());
  w[0].assign(kDim, 0x80);  // extremes: -128 (or 128 as u8), 127, 255 (-1 as i8)
  w[1].assign(kDim, 0x7F);
  w[2].assign(kDim, 0xFF);
  return w;
}

// A float lane: mostly |x| in [2^-4, 2^4), some of any exponent, some special.
uint16_t random_float(std::mt19937& rng, DType t) {
  const bool bf = t == DType::bf16;
  static constexpr uint16_t kF16[] = {0x0000, 0x8000, 0x7C00, 0xFC00, 0x7E01, 0x0001, 0x83FF, 0x7BFF, 0x0400, 0xFBFF};
  static constexpr uint16_t kBF16[] = {0x0000, 0x8000, 0x7F80, 0xFF80, 0xFFC1, 0x0001, 0x807F, 0x7F7F, 0x0080, 0xFF7F};
  const unsigned r = rng() % 64;
  if (r == 0) return bf ? kBF16[rng() % 10] : kF16[rng() % 10];
  const unsigned frac_bits = bf ? 7 : 10, bias = bf ? 127 : 15, top = bf ? 254 : 30;
  const unsigned e = r < 8 ? 1 + unsigned(rng() % top) : bias - 4 + unsigned(rng() % 8);
  return static_cast<uint16_t>((rng() % 2) << 15 | e << frac_bits | (rng() & ((1u << frac_bits) - 1)));
}
Lanes random_floats(std::mt19937& rng, DType t) {
  Lanes v(kDim);
  for (auto& x : v) x = random_float(rng, t);
  return v;
}
Block random_float_block(std::mt19937& rng, DType t) {
  Block w(kDim);
  for (auto& row : w) row = random_floats(rng, t);
  return w;
}
bool is_float(DType t) { return tsp::isa::dtype_desc(t).is_float; }

template <class Cell>
struct Tile {
  std::unique_ptr<VerilatedContext> ctx = std::make_unique<VerilatedContext>();  // one per tile: see rtl_coverage.hpp
  std::unique_ptr<Cell> m = std::make_unique<Cell>(ctx.get());
  tsp::cosim::CoverageSaver coverage{ctx.get(), "mxm", m->modelName()};  // dies before m
  uint64_t cycles = 0;
  Tile() {
    m->last_i = 1;
    m->read_stage_i = 2;  // one tile: its sum is in the slot after the edge ending t + 1
    m->rst_ni = 0;
    m->eval();
    m->rst_ni = 1;
    m->eval();
  }
  // Inputs of the next cycle, all idle.
  void idle() {
    m->clk_i = 0;
    m->lw_valid_i = m->iw_valid_i = m->abc_valid_i = m->rd_valid_i = 0;
  }
  void edge() {
    m->eval();
    m->clk_i = 1;
    m->eval();
    ++cycles;
  }
  void lw(const Block& w, DType type) {
    idle();
    m->lw_valid_i = 1;
    m->lw_rows_i = static_cast<uint16_t>((1u << kDim) - 1);
    m->lw_type_i = static_cast<uint8_t>(type);
    for (uint32_t k = 0; k < kDim; ++k)
      for (uint32_t n = 0; n < kDim; ++n) bits::put(m->lw_w_i, 16 * (k * kDim + n), 16, w[k][n]);
    edge();
  }
  void iw() {
    idle();
    m->iw_valid_i = 1;
    edge();
  }
  void wait(uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      idle();
      edge();
    }
  }
  // One ABC through this tile: acc_in + a * W, read from the outputs a cycle later.
  std::vector<uint32_t> abc(const Lanes& a, DType type, const std::vector<uint32_t>& acc_in, uint32_t slot = 0,
                            bool add = false) {
    idle();
    m->abc_valid_i = 1;
    m->abc_type_i = static_cast<uint8_t>(type);
    m->abc_slot_i = static_cast<uint8_t>(slot);
    m->abc_add_i = add;
    for (uint32_t j = 0; j < kDim; ++j) {
      bits::put(m->abc_a_i, 16 * j, 16, a[j]);
      bits::put(m->abc_acc_i, 32 * j, 32, acc_in[j]);
    }
    edge();
    idle();
    m->eval();
    std::vector<uint32_t> out(kDim);
    for (uint32_t j = 0; j < kDim; ++j) out[j] = bits::get(m->acc_o, 32 * j, 32);
    return m->acc_valid_o ? out : std::vector<uint32_t>{};
  }
};

// acc_in + a * W as the model computes it: int32 wrapping, or the f32 chain
// continued from acc_in in increasing k (mac_float, docs/numerics.md §7).
std::vector<uint32_t> host(const Lanes& a, DType ta, const Block& w, DType tw, std::vector<uint32_t> acc) {
  for (uint32_t n = 0; n < kDim; ++n) {
    if (is_float(ta)) {
      for (uint32_t k = 0; k < kDim; ++k) acc[n] = tsp::num::mac_float(acc[n], ta, a[k], tw, w[k][n]);
      continue;
    }
    std::vector<uint8_t> a8(kDim), col(kDim);
    for (uint32_t k = 0; k < kDim; ++k) {
      a8[k] = uint8_t(a[k]);
      col[k] = uint8_t(w[k][n]);
    }
    acc[n] = uint32_t(acc[n] + uint32_t(tsp::num::dot_int(a8, ta == DType::i8, col, tw == DType::i8)));
  }
  return acc;
}

std::string diff(const char* what, const std::vector<uint32_t>& want, const std::vector<uint32_t>& got) {
  if (got.size() != want.size()) return fmt::format("{}: no output", what);
  for (size_t j = 0; j < want.size(); ++j)
    if (want[j] != got[j]) return fmt::format("{}: lane {} expected {:08x} got {:08x}", what, j, want[j], got[j]);
  return "";
}

// Four K blocks (64 products per lane) chained through four tiles, mixed signedness.
template <class Cell>
std::string check_chain(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> acc(kDim, 0), want(kDim, 0);
  std::vector<uint8_t> all_a;
  for (uint32_t b = 0; b < 4; ++b) {
    Tile<Cell> t;
    const Block w = random_block(rng);
    const DType ws = b % 2 == 0 ? DType::i8 : DType::u8, as = b < 2 ? DType::i8 : DType::u8;
    Lanes a(kDim);
    for (auto& x : a) x = uint8_t(rng());
    a[0] = 0x80;
    a[1] = 0x7F;
    t.lw(w, ws);
    t.iw();
    t.wait(kLatIw);
    want = host(a, as, w, ws, want);
    acc = t.abc(a, as, acc);
    if (auto d = diff(fmt::format("K block {}", b).c_str(), want, acc); !d.empty()) return d;
  }
  return "";
}

// IW at cycle 0: ABCs at LatIw - 1 (old set) and LatIw (new set).
template <class Cell>
std::string check_install(uint32_t seed) {
  std::mt19937 rng(seed);
  Tile<Cell> t;
  const Block old_w = random_block(rng), new_w = random_block(rng);
  Lanes a(kDim);
  for (auto& x : a) x = uint8_t(rng());
  const std::vector<uint32_t> zero(kDim, 0);
  const DType i8 = DType::i8;
  t.lw(old_w, i8);
  t.iw();
  t.wait(kLatIw);
  t.lw(new_w, i8);
  t.iw();                                  // cycle 0
  t.wait(kLatIw - 2);                      // cycles 1 .. LatIw - 2
  const auto before = t.abc(a, i8, zero);  // presented at LatIw - 1
  if (auto d = diff("ABC at IW + LatIw - 1 (old weights)", host(a, i8, old_w, i8, zero), before); !d.empty()) return d;
  // abc() used cycle LatIw - 1 and then read at LatIw without an edge: present the next ABC at LatIw.
  const auto after = t.abc(a, i8, zero);
  return diff("ABC at IW + LatIw (new weights)", host(a, i8, new_w, i8, zero), after);
}

// Reads slot `slot` as `type` and compares it with `want` (`what` names it):
// the output must be valid exactly LatAcc cycles after the read.
template <class Cell>
std::string check_slot(Tile<Cell>& t, uint32_t slot, DType type, const std::vector<uint32_t>& want,
                       const std::string& what) {
  t.wait(2);
  t.idle();
  t.m->rd_valid_i = 1;
  t.m->rd_slot_i = static_cast<uint8_t>(slot);
  t.m->rd_type_i = static_cast<uint8_t>(type);
  t.edge();
  for (uint32_t c = 1; c <= kLatAcc; ++c) {
    t.idle();
    t.m->eval();
    if (bool(t.m->rd_valid_o) != (c == kLatAcc)) return fmt::format("ACC output valid={} at +{}", t.m->rd_valid_o, c);
    if (c < kLatAcc) t.edge();
  }
  std::vector<uint32_t> got(kDim);
  for (uint32_t j = 0; j < kDim; ++j) got[j] = bits::get(t.m->rd_data_o, 32 * j, 32);
  t.edge();
  return diff(what.c_str(), want, got);
}

// The slot's lanes emitted as `to` (ACC converts an i32 slot to f32 and back, §5).
std::vector<uint32_t> emitted(std::vector<uint32_t> v, DType held, DType to) {
  if (held != to)
    for (auto& x : v) x = tsp::num::convert(to, held, x, tsp::num::IntConvert::saturate);
  return v;
}

// Slots: set then add (int32 wrapping or one f32 ADD), read back LatAcc cycles
// after the read, as the slot's own type and as the other one.
template <class Cell>
std::string check_slots(uint32_t seed, DType wt, DType at0, DType at1) {
  std::mt19937 rng(seed);
  Tile<Cell> t;
  const bool fl = is_float(wt);
  const Block w = fl ? random_float_block(rng, wt) : random_block(rng);
  Lanes a0(kDim), a1(kDim);
  for (auto* a : {&a0, &a1})
    for (auto& x : *a) x = fl ? random_float(rng, a == &a0 ? at0 : at1) : uint8_t(rng());
  const std::vector<uint32_t> zero(kDim, 0);
  t.lw(w, wt);
  t.iw();
  t.wait(kLatIw);
  t.abc(a0, at0, zero, 5, false);
  t.abc(a1, at1, zero, 5, true);
  const std::vector<uint32_t> dot1 = host(a1, at1, w, wt, zero), set = host(a0, at0, w, wt, zero);
  std::vector<uint32_t> want(kDim);
  for (uint32_t j = 0; j < kDim; ++j)
    want[j] = fl ? tsp::num::accumulate_float(set[j], dot1[j], tsp::num::AccMode::add)
                 : uint32_t(tsp::num::accumulate_int(int32_t(set[j]), int32_t(dot1[j]), tsp::num::AccMode::add));
  const DType held = fl ? DType::f32 : DType::i32;
  for (const DType as : {DType::i32, DType::f32})
    if (auto d =
            check_slot(t, 5, as, emitted(want, held, as), fmt::format("slot 5 as {}", tsp::isa::dtype_desc(as).name));
        !d.empty())
      return d;
  return "";
}

// Float sums chained through four tiles (64 products a lane), every mix of
// f16 and bf16 weights and activations, against the f32 chain of the model.
template <class Cell>
std::string check_float_chain(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> acc(kDim, 0), want(kDim, 0);
  for (uint32_t b = 0; b < 4; ++b) {
    Tile<Cell> t;
    const DType wt = b % 2 ? DType::bf16 : DType::f16, at = b / 2 ? DType::bf16 : DType::f16;
    const Block w = random_float_block(rng, wt);
    const Lanes a = random_floats(rng, at);
    t.lw(w, wt);
    t.iw();
    t.wait(kLatIw);
    want = host(a, at, w, wt, want);
    acc = t.abc(a, at, acc);
    if (auto d = diff(fmt::format("seed {} K block {} ({} x {})", seed, b, tsp::isa::dtype_desc(at).name,
                                  tsp::isa::dtype_desc(wt).name)
                          .c_str(),
                      want, acc);
        !d.empty())
      return d;
  }
  return "";
}

// Rounding ties, from docs/numerics.md §7: bf16 products (2^24, 1, 1) sum to
// 2^24 (each + 1 is a tie, to even), (1, 1, 2^24) to 2^24 + 2.
template <class Cell>
std::string check_float_ties() {
  Tile<Cell> t;
  Block w(kDim, Lanes(kDim, 0x3F80));  // 1.0
  t.lw(w, DType::bf16);
  t.iw();
  t.wait(kLatIw);
  Lanes a(kDim, 0);
  a[0] = 0x4B80;  // 2^24
  a[1] = a[2] = 0x3F80;
  const std::vector<uint32_t> zero(kDim, 0);
  if (auto d = diff("(2^24, 1, 1)", std::vector<uint32_t>(kDim, 0x4B800000), t.abc(a, DType::bf16, zero)); !d.empty())
    return d;
  std::swap(a[0], a[2]);
  return diff("(1, 1, 2^24)", std::vector<uint32_t>(kDim, 0x4B800001), t.abc(a, DType::bf16, zero));
}

// Reads `n` slots (0..n-1) back to back, one ACC a cycle, as `type`: the lanes
// of each, in order, from the outputs LatAcc cycles after each read.
template <class Cell>
std::vector<std::vector<uint32_t>> read_slots(Tile<Cell>& t, uint32_t n, DType type) {
  t.wait(2);
  std::vector<std::vector<uint32_t>> out;
  for (uint32_t c = 0; c < n + kLatAcc; ++c) {
    t.idle();
    if (c < n) {
      t.m->rd_valid_i = 1;
      t.m->rd_slot_i = static_cast<uint8_t>(c);
      t.m->rd_type_i = static_cast<uint8_t>(type);
    }
    t.m->eval();
    if (t.m->rd_valid_o) {
      auto& v = out.emplace_back(kDim);
      for (uint32_t j = 0; j < kDim; ++j) v[j] = bits::get(t.m->rd_data_o, 32 * j, 32);
    }
    t.edge();
  }
  return out;
}

// Every accumulator slot's kind follows its last write: all slots set with an
// f32 sum and read back as i32 (converted), then set with an int32 sum (0 in
// every fifth slot) and read as f32 (converted), each read one cycle after
// the other. The slot index bits and every slot's kind flag toggle both ways.
template <class Cell>
std::string check_every_slot_kind() {
  Tile<Cell> t;
  const uint32_t slots = 1u << tsp::isa::op_desc(tsp::isa::Op::ABC).fields[1].width;  // "slot"
  const std::vector<uint32_t> zero(kDim, 0);
  std::vector<std::vector<uint32_t>> want(slots);
  for (const DType wt : {DType::f16, DType::i8}) {
    const bool fl = wt == DType::f16;
    t.lw(Block(kDim, Lanes(kDim, fl ? 0x3C00 : 1)), wt);  // 1.0 or 1: each lane sums a
    t.iw();
    t.wait(kLatIw);
    for (uint32_t s = 0; s < slots; ++s) {
      const uint16_t v = fl ? uint16_t(0x3C00 + (s % 64) * 16) : uint16_t(s % 5);
      const Lanes a(kDim, v);
      want[s] = host(a, wt, Block(kDim, Lanes(kDim, fl ? 0x3C00 : 1)), wt, zero);
      t.abc(a, wt, zero, s, false);
    }
    const DType as = fl ? DType::i32 : DType::f32;
    const auto got = read_slots(t, slots, as);
    if (got.size() != slots) return fmt::format("{} reads, {} outputs", slots, got.size());
    for (uint32_t s = 0; s < slots; ++s)
      if (auto d =
              diff(fmt::format("slot {} ({} sum) as {}", s, fl ? "f32" : "i32", tsp::isa::dtype_desc(as).name).c_str(),
                   emitted(want[s], fl ? DType::f32 : DType::i32, as), got[s]);
          !d.empty())
        return d;
  }
  return "";
}

// The f32 slot ADD's edges (docs/numerics.md §7): 1.5 * 2^-126 + (-2^-126) is
// below the smallest normal and flushes to +0; the largest finite bf16 added
// to itself overflows to +inf. bf16 weights 1.0 in row 0 make each sum the
// activation's lane 0, exactly.
template <class Cell>
std::string check_slot_add_edges() {
  Tile<Cell> t;
  Block w(kDim, Lanes(kDim, 0));
  w[0].assign(kDim, 0x3F80);
  t.lw(w, DType::bf16);
  t.iw();
  t.wait(kLatIw);
  const std::vector<uint32_t> zero(kDim, 0);
  const struct {
    uint32_t slot;
    uint16_t set, add;
    uint32_t sum;
  } cases[] = {{3, 0x00C0, 0x8080, 0x00000000}, {4, 0x7F7F, 0x7F7F, 0x7F800000}};
  for (const auto& c : cases) {
    Lanes a(kDim, 0);
    a[0] = c.set;
    t.abc(a, DType::bf16, zero, c.slot, false);
    a[0] = c.add;
    t.abc(a, DType::bf16, zero, c.slot, true);
  }
  for (const auto& c : cases) {
    const uint32_t host_sum =
        tsp::num::accumulate_float(uint32_t(c.set) << 16, uint32_t(c.add) << 16, tsp::num::AccMode::add);
    if (host_sum != c.sum)
      return fmt::format("slot {}: the numerics give {:08x}, the test {:08x}", c.slot, host_sum, c.sum);
    if (auto d = check_slot(t, c.slot, DType::f32, std::vector<uint32_t>(kDim, c.sum),
                            fmt::format("slot {} add edge", c.slot));
        !d.empty())
      return d;
  }
  return "";
}

// A reset pulse between clock edges (rst_ni falls, then rises) with an ACC
// read in flight and a weight install pending: no output is valid at once
// nor later, the install is cancelled (the next ABC multiplies by the set
// installed before), and the slots' kind flags are cleared (a slot holding an
// f32 sum reads as i32 unconverted: its raw bits). (Every harness holds
// rst_ni low from time 0, so only this runs the asynchronous reset branches:
// docs/coverage.md.)
template <class Cell>
std::string check_reset_pulse(uint32_t seed) {
  std::mt19937 rng(seed);
  Tile<Cell> t;
  const std::vector<uint32_t> zero(kDim, 0);
  const Block wf = random_float_block(rng, DType::f16);
  const Lanes af = random_floats(rng, DType::f16);
  t.lw(wf, DType::f16);
  t.iw();
  t.wait(kLatIw);
  t.abc(af, DType::f16, zero, 7, false);
  const std::vector<uint32_t> fsum = host(af, DType::f16, wf, DType::f16, zero);
  const Block w1 = random_block(rng), w2 = random_block(rng);
  t.lw(w1, DType::i8);
  t.iw();
  t.wait(kLatIw);
  t.lw(w2, DType::i8);
  t.iw();  // pending: installs LatIw cycles later
  t.idle();
  t.m->rd_valid_i = 1;
  t.m->rd_slot_i = 7;
  t.m->rd_type_i = static_cast<uint8_t>(DType::f32);
  t.edge();
  t.wait(2);
  t.m->rst_ni = 0;
  t.m->eval();
  if (t.m->rd_valid_o || t.m->acc_valid_o || t.m->installing_o) return "outputs valid right after the reset";
  t.m->rst_ni = 1;
  t.m->eval();
  for (uint32_t c = 0; c < kLatAcc + kLatIw; ++c) {
    t.idle();
    t.m->eval();
    if (t.m->rd_valid_o || t.m->installing_o) return fmt::format("read or install {} cycles after the reset", c);
    t.edge();
  }
  Lanes a(kDim);
  for (auto& x : a) x = uint8_t(rng());
  if (auto d = diff("ABC after the cancelled install", host(a, DType::i8, w1, DType::i8, zero),
                    t.abc(a, DType::i8, zero, 9, false));
      !d.empty())
    return d;
  return check_slot(t, 7, DType::i32, fsum, "slot 7 (f32 sum, flag reset) as i32");
}

TEST(MxmRtl, ChainedTilesMatchTheNumerics) {
  for (uint32_t seed = 1; seed <= 5; ++seed) EXPECT_EQ(check_chain<Vtsp_mxm_cell>(seed), "") << "seed " << seed;
}
TEST(MxmRtl, WeightsInstallExactlyAfterTheIwLatency) { EXPECT_EQ(check_install<Vtsp_mxm_cell>(1), ""); }
TEST(MxmRtl, SlotsSetAddAndEmitAfterTheAccLatency) {
  EXPECT_EQ(check_slots<Vtsp_mxm_cell>(3, DType::u8, DType::i8, DType::u8), "");
}
TEST(MxmRtl, FloatChainedTilesMatchTheNumerics) {
  for (uint32_t seed = 1; seed <= 40; ++seed) EXPECT_EQ(check_float_chain<Vtsp_mxm_cell>(seed), "");
}
TEST(MxmRtl, FloatTiesRoundToEven) { EXPECT_EQ(check_float_ties<Vtsp_mxm_cell>(), ""); }
TEST(MxmRtl, FloatSlotsAddInF32AndEmitAsI32OrF32) {
  for (uint32_t seed = 1; seed <= 8; ++seed)
    EXPECT_EQ(check_slots<Vtsp_mxm_cell>(seed, seed % 2 ? DType::f16 : DType::bf16, DType::f16, DType::bf16), "");
}

TEST(MxmRtl, F32SlotAddFlushesAndOverflows) { EXPECT_EQ(check_slot_add_edges<Vtsp_mxm_cell>(), ""); }
TEST(MxmRtl, EverySlotsKindFollowsItsLastWrite) { EXPECT_EQ(check_every_slot_kind<Vtsp_mxm_cell>(), ""); }
TEST(MxmRtl, ResetPulseDropsReadsAndInstallsAndClearsKinds) { EXPECT_EQ(check_reset_pulse<Vtsp_mxm_cell>(4), ""); }

TEST(MxmRtl, PlantedRtlFailsTheInstallAndFloatChecksOnly) {
  EXPECT_NE(check_install<Vtsp_mxm_cell_planted>(1), "");
  EXPECT_NE(check_float_ties<Vtsp_mxm_cell_planted>(), "");
  std::string any;
  for (uint32_t seed = 1; seed <= 40 && any.empty(); ++seed) any = check_float_chain<Vtsp_mxm_cell_planted>(seed);
  EXPECT_NE(any, "") << "random float sums never hit a tie";
  EXPECT_EQ(check_chain<Vtsp_mxm_cell_planted>(1), "");  // the integer arithmetic is intact
  EXPECT_EQ(check_slots<Vtsp_mxm_cell_planted>(3, DType::u8, DType::i8, DType::u8), "");
}

}  // namespace
