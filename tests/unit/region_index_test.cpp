// RegionIndex (firmware/image/region_index.hpp) answers what a scan of every
// segment and region answers, on random layouts with overlapping segments.
#include "firmware/image/region_index.hpp"

#include <gtest/gtest.h>

#include <random>

#include "firmware/isa/isa.hpp"

namespace tsp::image {
namespace {

const isa::Config& mini() { return *isa::find_config("mini"); }

bool overlap(uint16_t sa, uint64_t a0, uint64_t a1, uint16_t sb, uint64_t b0, uint64_t b1) {
  return sa == sb && a0 < b1 && b0 < a1;
}

TEST(RegionIndex, AgreesWithAScanOfEverySegmentAndRegion) {
  const isa::Config& cfg = mini();
  std::mt19937 rng(7);
  const auto pick = [&](uint32_t n) { return uint32_t(rng() % n); };
  for (int layout = 0; layout < 200; ++layout) {
    RegionIndex index;
    ChipProgram chip;
    for (int k = 0; k < 12; ++k) {  // segments may overlap each other
      SramSegment s{uint16_t(pick(3)), pick(60), std::vector<uint8_t>((1 + pick(6)) * cfg.vector_bytes)};
      index.add(cfg, s);
      chip.sram.push_back(std::move(s));
    }
    for (int k = 0; k < 40; ++k) {
      GeneratedSegment g{uint16_t(pick(3)), pick(80), 1 + pick(5), 32, 0, 1};
      bool scan = false;
      for (const auto& s : chip.sram)
        scan |= overlap(g.slice, g.address, g.address + g.vectors, s.slice, s.address,
                        s.address + s.bytes.size() / cfg.vector_bytes);
      for (const auto& o : chip.generated)
        scan |= overlap(g.slice, g.address, g.address + g.vectors, o.slice, o.address, o.address + o.vectors);
      ASSERT_EQ(index.overlaps_any(g), scan) << "layout " << layout << ", region " << k;
      ASSERT_EQ(scan, check_generated(cfg, chip, g).has_value());
      if (!scan) index.add(g), chip.generated.push_back(g);  // regions stay disjoint, as parse() keeps them
    }
    for (int k = 0; k < 20; ++k) {
      SramSegment s{uint16_t(pick(3)), pick(80), std::vector<uint8_t>((1 + pick(4)) * cfg.vector_bytes)};
      ASSERT_EQ(index.overlaps_region(cfg, s), check_segment_overlap(cfg, chip, s).has_value()) << "layout " << layout;
    }
  }
}

// A region that touches another's end, or sits on another slice, does not overlap it.
TEST(RegionIndex, TouchingAndOtherSlicesDoNotOverlap) {
  const isa::Config& cfg = mini();
  RegionIndex index;
  index.add(cfg, SramSegment{1, 4, std::vector<uint8_t>(2 * cfg.vector_bytes)});  // 4..5
  index.add(GeneratedSegment{2, 10, 5, 32, 0, 1});                               // 10..14
  EXPECT_FALSE(index.overlaps_any(GeneratedSegment{1, 6, 3, 32, 0, 1}));
  EXPECT_FALSE(index.overlaps_any(GeneratedSegment{1, 0, 4, 32, 0, 1}));
  EXPECT_TRUE(index.overlaps_any(GeneratedSegment{1, 5, 1, 32, 0, 1}));
  EXPECT_FALSE(index.overlaps_any(GeneratedSegment{2, 15, 1, 32, 0, 1}));
  EXPECT_TRUE(index.overlaps_any(GeneratedSegment{2, 14, 1, 32, 0, 1}));
  EXPECT_FALSE(index.overlaps_any(GeneratedSegment{3, 10, 5, 32, 0, 1}));
  EXPECT_FALSE(index.overlaps_region(cfg, SramSegment{2, 8, std::vector<uint8_t>(2 * cfg.vector_bytes)}));
  EXPECT_TRUE(index.overlaps_region(cfg, SramSegment{2, 9, std::vector<uint8_t>(2 * cfg.vector_bytes)}));
}

}  // namespace
}  // namespace tsp::image
