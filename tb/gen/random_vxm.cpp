// Random VXM programs: READs of random SRAM data (float edge values included)
// feed random VXM ops (random queue, op, type; a third of them chained to the
// previous op's result on the stream, ALU to ALU) and WRITEs store the last
// result of each chain. The first op of each chain is dealt from a shuffled
// deck of every (op, type) the table allows, so every pair comes up once per
// deck (a uniform draw left OR.i32 and TANH.f32 out of whole regressions);
// every second operand vector carries each edge value of its type in some
// lane, and a quarter of b's lanes are tied to a's (b = a, -a, ~a, a + 1,
// 1 x -1, all ones and 0), so the saturating ops' results reach 0, -1 and the
// unsigned maximum (docs/coverage.md).
// Legal by construction: every instruction's cycle is
// derived from the op's issue cycle T with firmware/sched/timing.hpp, and T is
// moved later until no queue slot, stream wavefront or SRAM port is taken twice.
#include <fmt/format.h>

#include <map>
#include <numeric>
#include <random>
#include <set>
#include <span>
#include <tuple>

#include "firmware/image/program_builder.hpp"
#include "firmware/sched/timing.hpp"
#include "tb/gen/random_program.hpp"

namespace tsp::gen {
namespace {

using isa::DType;
using isa::Op;
using sched::Cycle;

constexpr uint32_t kF16[] = {0x0000, 0x8000, 0x0001, 0x0400, 0x3C00, 0xBC00, 0x7BFF, 0x7C00, 0xFC00, 0x7E01};
constexpr uint32_t kBf16[] = {0x0000, 0x8000, 0x0001, 0x0080, 0x3F80, 0xBF80, 0x7F7F, 0x7F80, 0xFF80, 0x7FC1};
constexpr uint32_t kF32[] = {0x0,        0x80000000, 0x1,        0x00800000, 0x3F800000, 0xBF800000,
                             0x7F7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00001, 0x42B20000, 0x41200000};
constexpr uint32_t kInt[] = {0, 1, 0xFFFFFFFF, 0x7F, 0x80, 0x7FFF, 0x8000, 0x7FFFFFFF, 0x80000000};

uint32_t mask_of(DType t) {
  const unsigned bytes = isa::dtype_desc(t).bytes;
  return bytes == 4 ? 0xFFFFFFFFu : (1u << (8 * bytes)) - 1;
}

// The edge values of type t (integers: the table masked to the type's width).
std::span<const uint32_t> edges(DType t) {
  switch (t) {
    case DType::f16:
      return kF16;
    case DType::bf16:
      return kBf16;
    case DType::f32:
      return kF32;
    default:
      return kInt;
  }
}

// Lane values of type t: a quarter edge values, the rest random bits.
uint32_t lane_value(std::mt19937_64& rng, DType t) {
  const uint32_t mask = mask_of(t);
  if (rng() % 4 == 0) {
    const auto e = edges(t);
    return e[rng() % e.size()] & mask;
  }
  // Floats: half of them with a small exponent, where EXP/TANH are not saturated.
  uint32_t v = uint32_t(rng()) & mask;
  if (t == DType::f32 && rng() % 2) v = (v & 0x807FFFFFu) | uint32_t(120 + rng() % 12) << 23;
  if (t == DType::f16 && rng() % 2) v = (v & 0x83FFu) | uint32_t(12 + rng() % 6) << 10;
  return v;
}

bool has_field(Op op, std::string_view name) {
  for (const auto& f : isa::op_desc(op).fields)
    if (f.name == name) return true;
  return false;
}

class VxmProgram {
 public:
  explicit VxmProgram(const RandomOptions& o) : rng_(o.seed), b_(o.config), cfg_(b_.config()), length_(cfg_) {
    for (const auto& d : isa::kOps)
      if (d.unit == isa::Unit::VXM) ops_.push_back(d.op);
    for (uint16_t q = 0; q < cfg_.queue_table.size(); ++q)
      if (cfg_.queue_table[q].unit == isa::Unit::VXM) vxm_.push_back(std::string(cfg_.queue_table[q].name));
    for (Op op : ops_)
      for (const auto& t : isa::kDTypes)
        if (isa::op_desc(op).type_mask >> unsigned(t.type) & 1u) pairs_.emplace_back(op, t.type);
    for (unsigned i = 0; i < cfg_.mem_slices_per_hemisphere; ++i) {
      mem_w_.push_back(mem_queue('W', i));
      mem_e_.push_back(mem_queue('E', i));
    }
  }

  image::Image generate(uint32_t instructions) {
    Cycle t_min = 16;
    uint32_t made = 0, round = 0;
    const uint32_t max_rounds = std::min<uint32_t>(cfg_.mem_addresses / 2, instructions);
    while (made < instructions && round < max_rounds) {
      // A chain of 1..3 ops, each reading the previous one's result.
      const unsigned len = 1 + unsigned(rng_() % 3 == 0) + unsigned(rng_() % 6 == 0);
      made += place_chain(len, round++, t_min);
      t_min += rng_() % 4;
    }
    for (const auto& [q, free] : free_) length_.queue_busy_until(free);
    image::Image img = b_.image();
    img.has_prediction = true;
    img.predicted_cycles = length_.end();
    return img;
  }

 private:
  struct Plan {  // one VXM op
    const std::string* queue = nullptr;  // in vxm_
    isa::Instr in;
    unsigned in_w = 0, out_w = 0;
    Cycle t = 0;
    unsigned dst = 0;     // east stream group of its result
    unsigned b_base = 0;  // west stream group of its b operand
  };

  // A random VXM op whose input is `in_type` bytes wide (0: any).
  isa::Instr random_op(unsigned in_bytes, DType& in_type) {
    for (;;) {
      Op op = ops_[rng_() % ops_.size()];
      DType t = DType(rng_() % isa::kDTypes.size());
      if (!in_bytes) std::tie(op, t) = deal();  // a chain's first op: the next (op, type) of the deck
#ifdef TSP_PLANT_GAP_VXM  // test-only (tests/cosim/planted_gen.cpp): a gap the coverage check must see
      if (op == Op::OR && t == DType::i32) continue;
#endif
      const isa::OpDesc& d = isa::op_desc(op);
      if (!(d.type_mask >> unsigned(t) & 1u)) continue;
      DType from = t;
      if (has_field(op, "from")) from = DType(rng_() % isa::kDTypes.size());
      if (in_bytes && isa::dtype_desc(from).bytes != in_bytes) continue;
      if (in_bytes && from != in_type) {  // a chained input keeps its type
        if (!has_field(op, "from") && t != in_type) continue;
        if (has_field(op, "from")) from = in_type;
      }
      in_type = from;
      isa::Instr in{op, {}};
      for (size_t i = 0; i < d.fields.size(); ++i) {
        const std::string_view n = d.fields[i].name;
        if (n == "type") in.operand[i] = int64_t(t);
        if (n == "from") in.operand[i] = int64_t(from);
        if (n == "shamt") in.operand[i] = int64_t(rng_() % 32);
      }
      return in;
    }
  }

  // The next (op, type) of the deck, shuffled anew (Fisher-Yates on rng_) when empty.
  std::pair<Op, DType> deal() {
    if (deck_.empty()) {
      deck_ = pairs_;
      for (size_t i = deck_.size(); i > 1; --i) std::swap(deck_[i - 1], deck_[rng_() % i]);
    }
    const auto p = deck_.back();
    deck_.pop_back();
    return p;
  }

  int64_t field(const isa::Instr& in, std::string_view name) const {
    const auto& f = in.desc().fields;
    for (size_t i = 0; i < f.size(); ++i)
      if (f[i].name == name) return in.operand[i];
    return -1;
  }
  void set(isa::Instr& in, std::string_view name, int64_t v) const {
    const auto& f = in.desc().fields;
    for (size_t i = 0; i < f.size(); ++i)
      if (f[i].name == name) in.operand[i] = v;
  }
  // A MEM queue, looked up once: the placement search below drafts a chain at
  // many cycles before one is legal.
  struct MemQueue {
    std::string name;
    uint16_t position = 0, slice = 0;
  };
  MemQueue mem_queue(char side, unsigned i) const {
    std::string name = fmt::format("MEM.{}.{}", side, i);
    const uint16_t position = b_.position(name), slice = b_.slice(name);
    return {std::move(name), position, slice};
  }

  // Everything one chain needs, at a candidate T of its first op: the
  // instructions (queue, cycle, instr), stream puts, SRAM accesses.
  struct Draft {
    std::vector<std::tuple<const std::string*, Cycle, isa::Instr>> instrs;  // queue names in vxm_, mem_w_, mem_e_
    std::vector<std::tuple<unsigned, bool, int64_t>> waves;  // stream, west, wavefront
    std::vector<std::tuple<uint16_t, Cycle, bool>> sram;     // slice, cycle, write
  };

  uint32_t place_chain(unsigned len, uint32_t round, Cycle t_min) {
    // Decide the ops and their streams once; then find the earliest legal T.
    std::vector<Plan> plan;
    DType in_type = DType::i8;
    DType first_type = DType::i8;
    for (unsigned k = 0; k < len; ++k) {
      Plan p;
      p.queue = &vxm_[rng_() % vxm_.size()];
      p.in = random_op(k == 0 ? 0 : plan.back().out_w, in_type);
      if (k == 0) first_type = in_type;
      const DType t = DType(field(p.in, "type"));
      p.in_w = isa::dtype_desc(in_type).bytes;
      p.out_w = isa::dtype_desc(t).bytes;
      p.dst = p.out_w * unsigned(rng_() % (cfg_.streams_per_direction / p.out_w));
      p.b_base = p.in_w * unsigned(rng_() % (cfg_.streams_per_direction / p.in_w));
      in_type = t;
      plan.push_back(p);
    }
    const unsigned w = plan[0].in_w;
    const unsigned a_base = w * unsigned(rng_() % (cfg_.streams_per_direction / w));
    const uint32_t addr = round, out_addr = cfg_.mem_addresses / 2 + round;
    const uint16_t vpos = b_.position(*plan[0].queue);
    for (Cycle t = t_min, skip = 1;; t += skip) {
      if (auto d = draft(plan, t, vpos, a_base, addr, out_addr, skip)) {
        commit(*d);
        // Operands in SRAM: a on MEM.W.0.., b on MEM.E.0.. (the same addresses).
        put_operands(addr, w, first_type);
        return len;
      }
    }
  }

  // The chain with its first op at t0, if legal; else `skip` says how many
  // cycles later the next candidate can be (every cycle of a draft moves
  // with t0, so a queue slot taken until cycle f rules out every t0 that
  // puts the instruction before f).
  std::optional<Draft> draft(std::vector<Plan>& plan, Cycle t0, uint16_t vpos, unsigned a_base, uint32_t addr,
                             uint32_t out_addr, Cycle& skip) {
    skip = 1;
    Draft d;
    const unsigned lat_read = isa::op_desc(Op::READ).latency;
    Cycle t = t0;
    for (size_t k = 0; k < plan.size(); ++k) {
      Plan& p = plan[k];
      p.t = t;
      const bool chained = k > 0;
      set(p.in, "dst", image::east(p.dst));
      set(p.in, "a", image::east(chained ? plan[k - 1].dst : a_base));
      set(p.in, "b", image::west(p.b_base));
      set(p.in, "c", image::east(chained ? plan[k - 1].dst : a_base));  // c: a's lanes
      if (!chained) {
        for (unsigned i = 0; i < p.in_w; ++i) {
          // a byte i: MEM.W.i reads onto east stream a_base+i, at VXM at t.
          const MemQueue& wq = mem_w_.at(i);
          const Cycle hop = vpos - wq.position;
          if (t < lat_read + hop) return std::nullopt;
          read(d, wq, t - lat_read - hop, a_base + i, false, addr);
        }
      }
      if (has_field(p.in.op, "b"))
        for (unsigned i = 0; i < p.in_w; ++i) {
          const MemQueue& eq = mem_e_.at(i);
          const Cycle hop = eq.position - vpos;
          if (t < lat_read + hop) return std::nullopt;
          read(d, eq, t - lat_read - hop, p.b_base + i, true, addr);
        }
      d.instrs.emplace_back(p.queue, t, p.in);
      const Cycle put = sched::result_cycle(p.in, t);
      for (unsigned i = 0; i < p.out_w; ++i) d.waves.emplace_back(p.dst + i, false, int64_t(vpos) - int64_t(put));
      t = put;  // the next op of the chain reads the result where and when it lands
    }
    // The chain's last result: byte i written by MEM.E.i when it passes.
    const Plan& last = plan.back();
    const Cycle put = sched::result_cycle(last.in, last.t);
    for (unsigned i = 0; i < last.out_w && i < cfg_.mem_slices_per_hemisphere; ++i) {
      const MemQueue& eq = mem_e_.at(i);
      const Cycle at = *sched::arrival(vpos, put, false, eq.position);
      isa::Instr wr{Op::WRITE, {}};
      set(wr, "addr", out_addr);
      set(wr, "src", image::east(last.dst + i));
      d.instrs.emplace_back(&eq.name, at, wr);
      d.sram.emplace_back(eq.slice, at + Cycle(isa::op_desc(Op::WRITE).sram_access), true);
    }
    return legal(d, skip) ? std::optional<Draft>(std::move(d)) : std::nullopt;
  }

  void read(Draft& d, const MemQueue& q, Cycle t, unsigned stream, bool west, uint32_t addr) {
    isa::Instr rd{Op::READ, {}};
    set(rd, "addr", addr);
    set(rd, "dst", west ? image::west(stream) : image::east(stream));
    d.instrs.emplace_back(&q.name, t, rd);
    const Cycle put = sched::result_cycle(rd, t);
    const int64_t p = q.position;
    d.waves.emplace_back(stream, west, west ? p + int64_t(put) : p - int64_t(put));
    d.sram.emplace_back(q.slice, t + Cycle(isa::op_desc(Op::READ).sram_access), false);
  }

  // No queue slot before its queue's next free cycle (nor twice in the draft),
  // no stream wavefront twice, no SRAM port of a slice twice in one cycle.
  // `skip`: past the latest queue slot the draft takes too early.
  bool legal(const Draft& d, Cycle& skip) const {
    Cycle late = 0;
    for (const auto& [q, t, in] : d.instrs)
      if (const auto f = free_.find(*q); f != free_.end() && t < f->second) late = std::max(late, f->second - t);
    if (late) {
      skip = late;
      return false;
    }
    std::set<std::pair<const std::string*, Cycle>> slots;  // names are unique: one pointer per queue
    for (const auto& [q, t, in] : d.instrs)
      if (!slots.insert({q, t}).second) return false;
    std::set<std::tuple<unsigned, bool, int64_t>> w;
    for (const auto& x : d.waves)
      if (waves_.count(x) || !w.insert(x).second) return false;
    std::set<std::pair<uint16_t, Cycle>> s;
    for (const auto& [slice, c, write] : d.sram)
      if (ports_.count({slice, c}) || !s.insert({slice, c}).second) return false;
    return true;
  }

  void commit(const Draft& d) {
    auto sorted = d.instrs;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& x, const auto& y) { return std::get<1>(x) < std::get<1>(y); });
    for (const auto& [q, t, in] : sorted) {
      Cycle& f = free_[*q];
      if (t > f) b_.op(*q, Op::NOP, {int64_t(t - f)});
      b_.instr(*q, in);
      length_.unit_instr(in, t);
      f = t + 1;
    }
    for (const auto& x : d.waves) waves_.insert(x);
    for (const auto& [slice, c, write] : d.sram) ports_.insert({slice, c});
  }

  // Lanes of one operand: random values, and every second vector each edge
  // value of t in a lane of its own.
  std::vector<uint32_t> operand(DType t) {
    std::vector<uint32_t> lanes(cfg_.lanes);
    for (auto& v : lanes) v = lane_value(rng_, t);
    if (rng_() % 2) {
      std::vector<uint32_t> at(cfg_.lanes);
      std::iota(at.begin(), at.end(), 0u);
      for (size_t i = at.size(); i > 1; --i) std::swap(at[i - 1], at[rng_() % i]);
      const auto e = edges(t);
      for (size_t k = 0; k < e.size() && k < at.size(); ++k) lanes[at[k]] = e[k] & mask_of(t);
    }
    return lanes;
  }

  // a (on MEM.W) and b (on MEM.E): a quarter of b's lanes tied to a's lane.
  void put_operands(uint32_t addr, unsigned w, DType t) {
    auto a = operand(t);
    auto b = operand(t);
    const uint32_t m = mask_of(t);
    const bool fl = isa::dtype_desc(t).is_float;
    const uint32_t sign = fl ? 1u << (8 * isa::dtype_desc(t).bytes - 1) : 0;
    for (uint32_t l = 0; l < cfg_.lanes; ++l) {
      if (rng_() % 4) continue;
      switch (rng_() % 6) {
        case 0:  // a - a = 0
          b[l] = a[l];
          break;
        case 1:  // a + (-a) = 0
          b[l] = fl ? a[l] ^ sign : (0u - a[l]) & m;
          break;
        case 2:  // a + ~a = -1
          b[l] = ~a[l] & m;
          break;
        case 3:  // a - (a + 1) = -1
          b[l] = (a[l] + 1) & m;
          break;
        case 4:  // 1 x -1 = -1 (integers)
          b[l] = m;
          if (!fl) a[l] = 1;
          break;
        default:  // all ones - 0: an unsigned SUBS's largest result
          a[l] = m;
          b[l] = 0;
      }
    }
    put_data('W', addr, w, a);
    put_data('E', addr, w, b);
  }

  void put_data(char side, uint32_t addr, unsigned w, const std::vector<uint32_t>& lanes) {
    for (unsigned i = 0; i < w; ++i) {
      std::vector<uint8_t> plane(cfg_.lanes);
      for (size_t l = 0; l < lanes.size(); ++l) plane[l] = uint8_t(lanes[l] >> (8 * i));
      b_.sram((side == 'W' ? mem_w_ : mem_e_).at(i).name, addr, plane);
    }
  }

  std::mt19937_64 rng_;
  image::ProgramBuilder b_;
  const isa::Config& cfg_;
  sched::ProgramLength length_;
  std::vector<Op> ops_;
  std::vector<std::pair<Op, DType>> pairs_, deck_;  // every (op, type) allowed; the deck being dealt
  std::vector<std::string> vxm_;
  std::vector<MemQueue> mem_w_, mem_e_;  // MEM.W.i, MEM.E.i
  std::map<std::string, Cycle> free_;
  std::set<std::tuple<unsigned, bool, int64_t>> waves_;
  std::set<std::pair<uint16_t, Cycle>> ports_;
};

}  // namespace

image::Image random_vxm(const RandomOptions& opts) { return VxmProgram(opts).generate(opts.instructions); }

}  // namespace tsp::gen
