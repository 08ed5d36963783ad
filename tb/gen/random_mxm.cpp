// Random MXM programs on plane 0 of a hemisphere the seed picks: weight sets
// (i8 or u8, rows read from MEM.<h>.3) loaded and installed one after the other, ABCs (i8/u8, set or add
// into a few slots) fed from MEM.<h>.2 at random cycles, always including the
// cycle before and the cycle of every install after the first (the double
// buffering boundary), and ACCs (i32, some f32) of written slots. Integer only:
// the MXM RTL has no float path. Legal by construction: every stream has one
// producer, every queue one instruction per cycle, arrival cycles from
// firmware/sched/timing.hpp. No ACC shares a cycle with an ABC of its plane:
// whether it sees that ABC's sum depends in the model on the order in which
// the two queues issue (docs/timing.md leaves it open), so it is no contract.
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
  // Operands flow from the MEM slices out to the plane, results back in.
  const std::string h = rng() % 2 ? "W" : "E";
  const bool out_west = h == "W";
  const auto in_stream = [&](unsigned i) { return out_west ? image::west(i) : image::east(i); };
  const int64_t result_streams = out_west ? image::east(4) : image::west(4);
  const std::string weights = "MXM." + h + ".0", acts = "MXM." + h + ".1", results = "MXM." + h + ".2";
  const std::string wmem = "MEM." + h + ".3", amem = "MEM." + h + ".2";
  const uint16_t mx = tl.b.position(weights);
  // Cycles from a READ's issue to its value at the MXM.
  const uint64_t dw = *sched::arrival(tl.b.position(wmem), lat_read, out_west, mx);
  const uint64_t da = *sched::arrival(tl.b.position(amem), lat_read, out_west, mx);
  const uint32_t sets = std::min<uint32_t>(2 + o.instructions / 64, cfg.mem_addresses / n);

  // Weight sets: row k of set s at MEM.W.3 address s * n + k, LW one row a cycle, then IW.
  std::vector<uint64_t> install(sets);
  uint64_t lw = dw;
  for (uint32_t s = 0; s < sets; ++s) {
    const DType type = rng() % 2 ? DType::i8 : DType::u8;
    for (uint32_t k = 0; k < n; ++k) {
      const uint32_t addr = s * n + k;
      tl.b.sram(wmem, addr, random_vector(rng, cfg.lanes));
      tl.at(wmem, lw + k - dw, Op::READ, {addr, in_stream(0)});
      tl.at(weights, lw + k, Op::LW, {in_stream(0), 1, k, int64_t(type)});
    }
    tl.at(weights, lw + n, Op::IW, {});
    install[s] = lw + n + lat_iw;
    lw = install[s] + rng() % 8;  // the next set loads once this one is in
  }

  // ABC cycles: the install boundaries plus random ones.
  std::set<uint64_t> abc_at = {install[0]};
  for (uint32_t s = 1; s < sets; ++s) abc_at.insert({install[s] - 1, install[s]});
  const uint64_t span = install.back() + 32 - install[0];
  const uint64_t want = std::min<uint64_t>({std::max<uint32_t>(o.instructions, 8), span, cfg.mem_addresses});
  while (abc_at.size() < want) abc_at.insert(install[0] + rng() % span);

  // The ABC before each install owns the last slot, so nothing else touches it before its ACC.
  const uint32_t slots = std::min<uint32_t>(8, cfg.mxm_acc_slots);
  std::vector<bool> written(slots, false);
  const auto acc_cycle = [&](uint64_t from) {  // the first cycle from `from` with the ACC queue free and no ABC
    uint64_t c = std::max(from, tl.free(results));
    while (abc_at.count(c)) ++c;
    return c;
  };
  uint32_t i = 0;
  for (const uint64_t t : abc_at) {
    const bool boundary = std::count(install.begin() + 1, install.end(), t + 1) > 0;
    const auto slot = boundary ? slots - 1 : static_cast<uint32_t>(rng() % (slots - 1));
    const bool add = !boundary && written[slot] && rng() % 2;
    const DType type = rng() % 2 ? DType::i8 : DType::u8;
    tl.b.sram(amem, i, random_vector(rng, cfg.lanes));
    tl.at(amem, t - da, Op::READ, {i, in_stream(1)});
    tl.at(acts, t, Op::ABC, {in_stream(1), slot, add ? 1 : 0, int64_t(type)});
    written[slot] = true;
    ++i;
    if (boundary) {  // emit its slot, where the old and new weight sets differ
      tl.at(results, acc_cycle(t + 1), Op::ACC, {result_streams, slot, int64_t(DType::i32)});
    } else if (rng() % 2) {  // an ACC of a written slot, now or a little later
      std::vector<uint32_t> live;
      for (uint32_t s = 0; s < slots; ++s)
        if (written[s]) live.push_back(s);
      const uint64_t tc = acc_cycle(t + 1 + rng() % 3);
      const DType out = rng() % 4 ? DType::i32 : DType::f32;
      tl.at(results, tc, Op::ACC, {result_streams, live[rng() % live.size()], int64_t(out)});
    }
  }
  return tl.finish();
}

}  // namespace tsp::gen
