// rtl/mem/tsp_mem_word.sv on its own, on what cosim never exercises (legal
// programs have no bank conflicts): the conflict flag follows the model's rule
// (bank = address mod 2 on both configurations), reads come back after the
// read latency of the ISA table (2: docs/timing.md, READ latency 2 - sram 0),
// a flipped bit is corrected and counted, two are flagged. Expected values
// are worked out by hand.
#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "tb/cosim/rtl_coverage.hpp"
#include "Vtsp_mem_word.h"
#include "verilated.h"

namespace {

class MemWord : public ::testing::Test {
 protected:
  MemWord() : ctx_(std::make_unique<VerilatedContext>()), rtl_(std::make_unique<Vtsp_mem_word>(ctx_.get())) {
    rtl_->rst_ni = 0;
    rtl_->eval();
    rtl_->rst_ni = 1;
    rtl_->eval();
  }
  ~MemWord() override { rtl_->final(); }

  // One cycle: ports as given, outputs sampled before the edge.
  struct Out {
    bool valid, corrected, uncorrectable, conflict;
    uint32_t word0;  // bytes 0..3 of rd_data_o
  };
  Out cycle(bool rd, uint32_t ra, bool wr, uint32_t wa, uint32_t wdata0 = 0) {
    rtl_->rd_en_i = rd;
    rtl_->rd_addr_i = ra;
    rtl_->wr_en_i = wr;
    rtl_->wr_addr_i = wa;
    for (unsigned i = 0; i < 4; ++i) rtl_->wr_data_i[i] = i == 0 ? wdata0 : 0;
    rtl_->clk_i = 0;
    rtl_->eval();
    const Out o{bool(rtl_->rd_valid_o), bool(rtl_->rd_corrected_o), bool(rtl_->rd_uncorrectable_o),
                bool(rtl_->conflict_o), rtl_->rd_data_o[0]};
    rtl_->clk_i = 1;
    rtl_->eval();
    return o;
  }
  void flip(uint32_t address, uint32_t bit) {
    rtl_->bd_en_i = 1;
    rtl_->bd_flip_i = 1;
    rtl_->bd_addr_i = address;
    rtl_->bd_bit_i = bit;
    rtl_->clk_i = 0;
    rtl_->eval();
    rtl_->clk_i = 1;
    rtl_->eval();
    rtl_->bd_en_i = 0;
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vtsp_mem_word> rtl_;
  tsp::cosim::CoverageSaver coverage_{ctx_.get(), "mem", rtl_->modelName()};  // dies before rtl_
};

TEST_F(MemWord, ConflictOnlyForReadAndWriteInOneBank) {
  EXPECT_TRUE(cycle(true, 4, true, 6).conflict);    // both even: bank 0
  EXPECT_TRUE(cycle(true, 7, true, 3).conflict);    // both odd: bank 1
  EXPECT_FALSE(cycle(true, 4, true, 5).conflict);   // banks 0 and 1
  EXPECT_FALSE(cycle(true, 4, false, 4).conflict);  // a read alone
  EXPECT_FALSE(cycle(false, 4, true, 4).conflict);  // a write alone
}

TEST_F(MemWord, ReadDataTwoCyclesAfterTheAccess) {
  cycle(false, 0, true, 9, 0xdeadbeef);           // written at the end of cycle 0
  EXPECT_FALSE(cycle(true, 9, false, 0).valid);   // cycle 1: read access
  EXPECT_FALSE(cycle(false, 0, false, 0).valid);  // cycle 2
  const Out o = cycle(false, 0, false, 0);        // cycle 3 = 1 + 2
  EXPECT_TRUE(o.valid);
  EXPECT_EQ(o.word0, 0xdeadbeefu);
  EXPECT_FALSE(cycle(false, 0, false, 0).valid);
}

TEST_F(MemWord, OneFlipCorrectedAndCountedTwoFlagged) {
  cycle(false, 0, true, 2, 0x12345678);
  flip(2, 3);  // data bit 3
  cycle(true, 2, false, 0);
  cycle(false, 0, false, 0);
  Out o = cycle(false, 0, false, 0);
  EXPECT_TRUE(o.valid && o.corrected && !o.uncorrectable);
  EXPECT_EQ(o.word0, 0x12345678u);
  cycle(false, 0, false, 0);
  EXPECT_EQ(rtl_->corrected_count_o, 1u);
  flip(2, 130);  // and a check bit: two flipped bits
  cycle(true, 2, false, 0);
  cycle(false, 0, false, 0);
  o = cycle(false, 0, false, 0);
  EXPECT_TRUE(o.valid && o.uncorrectable && !o.corrected);
}

// A reset pulse between clock edges (rst_ni falls, then rises) empties the
// read pipeline and clears the correction counter at once; the array keeps
// its words. (Every harness holds rst_ni low from time 0, so only this runs
// the asynchronous reset branches: docs/coverage.md.)
TEST_F(MemWord, ResetPulseEmptiesTheReadPipelineAndTheCounter) {
  cycle(false, 0, true, 2, 0x12345678);
  flip(2, 3);
  cycle(true, 2, false, 0);
  cycle(false, 0, false, 0);
  EXPECT_TRUE(cycle(false, 0, false, 0).corrected);
  EXPECT_EQ(rtl_->corrected_count_o, 1u);
  cycle(true, 2, false, 0);  // a read in flight
  rtl_->rst_ni = 0;
  rtl_->eval();
  EXPECT_FALSE(rtl_->rd_valid_o);
  EXPECT_EQ(rtl_->corrected_count_o, 0u);
  rtl_->rst_ni = 1;
  rtl_->eval();
  EXPECT_FALSE(cycle(false, 0, false, 0).valid);  // the read in flight is gone
  EXPECT_FALSE(cycle(false, 0, false, 0).valid);
  cycle(true, 2, false, 0);
  cycle(false, 0, false, 0);
  const Out o = cycle(false, 0, false, 0);
  EXPECT_TRUE(o.valid && o.corrected);
  EXPECT_EQ(o.word0, 0x12345678u);
  cycle(false, 0, false, 0);
  EXPECT_EQ(rtl_->corrected_count_o, 1u);
}

}  // namespace
