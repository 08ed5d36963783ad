#pragma once
// Test-only: a float MXM program with a known rounding tie, for the float
// datapath's cosim tests (tests/rtl/cosim_mxm_test.cpp) and the old-check
// demonstration (tests/cosim/old_mxm_check.cpp). On plane W.0: bf16 weights
// all 1.0 but row 3, whose column n holds n + 1; ABC 0 (bf16, slot 0) has
// activations (2^24, 1, 1, 0...), so every lane's f32 sum passes two ties
// (2^24 + 1, then again: each rounds to even, the sum stays 2^24, 0x4B800000;
// ties rounded away give 2^24 + 4, 0x4B800002); ABCs 1 (bf16, set) and 2
// (f16, add) put random moderate values into slot 1, each mxm_float_cycles
// after the last. Then ACCs: slot 0 as f32, slot 1 as f32 and as i32 (CVT),
// slot 0 as i32. Weights come from MEM.W.0/1 (low/high bytes), activations
// from MEM.W.2/3. The ABCs come long after the IW, so a wrong install cycle
// does not show here: only the arithmetic does.
#include <fmt/format.h>

#include <random>
#include <string>
#include <vector>

#include "common/numerics/convert.hpp"
#include "tb/gen/queue_timeline.hpp"

namespace tsp::test {

struct MxmFloatProgram {
  image::Image img;
  uint64_t acc_ties = 0;  // issue cycle of the ACC of slot 0 (the ties)
};

inline MxmFloatProgram mxm_float_program(const std::string& config, uint32_t seed) {
  using isa::DType;
  using isa::Op;
  gen::QueueTimeline tl(config);
  const isa::Config& cfg = tl.b.config();
  const uint32_t n = cfg.mxm_dim;
  std::mt19937 rng(seed);
  const auto moderate = [&](bool bf) {  // |x| in [2^-4, 2^4)
    const unsigned fb = bf ? 7 : 10, bias = bf ? 127 : 15;
    return uint32_t((rng() % 2) << 15 | (bias - 4 + rng() % 8) << fb | (rng() & ((1u << fb) - 1)));
  };
  const auto put = [&](unsigned first, uint32_t addr, const std::vector<uint32_t>& lanes) {  // low, high byte planes
    for (unsigned i = 0; i < 2; ++i) {
      std::vector<uint8_t> plane(lanes.size());
      for (size_t l = 0; l < lanes.size(); ++l) plane[l] = static_cast<uint8_t>(lanes[l] >> (8 * i));
      tl.b.sram(fmt::format("MEM.W.{}", first + i), addr, plane);
    }
  };
  const uint64_t lat_read = isa::op_desc(Op::READ).latency, lat_iw = isa::op_desc(Op::IW).latency;
  const uint64_t fc = cfg.mxm_float_cycles;
  const uint16_t mx = tl.b.position("MXM.W.0");
  const auto d = [&](unsigned slice) {
    return *sched::arrival(tl.b.position(fmt::format("MEM.W.{}", slice)), lat_read, true, mx);
  };
  const auto mem = [](unsigned slice) { return fmt::format("MEM.W.{}", slice); };
  const uint64_t lw0 = std::max(d(0), d(1));
  for (uint32_t k = 0; k < n; ++k) {
    std::vector<uint32_t> row(n, 0x3F80);
    if (k == 3)
      for (uint32_t j = 0; j < n; ++j) row[j] = num::convert(DType::bf16, DType::i32, j + 1, num::IntConvert::wrap);
    put(0, k, row);
    tl.at(mem(0), lw0 + k - d(0), Op::READ, {k, image::west(0)});
    tl.at(mem(1), lw0 + k - d(1), Op::READ, {k, image::west(1)});
    tl.at("MXM.W.0", lw0 + k, Op::LW, {image::west(0), 2, k, int64_t(DType::bf16)});
  }
  tl.at("MXM.W.0", lw0 + n, Op::IW, {});
  const uint64_t t0 = lw0 + n + lat_iw + std::max(d(2), d(3));
  struct Abc {
    uint32_t slot;
    bool add;
    DType type;
  };
  const Abc abcs[] = {{0, false, DType::bf16}, {1, false, DType::bf16}, {1, true, DType::f16}};
  for (uint32_t i = 0; i < std::size(abcs); ++i) {
    std::vector<uint32_t> a(n, 0);
    if (i == 0) {
      a[0] = 0x4B80;  // 2^24, then 1, 1
      a[1] = a[2] = 0x3F80;
    } else {
      for (auto& x : a) x = moderate(abcs[i].type == DType::bf16);
    }
    put(2, i, a);
    const uint64_t t = t0 + i * fc;
    tl.at(mem(2), t - d(2), Op::READ, {i, image::west(2)});
    tl.at(mem(3), t - d(3), Op::READ, {i, image::west(3)});
    tl.at("MXM.W.1", t, Op::ABC, {image::west(2), abcs[i].slot, abcs[i].add ? 1 : 0, int64_t(abcs[i].type)});
  }
  MxmFloatProgram p;
  p.acc_ties = t0 + 3 * fc;
  tl.at("MXM.W.2", p.acc_ties, Op::ACC, {image::east(0), 0, int64_t(DType::f32)});
  tl.at("MXM.W.2", p.acc_ties + 1, Op::ACC, {image::east(4), 1, int64_t(DType::f32)});
  tl.at("MXM.W.2", p.acc_ties + 2, Op::ACC, {image::east(0), 1, int64_t(DType::i32)});  // CVT f32 -> i32
  tl.at("MXM.W.2", p.acc_ties + 3, Op::ACC, {image::east(4), 0, int64_t(DType::i32)});
  p.img = tl.finish();
  return p;
}

}  // namespace tsp::test
