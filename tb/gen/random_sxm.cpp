// Random SXM programs: SHIFTUP/SHIFTDN, SELECT, PERMUTE, DISTRIBUTE, ROTATE and
// (where the chip has the slices) TRANSPOSE on SXM.<h>.0 and SXM.<h>.1 of a
// hemisphere the seed picks, up to one per queue per cycle, so that results of
// different latencies land together. Operands come from MEM.<h>.0..3 (src on
// S0, SELECT's b on S1, the i16 map or SELECT's c on S2/S3, flowing out), read so
// they reach the SXM at issue (firmware/sched/timing.hpp); PERMUTE maps stay
// within the chip's lanes. Results go to S(4 + 2 (t mod 6) + queue), flowing
// in: two results on one stream would need equal issue cycles mod 6 on one
// queue and equal landing cycles, impossible with latencies <= 4.
// TRANSPOSE takes 16 streams: MEM.<h>.4..19 read onto S16..S31 (so a chip with
// at least 20 slices per hemisphere, tsp1), at most one TRANSPOSE per cycle,
// its 16 results on S16..S31 flowing in, which nothing else uses; one fixed
// latency means two TRANSPOSEs never land together.
#include <random>

#include "tb/gen/queue_timeline.hpp"
#include "tb/gen/random_program.hpp"

namespace tsp::gen {

image::Image random_sxm(const RandomOptions& o) {
  using isa::Op;
  QueueTimeline tl(o.config);
  const isa::Config& cfg = tl.b.config();
  std::mt19937_64 rng(o.seed);
  const uint64_t lat_read = isa::op_desc(Op::READ).latency;
  const std::string h = rng() % 2 ? "W" : "E";
  const bool out_west = h == "W";
  const auto in_stream = [&](unsigned i) { return out_west ? image::west(i) : image::east(i); };
  const auto out_stream = [&](unsigned i) { return out_west ? image::east(i) : image::west(i); };
  const uint16_t ps = tl.b.position("SXM." + h + ".0");
  const unsigned stream_of[4] = {1, 0, 2, 3};  // MEM.<h>.i feeds S(stream_of[i])
  uint64_t delay[4], first = 0;
  for (unsigned m = 0; m < 4; ++m) {
    delay[m] = *sched::arrival(tl.b.position("MEM." + h + "." + std::to_string(m)), lat_read, out_west, ps);
    first = std::max(first, delay[m]);
  }
  static constexpr unsigned kTransposeFirstSlice = 4, kTransposeStream = 16, kTransposeWidth = 16;
  const bool can_transpose = cfg.mem_slices_per_hemisphere >= kTransposeFirstSlice + kTransposeWidth;
  uint64_t tdelay[kTransposeWidth] = {};
  if (can_transpose)
    for (unsigned i = 0; i < kTransposeWidth; ++i) {
      const uint16_t pos = tl.b.position("MEM." + h + "." + std::to_string(kTransposeFirstSlice + i));
      tdelay[i] = *sched::arrival(pos, lat_read, out_west, ps);
      first = std::max(first, tdelay[i]);
    }
  static constexpr Op kOps[] = {Op::SHIFTUP, Op::SHIFTDN, Op::SELECT,   Op::PERMUTE,
                                Op::DISTRIBUTE, Op::ROTATE, Op::TRANSPOSE};
  const size_t n_ops = std::size(kOps) - (can_transpose ? 0 : 1);
  uint32_t issued = 0, addr = 0;
  for (uint64_t t = first; issued < o.instructions && addr < cfg.mem_addresses; ++t) {
    Op ops[2];
    bool on[2] = {rng() % 2 == 0, rng() % 2 == 0};
    if (!on[0] && !on[1]) continue;
    bool permute = false, transpose = false;
    for (unsigned q = 0; q < 2; ++q) {
      ops[q] = kOps[rng() % n_ops];
      if (on[q] && ops[q] == Op::TRANSPOSE && transpose) ops[q] = Op::ROTATE;  // one TRANSPOSE per cycle
      permute = permute || (on[q] && ops[q] == Op::PERMUTE);
      transpose = transpose || (on[q] && ops[q] == Op::TRANSPOSE);
    }
    // A PERMUTE map: a lane of the chip, bytes on MEM.<h>.2 (low) and .3 (high).
    std::vector<uint32_t> map(cfg.lanes);
    for (auto& x : map) x = static_cast<uint32_t>(rng() % cfg.lanes);
    // Operands at `addr` of MEM.<h>.0..3, all reaching the SXM at t.
    for (unsigned m = 0; m < 4; ++m) {
      std::vector<uint8_t> v(cfg.lanes);
      for (uint32_t l = 0; l < cfg.lanes; ++l) {
        if (permute && m >= 2) {
          v[l] = static_cast<uint8_t>(m == 2 ? map[l] : map[l] >> 8);
        } else {
          v[l] = rng() % 4 == 0 ? 0 : static_cast<uint8_t>(rng());  // zeros make SELECT pick b
        }
      }
      const std::string mem = "MEM." + h + "." + std::to_string(m);
      tl.b.sram(mem, addr, v);
      tl.at(mem, t - delay[m], Op::READ, {addr, in_stream(stream_of[m])});
    }
    if (transpose)  // 16 operand vectors, one per slice, all reaching the SXM at t
      for (unsigned i = 0; i < kTransposeWidth; ++i) {
        std::vector<uint8_t> v(cfg.lanes);
        for (auto& x : v) x = static_cast<uint8_t>(rng());
        const std::string mem = "MEM." + h + "." + std::to_string(kTransposeFirstSlice + i);
        tl.b.sram(mem, addr, v);
        tl.at(mem, t - tdelay[i], Op::READ, {addr, in_stream(kTransposeStream + i)});
      }
    ++addr;
    for (unsigned q = 0; q < 2; ++q) {
      if (!on[q]) continue;
      const std::string queue = "SXM." + h + "." + std::to_string(q);
      const int64_t dst = out_stream(static_cast<unsigned>(4 + 2 * (t % 6) + q));
      switch (ops[q]) {
        case Op::SELECT:
          tl.at(queue, t, ops[q], {dst, in_stream(0), in_stream(1), in_stream(2)});
          break;
        case Op::PERMUTE:
        case Op::DISTRIBUTE:
          tl.at(queue, t, ops[q], {dst, in_stream(0), in_stream(2)});
          break;
        case Op::TRANSPOSE:
          tl.at(queue, t, ops[q], {out_stream(kTransposeStream), in_stream(kTransposeStream)});
          break;
        case Op::ROTATE:
          tl.at(queue, t, ops[q], {dst, in_stream(0), static_cast<int64_t>(rng() % 32)});
          break;
        default:  // shifts, by 0 .. lanes-1 (a shift by the whole vector or more is illegal)
          tl.at(queue, t, ops[q], {dst, in_stream(0), static_cast<int64_t>(rng() % cfg.lanes)});
      }
      ++issued;
    }
  }
  return tl.finish();
}

}  // namespace tsp::gen
