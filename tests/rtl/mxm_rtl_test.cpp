// The MXM supercell RTL on its own, against common/numerics (docs/numerics.md
// §7): random i8/u8 weights and activations with the -128/127/255 extremes,
// sums chained through several tiles along K, set/add accumulator slots, and
// the ISA table's timing: an ABC presented LatIw - 1 cycles after IW uses the
// old weights and one at LatIw the new ones; an ACC read emits after LatAcc.
// Every check returns the first mismatch as text; the same checks run on the
// planted RTL (weights installed one cycle early) must report one.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vtsp_mxm_cell.h"
#include "Vtsp_mxm_cell_planted.h"
#include "common/numerics/mxm.hpp"
#include "firmware/isa/isa.hpp"
#include "tb/cosim/rtl_bits.hpp"
#include "tb/cosim/rtl_coverage.hpp"

namespace {

namespace bits = tsp::cosim::bits;
const uint32_t kDim = tsp::isa::find_config("tsp1")->lanes_per_superlane;
const uint32_t kLatIw = tsp::isa::op_desc(tsp::isa::Op::IW).latency;
const uint32_t kLatAcc = tsp::isa::op_desc(tsp::isa::Op::ACC).latency;

using Block = std::vector<std::vector<uint8_t>>;  // [k][n]

Block random_block(std::mt19937& rng) {
  Block w(kDim, std::vector<uint8_t>(kDim));
  for (auto& row : w)
    for (auto& x : row) x = uint8_t(rng());
  w[0].assign(kDim, 0x80);  // extremes: -128 (or 128 as u8), 127, 255 (-1 as i8)
  w[1].assign(kDim, 0x7F);
  w[2].assign(kDim, 0xFF);
  return w;
}

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
  void lw(const Block& w, bool is_signed) {
    idle();
    m->lw_valid_i = 1;
    m->lw_rows_i = static_cast<uint16_t>((1u << kDim) - 1);
    m->lw_signed_i = is_signed;
    for (uint32_t k = 0; k < kDim; ++k)
      for (uint32_t n = 0; n < kDim; ++n) bits::put(m->lw_w_i, 8 * (k * kDim + n), 8, w[k][n]);
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
  std::vector<uint32_t> abc(const std::vector<uint8_t>& a, bool a_signed, const std::vector<uint32_t>& acc_in,
                            uint32_t slot = 0, bool add = false) {
    idle();
    m->abc_valid_i = 1;
    m->abc_signed_i = a_signed;
    m->abc_slot_i = static_cast<uint8_t>(slot);
    m->abc_add_i = add;
    for (uint32_t j = 0; j < kDim; ++j) {
      bits::put(m->abc_a_i, 8 * j, 8, a[j]);
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

std::vector<uint32_t> host(const std::vector<uint8_t>& a, bool as, const Block& w, bool ws, std::vector<uint32_t> acc) {
  for (uint32_t n = 0; n < kDim; ++n) {
    std::vector<uint8_t> col(kDim);
    for (uint32_t k = 0; k < kDim; ++k) col[k] = w[k][n];
    acc[n] = uint32_t(acc[n] + uint32_t(tsp::num::dot_int(a, as, col, ws)));
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
    const bool ws = b % 2 == 0, as = b < 2;
    std::vector<uint8_t> a(kDim);
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
  std::vector<uint8_t> a(kDim);
  for (auto& x : a) x = uint8_t(rng());
  const std::vector<uint32_t> zero(kDim, 0);
  t.lw(old_w, true);
  t.iw();
  t.wait(kLatIw);
  t.lw(new_w, true);
  t.iw();                                    // cycle 0
  t.wait(kLatIw - 2);                        // cycles 1 .. LatIw - 2
  const auto before = t.abc(a, true, zero);  // presented at LatIw - 1
  if (auto d = diff("ABC at IW + LatIw - 1 (old weights)", host(a, true, old_w, true, zero), before); !d.empty())
    return d;
  // abc() used cycle LatIw - 1 and then read at LatIw without an edge: present the next ABC at LatIw.
  const auto after = t.abc(a, true, zero);
  return diff("ABC at IW + LatIw (new weights)", host(a, true, new_w, true, zero), after);
}

// Slots: set then add, read back LatAcc cycles after the read is presented.
template <class Cell>
std::string check_slots(uint32_t seed) {
  std::mt19937 rng(seed);
  Tile<Cell> t;
  const Block w = random_block(rng);
  std::vector<uint8_t> a0(kDim), a1(kDim);
  for (auto& x : a0) x = uint8_t(rng());
  for (auto& x : a1) x = uint8_t(rng());
  const std::vector<uint32_t> zero(kDim, 0);
  t.lw(w, false);
  t.iw();
  t.wait(kLatIw);
  t.abc(a0, true, zero, 5, false);
  t.abc(a1, false, zero, 5, true);
  t.wait(2);
  t.idle();
  t.m->rd_valid_i = 1;
  t.m->rd_slot_i = 5;
  t.edge();
  for (uint32_t c = 1; c <= kLatAcc; ++c) {
    t.idle();
    t.m->eval();
    if (bool(t.m->rd_valid_o) != (c == kLatAcc)) return fmt::format("ACC output valid={} at +{}", t.m->rd_valid_o, c);
    if (c < kLatAcc) t.edge();
  }
  std::vector<uint32_t> got(kDim);
  for (uint32_t j = 0; j < kDim; ++j) got[j] = bits::get(t.m->rd_data_o, 32 * j, 32);
  return diff("slot 5", host(a1, false, w, false, host(a0, true, w, false, zero)), got);
}

TEST(MxmRtl, ChainedTilesMatchTheNumerics) {
  for (uint32_t seed = 1; seed <= 5; ++seed) EXPECT_EQ(check_chain<Vtsp_mxm_cell>(seed), "") << "seed " << seed;
}
TEST(MxmRtl, WeightsInstallExactlyAfterTheIwLatency) { EXPECT_EQ(check_install<Vtsp_mxm_cell>(1), ""); }
TEST(MxmRtl, SlotsSetAddAndEmitAfterTheAccLatency) { EXPECT_EQ(check_slots<Vtsp_mxm_cell>(3), ""); }

TEST(MxmRtl, PlantedEarlyInstallFailsTheInstallCheckOnly) {
  EXPECT_NE(check_install<Vtsp_mxm_cell_planted>(1), "");
  EXPECT_EQ(check_chain<Vtsp_mxm_cell_planted>(1), "");  // the arithmetic itself is intact
}

}  // namespace
