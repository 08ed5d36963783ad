// Random MXM programs: weight sets (i8 or u8, rows read from MEM.W.3) loaded
// and installed on the west plane one after the other, ABCs (i8/u8, set or add
// into a few slots) fed from MEM.W.2 at random cycles, always including the
// cycle before and the cycle of every install after the first (the double
// buffering boundary), and ACCs (i32, some f32) of written slots. Integer only:
// the MXM RTL has no float path. Legal by construction: every stream has one
// producer, every queue one instruction per cycle, arrival cycles from
// firmware/sched/timing.hpp.
#include <algorithm>
#include <random>
#include <set>

#include "tb/gen/queue_timeline.hpp"
#include "tb/gen/random_program.hpp"

namespace tsp::gen {

namespace {

using isa::DType;
using isa::Op;

uint8_t random_byte(std::mt19937_64& rng) {
  static constexpr uint8_t kExtremes[] = {0x80, 0x7F, 0xFF, 0x00};
  return rng() % 8 == 0 ? kExtremes[rng() % 4] : static_cast<uint8_t>(rng());
}

std::vector<uint8_t> random_vector(std::mt19937_64& rng, uint32_t lanes) {
  std::vector<uint8_t> v(lanes);
  for (auto& x : v) x = random_byte(rng);
  return v;
}

}  // namespace

image::Image random_mxm(const RandomOptions& o) {
  QueueTimeline tl(o.config);
  const isa::Config& cfg = tl.b.config();
  std::mt19937_64 rng(o.seed);
  const uint32_t n = cfg.mxm_dim;
  const uint64_t lat_read = isa::op_desc(Op::READ).latency, lat_iw = isa::op_desc(Op::IW).latency;
  const uint16_t mx = tl.b.position("MXM.W.0");
  // Cycles from a READ's issue to its value at the MXM (westward streams).
  const uint64_t dw = *sched::arrival(tl.b.position("MEM.W.3"), lat_read, true, mx);
  const uint64_t da = *sched::arrival(tl.b.position("MEM.W.2"), lat_read, true, mx);
  const uint32_t sets = std::min<uint32_t>(2 + o.instructions / 64, cfg.mem_addresses / n);

  // Weight sets: row k of set s at MEM.W.3 address s * n + k, LW one row a cycle, then IW.
  std::vector<uint64_t> install(sets);
  uint64_t lw = dw;
  for (uint32_t s = 0; s < sets; ++s) {
    const DType type = rng() % 2 ? DType::i8 : DType::u8;
    for (uint32_t k = 0; k < n; ++k) {
      const uint32_t addr = s * n + k;
      tl.b.sram("MEM.W.3", addr, random_vector(rng, cfg.lanes));
      tl.at("MEM.W.3", lw + k - dw, Op::READ, {addr, image::west(0)});
      tl.at("MXM.W.0", lw + k, Op::LW, {image::west(0), 1, k, int64_t(type)});
    }
    tl.at("MXM.W.0", lw + n, Op::IW, {});
    install[s] = lw + n + lat_iw;
    lw = install[s] + rng() % 8;  // the next set loads once this one is in
  }

  // ABC cycles: the install boundaries plus random ones.
  std::set<uint64_t> abc_at = {install[0]};
  for (uint32_t s = 1; s < sets; ++s) abc_at.insert({install[s] - 1, install[s]});
  const uint64_t span = install.back() + 32 - install[0];
  const uint64_t want = std::min<uint64_t>({std::max<uint32_t>(o.instructions, 8), span, cfg.mem_addresses});
  while (abc_at.size() < want) abc_at.insert(install[0] + rng() % span);

  const uint32_t slots = std::min<uint32_t>(8, cfg.mxm_acc_slots);
  std::vector<bool> written(slots, false);
  uint32_t i = 0;
  for (const uint64_t t : abc_at) {
    const auto slot = static_cast<uint32_t>(rng() % slots);
    const bool add = written[slot] && rng() % 2;
    const DType type = rng() % 2 ? DType::i8 : DType::u8;
    tl.b.sram("MEM.W.2", i, random_vector(rng, cfg.lanes));
    tl.at("MEM.W.2", t - da, Op::READ, {i, image::west(1)});
    tl.at("MXM.W.1", t, Op::ABC, {image::west(1), slot, add ? 1 : 0, int64_t(type)});
    written[slot] = true;
    ++i;
    if (std::count(install.begin() + 1, install.end(), t + 1)) {
      // The ABC just before an install: emit its slot right away, where the
      // old and new weight sets differ.
      tl.at("MXM.W.2", std::max(t, tl.free("MXM.W.2")), Op::ACC, {image::east(4), slot, int64_t(DType::i32)});
    } else if (rng() % 2) {  // an ACC of a written slot, now or a little later
      std::vector<uint32_t> live;
      for (uint32_t s = 0; s < slots; ++s)
        if (written[s]) live.push_back(s);
      const uint64_t tc = std::max<uint64_t>(t + rng() % 3, tl.free("MXM.W.2"));
      const DType out = rng() % 4 ? DType::i32 : DType::f32;
      tl.at("MXM.W.2", tc, Op::ACC, {image::east(4), live[rng() % live.size()], int64_t(out)});
    }
  }
  return tl.finish();
}

}  // namespace tsp::gen
