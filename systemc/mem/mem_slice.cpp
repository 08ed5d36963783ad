#include "systemc/mem/mem_slice.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "common/error.hpp"
#include "common/generated_bytes.hpp"

namespace tsp::model {
#ifdef TSP_PLANT_BUG_ENGINE
extern int planted_engine_bug;  // tests/cosim/planted_engine.cpp
#endif

const Vec MemSlice::kZero{};

MemSlice::MemSlice(const isa::Config& cfg)
    : lanes_(cfg.lanes),
      pages_(std::make_unique<std::unique_ptr<uint8_t[]>[]>((cfg.mem_addresses + kPageVectors - 1) / kPageVectors)),
      limit_(cfg.mem_addresses),
      superlanes_(cfg.superlanes) {
  if (cfg.lanes_per_superlane != secded::kDataBytes)
    throw Error("configuration " + std::string(cfg.name) +
                ": SECDED protects 16-byte superlane words, so "
                "lanes_per_superlane must be 16");
}

uint8_t* MemSlice::page(uint32_t address) {
  flush();
  auto& p = pages_[address / kPageVectors];
  // Value-initialised (zero), and padded so the last vector reads as a whole Vec (stored()).
  if (!p) {
    p = std::make_unique<uint8_t[]>(size_t(kPageVectors) * lanes_ + (isa::kMaxLanes - lanes_));
    const uint32_t first = address / kPageVectors * kPageVectors;  // materialise its generated vectors
    for (uint32_t i = 0; i < kPageVectors && first + i < limit_; ++i) generate(first + i, &p[size_t(i) * lanes_]);
  }
  return p.get();
}

void MemSlice::add_generated(uint32_t address, uint32_t vectors, uint32_t lanes, uint64_t seed, uint32_t tensor,
                             uint8_t keep, uint8_t set, uint32_t period, uint32_t last_lanes) {
  flush();
  if (gen_page_.empty()) gen_page_.assign((limit_ + kPageVectors - 1) / kPageVectors, 0);
  generated_.push_back({address, address + vectors, std::min(lanes, lanes_), genbytes::key(seed, tensor), keep, set,
                        period, std::min(last_lanes, lanes_)});
  for (uint32_t a = address; a < address + vectors; a += kPageVectors - a % kPageVectors)
    gen_page_[a / kPageVectors] = 1;
  for (uint32_t a = address; a < address + vectors; ++a)  // a page stored already holds them as written
    if (pages_[a / kPageVectors]) generate(a, touch(a));
}

void MemSlice::clear_generated() {
  generated_.clear();
  gen_page_.clear();
}

uint64_t MemSlice::stored_pages() const {
  flush();
  uint64_t n = 0;
  for (uint32_t p = 0; p < (limit_ + kPageVectors - 1) / kPageVectors; ++p) n += pages_[p] != nullptr;
  return n;
}

uint32_t MemSlice::unwritten_generated(uint32_t address, uint32_t most) const {
  flush();
  const uint64_t end = std::min<uint64_t>(uint64_t(address) + most, limit_);
  uint32_t a = address;
  while (a < end && !pages_[a / kPageVectors]) {
    const auto g = std::find_if(generated_.begin(), generated_.end(),
                                [a](const Generated& r) { return a >= r.begin && a < r.end; });
    if (g == generated_.end()) break;
    a = static_cast<uint32_t>(std::min<uint64_t>({end, g->end, (a / kPageVectors + 1) * uint64_t(kPageVectors)}));
  }
  return a - address;
}

bool MemSlice::generate_slow(uint32_t address, uint8_t* out) const {
  for (const Generated& g : generated_)
    if (address >= g.begin && address < g.end) {
      const uint32_t lanes = g.period && (address - g.begin) % g.period == g.period - 1 ? g.last_lanes : g.lanes;
      genbytes::fill(g.key, uint64_t(address) * lanes_, out, lanes, g.keep, g.set);
      std::memset(out + lanes, 0, lanes_ - lanes);
      return true;
    }
  return false;
}

void MemSlice::flush_pending() const {
  const uint32_t n = pending_n_;
  pending_n_ = 0;  // before touch(): page() flushes too
  // Sources back to back (a READ REPEAT through one page) go in one memcpy
  // per destination page, which for kilobytes beats any vector-sized loop.
  for (uint32_t i = 0; i < n;) {
    const uint32_t address = pending_at_ + i;
    uint8_t* to = const_cast<MemSlice*>(this)->touch(address);
    const uint32_t page_end = std::min(n, i + (kPageVectors - address % kPageVectors));
    uint32_t j = i + 1;
    while (j < page_end &&
           reinterpret_cast<uintptr_t>(pending_from_[j]) == reinterpret_cast<uintptr_t>(pending_from_[j - 1]) + lanes_)
      ++j;
    std::memcpy(to, pending_from_[i], size_t(j - i) * lanes_);
#ifdef TSP_PLANT_BUG_ENGINE  // test-only build (tests/cosim/planted_engine.cpp): a late WRITE's bit 0 inverted
    if (planted_engine_bug == 2) to[0] ^= 1;
#endif
    i = j;
  }
}

MemSlice::ReadResult MemSlice::read_checked(uint32_t address, Vec& out) const {
  ReadResult r;
  for (uint32_t sl = 0; sl < superlanes_; ++sl) {
    const auto status = read_word(address, sl, &out.bytes[sl * secded::kDataBytes]);
    if (status == secded::Status::Corrected) ++r.corrected;
    if (status == secded::Status::Uncorrectable && r.uncorrectable_superlane < 0) r.uncorrectable_superlane = int(sl);
  }
  return r;
}

void MemSlice::forget_faults(uint32_t address) {
  for (uint32_t sl = 0; sl < superlanes_; ++sl) faults_.erase(uint64_t(address) * superlanes_ + sl);
}

secded::Status MemSlice::read_word(uint32_t address, uint32_t superlane, uint8_t* out) const {
  flush();
  const auto it = faults_.find(uint64_t(address) * superlanes_ + superlane);
  if (it == faults_.end()) {
    const uint8_t* v = find(address);
    Vec whole;
    if (!v && generate(address, whole.bytes.data())) v = whole.bytes.data();
    if (v)
      std::memcpy(out, v + superlane * secded::kDataBytes, secded::kDataBytes);
    else
      std::memset(out, 0, secded::kDataBytes);
    return secded::Status::Clean;
  }
  secded::Word word = it->second.data;
  uint16_t check = it->second.check;
  const auto d = secded::decode(word, check);
  std::memcpy(out, word.data(), secded::kDataBytes);
  return d.status;
}

void MemSlice::write_word(uint32_t address, uint32_t superlane, const uint8_t* in) {
  flush();
  std::memcpy(touch(address) + superlane * secded::kDataBytes, in, secded::kDataBytes);
  faults_.erase(uint64_t(address) * superlanes_ + superlane);
}

void MemSlice::flip(uint32_t address, uint32_t superlane, uint32_t bit) {
  flush();
  const uint64_t key = uint64_t(address) * superlanes_ + superlane;
  auto it = faults_.find(key);
  if (it == faults_.end()) {
    Fault f{};
    Vec whole;
    const uint8_t* v = find(address);
    if (!v && generate(address, whole.bytes.data())) v = whole.bytes.data();
    if (v) std::copy_n(v + superlane * secded::kDataBytes, secded::kDataBytes, f.data.begin());
    f.check = secded::encode(f.data);
    it = faults_.emplace(key, f).first;
  }
  if (bit < secded::kDataBits)
    it->second.data[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  else
    it->second.check ^= static_cast<uint16_t>(1u << (bit - secded::kDataBits));
}

}  // namespace tsp::model
