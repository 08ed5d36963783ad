#pragma once
// One chip's SRAM segments and generated regions by slice and address, so
// that parse() asks whether a new one overlaps any in O(log n):
// check_generated scans them all, and a chip of the 576-chip Llama image has
// about 800 regions, parsed once by the run and once by the chip's loader.
// The scan still words the error once an overlap is known.
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "firmware/image/image.hpp"

namespace tsp::image {

class RegionIndex {
 public:
  // Segments may overlap each other; regions must not (each is checked on arrival).
  void add(const isa::Config& cfg, const SramSegment& s);
  void add(const GeneratedSegment& g);
  bool overlaps_region(const isa::Config& cfg, const SramSegment& s) const;
  bool overlaps_any(const GeneratedSegment& g) const;  // a region or a segment

 private:
  struct Span {
    uint16_t slice;
    uint64_t begin, end;  // vector addresses [begin, end)
    auto operator<=>(const Span&) const = default;
  };
  static Span span_of(const isa::Config& cfg, const SramSegment& s);
  static Span span_of(const GeneratedSegment& g);
  bool region_overlaps(const Span& s) const;
  bool segment_overlaps(const Span& s) const;

  std::map<std::pair<uint16_t, uint64_t>, uint64_t> regions_;  // (slice, begin) -> end
  // Sorted when asked (segments come before a chip's regions, in one run),
  // with each one's largest end so far in its slice.
  mutable std::vector<Span> segments_;
  mutable std::vector<uint64_t> max_end_;
  mutable bool sorted_ = true;
};

}  // namespace tsp::image
