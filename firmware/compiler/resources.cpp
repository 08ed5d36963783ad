#include "firmware/compiler/resources.hpp"

#include <algorithm>

namespace tsp::compiler {

Resources::Resources(const isa::Config& cfg)
    : banks_(cfg.mem_banks),
      streams_per_dir_(cfg.streams_per_direction),
      queues_(cfg.queue_table.size()),
      tx_(cfg.queue_table.size()),
      mem_(cfg.mem_slices),
      streams_(2 * size_t(cfg.streams_per_direction)) {}

bool Resources::runs_free(const Runs& m, Cycle t, uint64_t n) {
  auto it = m.upper_bound(t);  // first run starting after t
  if (it != m.end() && it->first < t + Cycle(n)) return false;
  if (it != m.begin() && std::prev(it)->second > t) return false;
  return true;
}

bool Resources::mem_clash(const MemAccess& a, const MemAccess& b, uint32_t banks) {
  const Cycle lo = std::max(a.c0, b.c0), hi = std::min(a.end(), b.end());
  if (lo >= hi) return false;
  const auto bank = [&](int64_t address) { return ((address % banks) + banks) % banks; };
  if (a.any_bank || b.any_bank) {
    for (Cycle c = lo; c < hi; ++c)
      if (a.at(c) && b.at(c)) return true;
    return false;
  }
  if (a.every == 1 && b.every == 1) {
    if (a.write == b.write) return true;  // one read port and one write port per slice
    if (a.stride == 1 && b.stride == 1)   // the address difference is the same every cycle
      return bank(a.addr(lo) - b.addr(lo)) == 0;
  }
  for (Cycle c = lo; c < hi; ++c)
    if (a.at(c) && b.at(c) && (a.write == b.write || bank(a.addr(c)) == bank(b.addr(c)))) return true;
  return false;
}

bool Resources::mem_free(const MemAccess& a) const {
  for (const MemAccess& b : mem_.at(a.slice))
    if (mem_clash(a, b, banks_)) return false;
  return true;
}

bool Resources::stream_clash(const StreamUse& a, const StreamUse& b) {
  if (a.stream != b.stream || a.west != b.west) return false;
  if (std::max(a.w0, b.w0) >= std::min(a.w0 + int64_t(a.n), b.w0 + int64_t(b.n))) return false;
  return std::max(a.pmin, b.pmin) <= std::min(a.pmax, b.pmax);
}

bool Resources::stream_free(const StreamUse& u) const {
  for (const StreamUse& v : streams_.at(key(u)))
    if (stream_clash(u, v)) return false;
  return true;
}

}  // namespace tsp::compiler
