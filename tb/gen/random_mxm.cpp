// Random MXM programs on plane 0 of a hemisphere the seed picks: weight sets
// loaded and installed one after the other, each integer (i8 or u8) or float
// (f16 or bf16: two streams a row, low bytes from MEM.<h>.3, high bytes from
// MEM.<h>.1); ABCs fed from MEM.<h>.2 (and MEM.<h>.0 for the high bytes of a
// float activation) at random cycles, always including the cycle before every
// install after the first and, when the outgoing set is integer, the cycle of
// it (the double buffering boundary); set or add into a few slots (a window of
// 8 the seed places anywhere among the plane's); ACCs as i32
// or f32 of written slots, so both kinds of slot are emitted as both types.
// An ABC's type follows the set it multiplies by (float with float: f16 and
// bf16 mix freely; integer with integer); a float ABC keeps the plane for
// mxm_float_cycles, so no ABC follows one sooner. Float lanes are mostly
// moderate (products neither overflow nor flush, sums round often) with
// vectors of any exponent and, in one vector of four, a special lane (zeros,
// infinities, NaN, subnormals, the largest and smallest normals) mixed in.
// Directed corners in the random flow (docs/coverage.md): every float set
// whose number is even holds 1.0 in its last three weight rows, and a quarter
// of the float ABCs that multiply by one carry a crafted activation (+0 before
// its last three lanes) whose f32 sum is exact: all zeros (+0), 2^-126 -
// 1.5 * 2^-126 + (-0) (a negative sum below the smallest normal, flushed to
// -0, which the -0 product keeps), or three bf16 terms whose 24 ones make the
// largest finite f32. Pairs of integer ABCs in consecutive cycles become one
// ABC and a REPEAT of it (slot + 1), and every second ACC followed by a free
// cycle one ACC and a REPEAT (slot + 1), so the ICU expands REPEATs of both
// (their strided field, the slot, is not at bit 0).
// Legal by construction: every stream has one producer, every queue one
// instruction per cycle, arrival cycles from firmware/sched/timing.hpp. No ACC
// shares a cycle with an ABC of its plane: whether it sees that ABC's sum
// depends in the model on the order in which the two queues issue
// (docs/timing.md leaves it open), so it is no contract.
#include <algorithm>
#include <map>
#include <random>

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

bool is_float(DType t) { return isa::dtype_desc(t).is_float; }

// One float lane of type t (f16 or bf16) as raw bits.
uint16_t random_float(std::mt19937_64& rng, DType t, bool wide) {
  const bool bf = t == DType::bf16;
  const unsigned frac_bits = bf ? 7 : 10, bias = bf ? 127 : 15, top = bf ? 254 : 30;
  // Moderate: |x| in [2^-4, 2^4); wide: any finite normal exponent.
  const unsigned e = wide ? 1 + unsigned(rng() % top) : bias - 4 + unsigned(rng() % 8);
  const uint32_t frac = uint32_t(rng()) & ((1u << frac_bits) - 1);
  return static_cast<uint16_t>((rng() % 2) << 15 | e << frac_bits | frac);
}

uint16_t special_float(std::mt19937_64& rng, DType t) {
  static constexpr uint16_t kF16[] = {0x0000, 0x8000, 0x7C00, 0xFC00, 0x7E01, 0x0001, 0x83FF, 0x7BFF, 0x0400};
  static constexpr uint16_t kBF16[] = {0x0000, 0x8000, 0x7F80, 0xFF80, 0xFFC1, 0x0001, 0x807F, 0x7F7F, 0x0080};
  return t == DType::bf16 ? kBF16[rng() % std::size(kBF16)] : kF16[rng() % std::size(kF16)];
}

// A vector of float lanes as its low and high bytes.
std::pair<std::vector<uint8_t>, std::vector<uint8_t>> random_float_vector(std::mt19937_64& rng, DType t,
                                                                          uint32_t lanes) {
  const bool wide = rng() % 16 == 0;
  const bool special = rng() % 4 == 0;
  std::vector<uint8_t> lo(lanes), hi(lanes);
  for (uint32_t l = 0; l < lanes; ++l) {
    const uint16_t x = random_float(rng, t, wide);
    lo[l] = uint8_t(x);
    hi[l] = uint8_t(x >> 8);
  }
  if (special) {
    const uint32_t l = uint32_t(rng() % lanes);
    const uint16_t x = special_float(rng, t);
    lo[l] = uint8_t(x);
    hi[l] = uint8_t(x >> 8);
  }
  return {lo, hi};
}

// Crafted activations (the last three of the dot's lanes; the others +0) for
// a set with 1.0 in its last three rows: their dot is the sum of the three,
// exact in f32 (the +0 lanes before leave the sum at +0, x * +0 being +-0).
constexpr uint16_t kCrafted[][3] = {
    {0x0000, 0x0000, 0x0000},  // +0
    {0x0080, 0x80C0, 0x8000},  // bf16 2^-126 - 1.5 * 2^-126 = -2^-127: flushed to -0; -0 + -0 = -0
    {0x7F7F, 0x7B7F, 0x777F},  // bf16 (2 - 2^-7) * (2^127 + 2^119 + 2^111) = 0x7F7FFFFF
};

DType int_type(std::mt19937_64& rng) { return rng() % 2 ? DType::i8 : DType::u8; }
DType float_type(std::mt19937_64& rng) { return rng() % 2 ? DType::f16 : DType::bf16; }

}  // namespace

image::Image random_mxm(const RandomOptions& o) {
  QueueTimeline tl(o.config);
  const isa::Config& cfg = tl.b.config();
  std::mt19937_64 rng(o.seed);
  const uint32_t n = cfg.mxm_dim;
  const uint64_t lat_read = isa::op_desc(Op::READ).latency, lat_iw = isa::op_desc(Op::IW).latency;
  const uint64_t float_cycles = cfg.mxm_float_cycles;
  // Operands flow from the MEM slices out to the plane, results back in.
  const std::string h = rng() % 2 ? "W" : "E";
  const bool out_west = h == "W";
  const auto in_stream = [&](unsigned i) { return out_west ? image::west(i) : image::east(i); };
  const int64_t result_streams = out_west ? image::east(4) : image::west(4);
  const std::string weights = "MXM." + h + ".0", acts = "MXM." + h + ".1", results = "MXM." + h + ".2";
  // Weights on streams 0 (low bytes) and 1 (high), activations on 2 and 3.
  const std::string wmem = "MEM." + h + ".3", whi = "MEM." + h + ".1";
  const std::string amem = "MEM." + h + ".2", ahi = "MEM." + h + ".0";
  const uint16_t mx = tl.b.position(weights);
  // Cycles from a READ's issue to its value at the MXM.
  const auto delay = [&](const std::string& mem) {
    return *sched::arrival(tl.b.position(mem), lat_read, out_west, mx);
  };
  const uint64_t dw = delay(wmem), dwh = delay(whi), da = delay(amem), dah = delay(ahi);
  const uint32_t sets = std::min<uint32_t>(2 + o.instructions / 64, cfg.mem_addresses / n);

  // Weight sets: row k of set s at address s * n + k, LW one row a cycle, then IW.
  std::vector<uint64_t> install(sets);
  std::vector<DType> set_type(sets);
  uint64_t lw = std::max(dw, dwh);
  for (uint32_t s = 0; s < sets; ++s) {
    const DType type = rng() % 2 ? float_type(rng) : int_type(rng);
    set_type[s] = type;
    for (uint32_t k = 0; k < n; ++k) {
      const uint32_t addr = s * n + k;
      if (is_float(type)) {
        std::vector<uint8_t> lo(n), hi(n);
        std::tie(lo, hi) = random_float_vector(rng, type, cfg.lanes);
        if (s % 2 == 0 && k + 3 >= n) {  // 1.0 in the last three rows of an even float set
          const uint16_t one = type == DType::bf16 ? 0x3F80 : 0x3C00;
          std::fill(lo.begin(), lo.end(), uint8_t(one));
          std::fill(hi.begin(), hi.end(), uint8_t(one >> 8));
        }
        tl.b.sram(wmem, addr, lo);
        tl.b.sram(whi, addr, hi);
        tl.at(whi, lw + k - dwh, Op::READ, {addr, in_stream(1)});
      } else {
        tl.b.sram(wmem, addr, random_vector(rng, cfg.lanes));
      }
      tl.at(wmem, lw + k - dw, Op::READ, {addr, in_stream(0)});
      // Every second set loads rows 1..n-1 as a REPEAT of row 0's LW (stride 1
      // on its strided field, the row, which does not start at bit 0): the
      // same LWs in the same cycles, so the ICU's REPEAT of an MXM op is
      // exercised (docs/coverage.md). Decided by s, not drawn: the seeds'
      // programs stay what they were otherwise.
      const bool repeat = s % 2 == 1 && n > 1;
      if (!repeat || k == 0) tl.at(weights, lw + k, Op::LW, {in_stream(0), is_float(type) ? 2 : 1, k, int64_t(type)});
      if (repeat && k == 0) tl.at(weights, lw + 1, Op::REPEAT, {int64_t(n) - 1, 1, 1});
    }
    tl.at(weights, lw + n, Op::IW, {});
    install[s] = lw + n + lat_iw;
    lw = install[s] + rng() % 8;  // the next set loads once this one is in
  }
  // The set an ABC at cycle t multiplies by.
  const auto set_at = [&](uint64_t t) {
    uint32_t s = 0;
    while (s + 1 < sets && install[s + 1] <= t) ++s;
    return s;
  };

  // ABC cycles (with whether each is float): the install boundaries, then
  // random ones where the float rate allows them.
  std::map<uint64_t, bool> abc_at = {{install[0], is_float(set_type[0])}};
  for (uint32_t s = 1; s < sets; ++s) {
    abc_at[install[s] - 1] = is_float(set_type[s - 1]);
    if (!is_float(set_type[s - 1])) abc_at[install[s]] = is_float(set_type[s]);
  }
  const uint64_t span = install.back() + 32 - install[0];
  const uint64_t want = std::min<uint64_t>({std::max<uint32_t>(o.instructions, 8), span, cfg.mem_addresses});
  for (uint64_t tries = 0; abc_at.size() < want && tries < 64 * want; ++tries) {
    const uint64_t t = install[0] + rng() % span;
    if (abc_at.count(t)) continue;
    const bool fl = is_float(set_type[set_at(t)]);
    const auto next = abc_at.upper_bound(t);
    if (next != abc_at.end() && fl && next->first < t + float_cycles) continue;
    if (next != abc_at.begin()) {
      const auto prev = std::prev(next);
      if (prev->second && t < prev->first + float_cycles) continue;
    }
    abc_at[t] = fl;
  }

  // The ABC before each install owns the last slot, so nothing else touches it before its ACC.
  const uint32_t slots = std::min<uint32_t>(8, cfg.mxm_acc_slots);
  // The program's slots are a window of `slots` consecutive ones the seed
  // places anywhere among the plane's, so programs reach the high slot
  // numbers (and the RTL's slot index bits toggle). Its own generator: the
  // rest of the program is the same wherever the window lies.
  const uint32_t base = uint32_t(std::mt19937_64(o.seed ^ 0x5107)() % (cfg.mxm_acc_slots - slots + 1));
  std::vector<bool> written(slots, false), slot_float(slots, false);
  const auto acc_cycle = [&](uint64_t from) {  // the first cycle from `from` with the ACC queue free and no ABC
    uint64_t c = std::max(from, tl.free(results));
    while (abc_at.count(c)) ++c;
    return c;
  };
  // An ACC emits as the slot's own kind three times in four, else as the other (a conversion).
  const auto acc_type = [&](uint32_t slot) {
    const bool as_float = (rng() % 4 != 0) == bool(slot_float[slot]);
    return int64_t(as_float ? DType::f32 : DType::i32);
  };
  const auto is_boundary = [&](uint64_t t) { return std::count(install.begin() + 1, install.end(), t + 1) > 0; };
  // The ABC of the cycle before, when this one is its REPEAT: slot and type.
  bool repeated = false;
  uint32_t repeated_slot = 0;
  DType repeated_type = DType::i8;
  uint32_t i = 0, pairs = 0, acc_repeats = 0;
  for (const auto& [t, fl] : abc_at) {
    const bool boundary = is_boundary(t);
    const bool is_repeat = repeated;
    auto slot = boundary ? slots - 1 : static_cast<uint32_t>(rng() % (slots - 1));
    bool add = !boundary && written[slot] && slot_float[slot] == fl && rng() % 2;
    DType type = fl ? float_type(rng) : int_type(rng);
    if (is_repeat) slot = repeated_slot, type = repeated_type, add = false;
    repeated = false;
    // This ABC and the next one as ABC + REPEAT: both integer, neither the
    // boundary's, the next in the next cycle, slot + 1 short of the boundary's.
    const auto next = abc_at.find(t + 1);
    const bool make_repeat = !is_repeat && !fl && !boundary && next != abc_at.end() && !next->second &&
                             !is_boundary(t + 1) && slot + 2 < slots && pairs++ % 2 == 0;
    if (make_repeat) add = false, repeated = true, repeated_slot = slot + 1, repeated_type = type;
    // A crafted activation on a float set with 1.0 in its last rows (set ABCs only).
    const uint32_t set = set_at(t);
    const bool crafted = fl && n >= 3 && set % 2 == 0 && is_float(set_type[set]) && rng() % 4 == 0;
    if (crafted) {
      const uint32_t c = uint32_t(rng() % std::size(kCrafted));
      if (c > 0) type = DType::bf16;
      add = false;
      std::vector<uint8_t> lo(cfg.lanes, 0), hi(cfg.lanes, 0);
      for (uint32_t l = 0; l < 3; ++l)
        lo[n - 3 + l] = uint8_t(kCrafted[c][l]), hi[n - 3 + l] = uint8_t(kCrafted[c][l] >> 8);
      tl.b.sram(amem, i, lo);
      tl.b.sram(ahi, i, hi);
      tl.at(ahi, t - dah, Op::READ, {i, in_stream(3)});
    } else if (fl) {
      std::vector<uint8_t> lo, hi;
      std::tie(lo, hi) = random_float_vector(rng, type, cfg.lanes);
      tl.b.sram(amem, i, lo);
      tl.b.sram(ahi, i, hi);
      tl.at(ahi, t - dah, Op::READ, {i, in_stream(3)});
    } else {
      tl.b.sram(amem, i, random_vector(rng, cfg.lanes));
    }
    tl.at(amem, t - da, Op::READ, {i, in_stream(2)});
    if (is_repeat)
      tl.at(acts, t, Op::REPEAT, {1, 1, 1});  // the ABC of cycle t - 1 again, slot + 1
    else
      tl.at(acts, t, Op::ABC, {in_stream(2), base + slot, add ? 1 : 0, int64_t(type)});
    written[slot] = true;
    slot_float[slot] = fl;
    ++i;
    if (boundary) {  // emit its slot, where the old and new weight sets differ
      tl.at(results, acc_cycle(t + 1), Op::ACC, {result_streams, base + slot, acc_type(slot)});
    } else if (rng() % 2) {  // an ACC of a written slot, now or a little later
      std::vector<uint32_t> live;
      for (uint32_t s = 0; s < slots; ++s)
        if (written[s]) live.push_back(s);
      const uint64_t tc = acc_cycle(t + 1 + rng() % 3);
      const uint32_t pick = live[rng() % live.size()];
      tl.at(results, tc, Op::ACC, {result_streams, base + pick, acc_type(pick)});
      // Every second time the next slot is written and the next cycle free of
      // ABCs (this one's REPEAT partner included): ACC it too, as a REPEAT.
      if (pick + 1 < slots && written[pick + 1] && !abc_at.count(tc + 1) && acc_repeats++ % 2 == 0)
        tl.at(results, tc + 1, Op::REPEAT, {1, 1, 1});
    }
  }
  return tl.finish();
}

}  // namespace tsp::gen
