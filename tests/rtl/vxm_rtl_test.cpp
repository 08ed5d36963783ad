// The VXM RTL (Verilated lane ALUs arranged as the VXM's array: two superlanes
// of 16 lanes, tb/cosim/vxm_lane_array.hpp) against common/numerics, the independent C++ reference of
// docs/numerics.md: every VXM opcode with every type it allows, exhaustive
// over all 2^16 inputs of the 16-bit unary cases (f16/bf16 EXP, RSQRT, TANH,
// ABS, NEG, RELU, MOV, CVT/CVTS from f16/bf16/i16, TANH.i16) and all 2^8 of
// the 8-bit ones, seeded random operands with float edge values for the rest.
// Every result must show exactly `latency` (isa.toml) cycles after its
// operation, superlane k one cycle after superlane k-1. The same test on the
// RTL with its planted bug (f16 ADD rounds ties up) must fail and name the op
// and its inputs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tb/cosim/rtl_coverage.hpp"
#include "Vtsp_vxm_alu.h"
#include "Vtsp_vxm_alu_planted.h"
#include "common/numerics/dtype.hpp"
#include "common/numerics/vxm.hpp"
#include "firmware/isa/isa.hpp"
#include "tb/cosim/vxm_lane_array.hpp"

namespace {

using namespace tsp;
using cosim::VxmInstr;
using cosim::VxmLaneArray;
using isa::DType;
using isa::Op;

constexpr unsigned kSuperlanes = 2, kLanes = 16;  // the mini chip's
constexpr unsigned kVecLanes = kSuperlanes * kLanes;
constexpr unsigned kMaxLat = cosim::vxm_max_latency();

// One cycle's operation: the op and the operands of every lane of the array.
struct Job {
  num::VxmOp op;
  std::array<uint32_t, kVecLanes> a{}, b{}, c{};
};

std::string describe(const num::VxmOp& op) {
  std::string s = fmt::format("{}.{}", isa::op_desc(op.op).mnemonic, isa::dtype_desc(op.type).name);
  if (op.op == Op::CVT || op.op == Op::CVTS) s += fmt::format(" from {}", isa::dtype_desc(op.from).name);
  if (op.op == Op::SHLI || op.op == Op::SHRI || op.op == Op::SRAI) s += fmt::format(" shamt {}", op.shamt);
  return s;
}

uint64_t g_cycles = 0;  // RTL cycles run by every harness (for the speed report)

template <class Alu>
class Harness {
 public:
  // Runs the jobs back to back (one per cycle) and returns the first
  // difference from the reference, in data or in timing.
  std::optional<std::string> run(const std::vector<Job>& jobs) {
    const int64_t n = int64_t(jobs.size());
    for (int64_t cyc = 0; cyc < n + kSuperlanes + kMaxLat + 1; ++cyc) {
      if (cyc < n) {
        const num::VxmOp& op = jobs[size_t(cyc)].op;
        rtl_.issue(VxmInstr{true, uint8_t(op.op), uint8_t(op.type), uint8_t(op.from), op.shamt});
      }
      for (unsigned k = 0; k < kSuperlanes; ++k) {
        const int64_t j = cyc - k;
        if (j < 0 || j >= n) continue;
        const Job& job = jobs[size_t(j)];
        for (unsigned l = 0; l < kLanes; ++l) {
          const unsigned g = k * kLanes + l;
          rtl_.operand(k, l, job.a[g], job.b[g], job.c[g]);
        }
      }
      rtl_.settle();
      if (auto bad = check(jobs, cyc)) return bad;
      rtl_.clock();
      ++g_cycles;
    }
    return std::nullopt;
  }

 private:
  std::optional<std::string> check(const std::vector<Job>& jobs, int64_t cyc) {
    for (unsigned k = 0; k < kSuperlanes; ++k) {
      const bool any = rtl_.any_done(k);
      for (unsigned s = 1; s <= kMaxLat; ++s) {
        const int64_t j = cyc - s - k;  // the job superlane k saw s cycles ago
        if (j < 0 || j >= int64_t(jobs.size())) {
          for (unsigned l = 0; any && l < kLanes; ++l)
            if (rtl_.done(k, l, s))
              return fmt::format("cycle {}: superlane {} lane {} signals a result on stage {} with no operation", cyc,
                                 k, l, s);
          continue;
        }
        const Job& job = jobs[size_t(j)];
        const unsigned lat = isa::op_desc(job.op.op).latency;
        for (unsigned l = 0; l < kLanes; ++l) {
          const unsigned g = k * kLanes + l;
          const bool d = rtl_.done(k, l, s);
          if (d != (s == lat) || (d && rtl_.result(k, l, s) != num::apply(job.op, job.a[g], job.b[g], job.c[g]))) {
            const std::string what = fmt::format("{} a=0x{:x} b=0x{:x} c=0x{:x} (superlane {} lane {})",
                                                 describe(job.op), job.a[g], job.b[g], job.c[g], k, l);
            if (d != (s == lat))
              return fmt::format("{}: result {} {} cycles after issue (latency {})", what, d ? "shows" : "missing", s,
                                 lat);
            return fmt::format("{}: expected 0x{:x}, RTL 0x{:x}", what,
                               num::apply(job.op, job.a[g], job.b[g], job.c[g]), rtl_.result(k, l, s));
          }
        }
      }
    }
    return std::nullopt;
  }

  std::unique_ptr<VerilatedContext> ctx_ = std::make_unique<VerilatedContext>();
  VxmLaneArray<Alu> rtl_{*ctx_, kSuperlanes, kLanes, "vxm"};
  tsp::cosim::CoverageSaver coverage_{ctx_.get(), "vxm", rtl_.model_name()};  // dies before rtl_
};

// ---- operand sources ----

std::vector<uint32_t> float_edges(DType t) {
  switch (t) {
    case DType::f16:
      return {0x0000, 0x8000, 0x0001, 0x83FF, 0x0400, 0x8400, 0x3C00, 0xBC00, 0x7BFF, 0xFBFF, 0x7C00,
              0xFC00, 0x7E00, 0x7C01, 0xFFFF, 0x3BFF, 0x3C01, 0x0401, 0x5640, 0x1400, 0x4900, 0x3800};
    case DType::bf16:
      return {0x0000, 0x8000, 0x0001, 0x807F, 0x0080, 0x8080, 0x3F80, 0xBF80, 0x7F7F, 0xFF7F, 0x7F80,
              0xFF80, 0x7FC0, 0x7F81, 0xFFFF, 0x3F7F, 0x3F81, 0x0081, 0x4120, 0x42B2, 0x3F20, 0x3F00};
    default:
      return {0x00000000, 0x80000000, 0x00000001, 0x807FFFFF, 0x00800000, 0x80800000, 0x3F800000, 0xBF800000,
              0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0xFFFFFFFF, 0x3F7FFFFF,
              0x3F800001, 0x00800001, 0x42B20000, 0x42B1FFFF, 0xC2D00000, 0xC2CFFFFF, 0x41200000, 0x411FFFFF,
              0x3F200000, 0x3F1FFFFF, 0x4B400000, 0x4F000000, 0xCF000000, 0x4EFFFFFF, 0x47000000, 0x477FE000};
  }
}

std::vector<uint32_t> int_edges(DType t) {
  const uint32_t m = num::lane_mask(t);
  return {0, 1, m, m >> 1, (m >> 1) + 1, 2, m - 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0x80000000u & m, 31, 32, 8, 16};
}

class Source {
 public:
  explicit Source(uint64_t seed) : rng_(seed) {}
  // A random lane value of `t`: a quarter from the edge list, else random bits.
  uint32_t value(DType t) {
    const auto edges = num::is_float(t) ? float_edges(t) : int_edges(t);
    if (rng_() % 4 == 0) return edges[rng_() % edges.size()] & num::lane_mask(t);
    return uint32_t(rng_()) & num::lane_mask(t);
  }
  uint64_t raw() { return rng_(); }

 private:
  std::mt19937_64 rng_;
};

std::vector<Op> vxm_ops() {
  std::vector<Op> v;
  for (const auto& d : isa::kOps)
    if (d.unit == isa::Unit::VXM) v.push_back(d.op);
  return v;
}
std::vector<DType> all_types() {
  std::vector<DType> v;
  for (const auto& t : isa::kDTypes) v.push_back(t.type);
  return v;
}
bool is_unary(Op op) {
  for (const auto& f : isa::op_desc(op).fields)
    if (f.name == "b") return false;
  return true;
}

// Fills jobs of `op` with `count` operand triples produced by `gen(i)`.
template <class Gen>
void add_jobs(std::vector<Job>& jobs, const num::VxmOp& op, uint64_t count, Gen gen) {
  for (uint64_t i = 0; i < count; i += kVecLanes) {
    Job j;
    j.op = op;
    for (unsigned l = 0; l < kVecLanes; ++l) gen(i + l, j.a[l], j.b[l], j.c[l]);
    jobs.push_back(j);
  }
}

// Every (op, type[, from]) of the VXM: the exhaustive sweeps and the random pairs.
std::vector<Job> all_jobs(uint64_t seed, uint64_t random_per_case) {
  std::vector<Job> jobs;
  Source src(seed);
  for (Op o : vxm_ops())
    for (DType t : all_types()) {
      if (!num::vxm_supports(o, t)) continue;
      num::VxmOp op{o, t, t, 0};
      const bool converts = o == Op::CVT || o == Op::CVTS;
      std::vector<DType> froms = converts ? all_types() : std::vector<DType>{t};
      for (DType from : froms) {
        op.from = from;
        const unsigned bits = num::lane_bits(from);
        if (is_unary(o) && o != Op::SHLI && o != Op::SHRI && o != Op::SRAI && bits <= 16) {
          add_jobs(jobs, op, uint64_t{1} << bits,
                   [](uint64_t i, uint32_t& a, uint32_t& b, uint32_t& c) { a = uint32_t(i), b = 0, c = 0; });
          continue;
        }
        if (o == Op::SHLI || o == Op::SHRI || o == Op::SRAI) {
          for (unsigned sh = 0; sh < 32; ++sh) {
            op.shamt = uint8_t(sh);
            add_jobs(jobs, op, kVecLanes * 4,
                     [&](uint64_t, uint32_t& a, uint32_t& b, uint32_t& c) { a = src.value(t), b = 0, c = 0; });
          }
          continue;
        }
        add_jobs(jobs, op, random_per_case, [&](uint64_t, uint32_t& a, uint32_t& b, uint32_t& c) {
          a = src.value(from), b = src.value(t);
          c = (src.raw() & 1) ? src.value(t) : 0;
        });
      }
    }
  return jobs;
}

TEST(VxmRtl, MatchesReferenceOnEveryOpAndType) {
  const auto jobs = all_jobs(1, 4096);
  Harness<Vtsp_vxm_alu> rtl;
  const uint64_t before = g_cycles;
  const auto t0 = std::chrono::steady_clock::now();
  const auto bad = rtl.run(jobs);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_FALSE(bad) << *bad;
  std::printf("VXM RTL: %zu operations (%zu lane results), %llu cycles in %.2f s: %.0f cycles/s\n", jobs.size(),
              jobs.size() * kVecLanes, static_cast<unsigned long long>(g_cycles - before), s,
              double(g_cycles - before) / s);
}

// A second seed with more random pairs for the binary float ops, where the
// rounding logic lives.
TEST(VxmRtl, FloatArithmeticRandomPairs) {
  std::vector<Job> jobs;
  Source src(7);
  for (Op o : {Op::ADD, Op::SUB, Op::MUL})
    for (DType t : {DType::f16, DType::bf16, DType::f32})
      add_jobs(jobs, num::VxmOp{o, t, t, 0}, 32768,
               [&](uint64_t, uint32_t& a, uint32_t& b, uint32_t& c) { a = src.value(t), b = src.value(t), c = 0; });
  Harness<Vtsp_vxm_alu> rtl;
  const auto bad = rtl.run(jobs);
  EXPECT_FALSE(bad) << *bad;
}

// f32 transcendentals: random f32 inputs plus the edges (f16/bf16 are exhaustive above).
TEST(VxmRtl, F32TranscendentalsRandom) {
  std::vector<Job> jobs;
  Source src(11);
  for (Op o : {Op::EXP, Op::RSQRT, Op::TANH})
    add_jobs(jobs, num::VxmOp{o, DType::f32, DType::f32, 0}, 32768,
             [&](uint64_t, uint32_t& a, uint32_t& b, uint32_t& c) {
               // Half of them in the interesting range |x| < 16 (exponent field <= 130).
               a = src.value(DType::f32);
               if (src.raw() & 1) a = (a & 0x807FFFFFu) | uint32_t(100 + src.raw() % 31) << 23;
               b = 0, c = 0;
             });
  Harness<Vtsp_vxm_alu> rtl;
  const auto bad = rtl.run(jobs);
  EXPECT_FALSE(bad) << *bad;
}

// Ops of different latencies back to back: results that finish in the same
// cycle must all show, each at its own latency.
TEST(VxmRtl, MixedLatenciesOverlap) {
  std::vector<Job> jobs;
  Source src(3);
  const Op mix[] = {Op::EXP, Op::MUL, Op::MOV, Op::ADD, Op::CVT, Op::TANH, Op::MIN, Op::RSQRT, Op::MULS};
  for (unsigned i = 0; i < 400; ++i) {
    const Op o = mix[src.raw() % std::size(mix)];
    const DType t = num::vxm_supports(o, DType::f16) && (src.raw() & 1) ? DType::f16 : DType::i16;
    add_jobs(jobs, num::VxmOp{o, num::vxm_supports(o, t) ? t : DType::f32, DType::bf16, 0}, kVecLanes,
             [&](uint64_t, uint32_t& a, uint32_t& b, uint32_t& c) {
               a = uint32_t(src.raw()), b = uint32_t(src.raw()), c = 0;
             });
  }
  Harness<Vtsp_vxm_alu> rtl;
  const auto bad = rtl.run(jobs);
  EXPECT_FALSE(bad) << *bad;
}

// The planted bug (f16 ADD rounds ties away from zero) must be found, and
// the report must name the op and the inputs.
TEST(VxmRtl, PlantedBugIsCaught) {
  std::vector<Job> jobs;
  Source src(5);
  add_jobs(jobs, num::VxmOp{Op::ADD, DType::f16, DType::f16, 0}, 8192,
           [&](uint64_t, uint32_t& a, uint32_t& b, uint32_t& c) {
             a = src.value(DType::f16), b = src.value(DType::f16), c = 0;
           });
  Harness<Vtsp_vxm_alu_planted> planted;
  const auto bad = planted.run(jobs);
  ASSERT_TRUE(bad) << "the planted f16 rounding bug went unnoticed";
  EXPECT_NE(bad->find("ADD.f16 a=0x"), std::string::npos) << *bad;
  EXPECT_NE(bad->find("expected 0x"), std::string::npos) << *bad;
  std::printf("planted bug found: %s\n", bad->c_str());
  // The same jobs pass on the real RTL: the difference is the bug.
  Harness<Vtsp_vxm_alu> real;
  const auto ok = real.run(jobs);
  EXPECT_FALSE(ok) << *ok;
}

// A reset pulse between clock edges (rst_ni falls, then rises) while ops are
// in flight drops them (no stage done, results cleared, at once and later),
// and the next op comes out at its latency. (Every harness holds rst_ni low
// from time 0, so only this runs the asynchronous reset branch:
// docs/coverage.md.)
TEST(VxmRtl, ResetPulseDropsTheOpsInFlight) {
  auto ctx = std::make_unique<VerilatedContext>();
  auto m = std::make_unique<Vtsp_vxm_alu>(ctx.get());
  tsp::cosim::CoverageSaver coverage{ctx.get(), "vxm", m->modelName()};  // dies before m
  auto edge = [&] {
    m->clk_i = 0;
    m->eval();
    m->clk_i = 1;
    m->eval();
    m->valid_i = 0;
  };
  auto issue = [&](Op op, DType t, uint32_t a, uint32_t b) {
    m->valid_i = 1;
    m->op_i = uint8_t(op);
    m->type_i = uint8_t(t);
    m->a_i = a;
    m->b_i = b;
    edge();
  };
  auto idle = [&] {
    bool any = m->done_o != 0;
    for (unsigned s = 0; s < kMaxLat; ++s) any |= m->res_o[s] != 0;
    return !any;
  };
  m->clk_i = 0;
  m->rst_ni = 0;
  m->eval();
  m->rst_ni = 1;
  m->eval();
  issue(Op::EXP, DType::f32, 0x3F800000, 0);
  issue(Op::ADD, DType::i32, 2, 3);
  ASSERT_FALSE(idle());
  m->rst_ni = 0;
  m->eval();
  EXPECT_TRUE(idle());
  m->rst_ni = 1;
  m->eval();
  for (unsigned c = 0; c < kMaxLat; ++c) {
    edge();
    EXPECT_TRUE(idle()) << "cycle " << c;
  }
  const unsigned lat = isa::op_desc(Op::ADD).latency;
  issue(Op::ADD, DType::i32, 2, 3);
  for (unsigned c = 1; c < lat; ++c) edge();
  EXPECT_EQ(m->done_o, 1u << (lat - 1));
  EXPECT_EQ(m->res_o[lat - 1], 5u);
}

}  // namespace
