// Generated SRAM in a MEM slice (docs/image-format.md "Generated SRAM"):
// produced on read and never stored; a write materialises its page, generated
// bytes first, so a write then a read is exact; flips on generated words.
#include <gtest/gtest.h>

#include "common/generated_bytes.hpp"
#include "systemc/mem/mem_slice.hpp"

namespace {

using tsp::model::MemSlice;
using tsp::model::Vec;

const tsp::isa::Config& mini() { return *tsp::isa::find_config("mini"); }

// What lane `lane` of the vector at `address` must hold (docs' formula, byte by byte).
uint8_t want(uint32_t address, uint32_t lane, uint32_t lanes_generated) {
  const uint32_t L = mini().vector_bytes;
  return lane < lanes_generated ? tsp::genbytes::byte(tsp::genbytes::key(9, 4), uint64_t(address) * L + lane) : 0;
}

TEST(MemGenerated, ReadsTheGeneratorAndStoresNothing) {
  MemSlice m(mini());
  m.add_generated(70, 100, 20, 9, 4);  // addresses 70..169, lanes 0..19
  Vec v;
  for (uint32_t a : {70u, 100u, 169u}) {
    m.read(a, v);
    for (uint32_t l = 0; l < mini().vector_bytes; ++l) ASSERT_EQ(v.bytes[l], want(a, l, 20)) << a << " " << l;
  }
  m.read(170, v);  // past the region: never written, zero
  for (uint32_t l = 0; l < mini().vector_bytes; ++l) EXPECT_EQ(v.bytes[l], 0);
  EXPECT_EQ(m.stored_pages(), 0u);
}

// Rows of 3 column blocks whose last has 5 lanes (format 1.4's period).
TEST(MemGenerated, ARowsLastBlockReadsItsOwnLanes) {
  MemSlice m(mini());
  m.add_generated(70, 12, 32, 9, 4, 0xff, 0, 3, 5);
  Vec v;
  for (uint32_t a = 70; a < 82; ++a) {
    m.read(a, v);
    const uint32_t lanes = (a - 70) % 3 == 2 ? 5 : 32;
    for (uint32_t l = 0; l < mini().vector_bytes; ++l) ASSERT_EQ(v.bytes[l], want(a, l, lanes)) << a << " " << l;
  }
  EXPECT_EQ(m.stored_pages(), 0u);
}

// What a digest may skip: vectors generated and on pages never stored;
// reading them stores nothing, writing one stores its page (64 vectors).
TEST(MemGenerated, CountsGeneratedVectorsNeverWritten) {
  MemSlice m(mini());
  m.add_generated(70, 100, 32, 9, 4);
  m.add_generated(170, 10, 32, 9, 5);
  Vec v;
  m.read(100, v);
  EXPECT_EQ(m.unwritten_generated(70, 110), 110u);  // across two adjacent regions
  EXPECT_EQ(m.unwritten_generated(60, 20), 0u);     // starts before them
  EXPECT_EQ(m.unwritten_generated(175, 10), 5u);    // runs past them
  m.write(120, v);                                  // stores the page of 64 .. 127
  EXPECT_EQ(m.unwritten_generated(70, 100), 0u);
  EXPECT_EQ(m.unwritten_generated(128, 10), 10u);
}

TEST(MemGenerated, AWriteMaterialisesItsPageExactly) {
  MemSlice m(mini());
  m.add_generated(70, 100, 32, 9, 4);
  Vec w;
  w.bytes.fill(0x5a);
  m.write(100, w);  // page 64..127
  EXPECT_EQ(m.stored_pages(), 1u);
  Vec v;
  m.read(100, v);
  for (uint32_t l = 0; l < mini().vector_bytes; ++l) EXPECT_EQ(v.bytes[l], 0x5a);
  for (uint32_t a : {64u, 70u, 99u, 101u, 127u, 128u}) {  // the rest of the page, and the next (unstored) one
    m.read(a, v);
    for (uint32_t l = 0; l < mini().vector_bytes; ++l)
      ASSERT_EQ(v.bytes[l], a < 70 ? 0 : want(a, l, 32)) << a << " " << l;
  }
  EXPECT_EQ(m.stored_pages(), 1u);
}

TEST(MemGenerated, FlipsDecodeOverGeneratedWords) {
  MemSlice m(mini());
  m.add_generated(0, 8, 32, 9, 4);
  m.flip(3, 1, 5);
  uint8_t word[16];
  EXPECT_EQ(m.read_word(3, 1, word), tsp::model::secded::Status::Corrected);
  for (uint32_t i = 0; i < 16; ++i) EXPECT_EQ(word[i], want(3, 16 + i, 32)) << i;
  EXPECT_EQ(m.read_word(3, 0, word), tsp::model::secded::Status::Clean);
  for (uint32_t i = 0; i < 16; ++i) EXPECT_EQ(word[i], want(3, i, 32)) << i;
}

}  // namespace
