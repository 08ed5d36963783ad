#include "firmware/image/region_index.hpp"

#include <algorithm>

namespace tsp::image {

RegionIndex::Span RegionIndex::span_of(const isa::Config& cfg, const SramSegment& s) {
  return {s.slice, s.address, s.address + s.bytes.size() / cfg.vector_bytes};
}

RegionIndex::Span RegionIndex::span_of(const GeneratedSegment& g) {
  return {g.slice, g.address, uint64_t{g.address} + g.vectors};
}

void RegionIndex::add(const isa::Config& cfg, const SramSegment& s) {
  segments_.push_back(span_of(cfg, s));
  sorted_ = false;
}

void RegionIndex::add(const GeneratedSegment& g) {
  const Span s = span_of(g);
  regions_[{s.slice, s.begin}] = s.end;
}

// Disjoint regions sorted by start have increasing ends: only the last one
// that starts before s ends can reach into s.
bool RegionIndex::region_overlaps(const Span& s) const {
  auto it = regions_.lower_bound({s.slice, s.end});
  if (it == regions_.begin()) return false;
  --it;
  return it->first.first == s.slice && it->second > s.begin;
}

bool RegionIndex::segment_overlaps(const Span& s) const {
  if (!sorted_) {
    std::sort(segments_.begin(), segments_.end());
    max_end_.resize(segments_.size());
    for (size_t i = 0; i < segments_.size(); ++i)
      max_end_[i] = i > 0 && segments_[i - 1].slice == segments_[i].slice
                        ? std::max(max_end_[i - 1], segments_[i].end)
                        : segments_[i].end;
    sorted_ = true;
  }
  // The segments of s's slice that start before s ends reach into it if the furthest-reaching does.
  const auto it = std::lower_bound(segments_.begin(), segments_.end(), Span{s.slice, s.end, 0});
  if (it == segments_.begin()) return false;
  const size_t last = size_t(it - segments_.begin()) - 1;
  return segments_[last].slice == s.slice && max_end_[last] > s.begin;
}

bool RegionIndex::overlaps_region(const isa::Config& cfg, const SramSegment& s) const {
  return region_overlaps(span_of(cfg, s));
}

bool RegionIndex::overlaps_any(const GeneratedSegment& g) const {
  const Span s = span_of(g);
  return region_overlaps(s) || segment_overlaps(s);
}

}  // namespace tsp::image
