// Random ICU programs, legal by construction (docs/timing.md):
// - pairs of MEM queues: the producer MEM.W.k READs (maybe REPEATed with a
//   stride) onto its own eastward stream, the consumer MEM.E.k WRITEs what
//   passes (REPEATed alike) at the cycle firmware/sched/timing.hpp says it
//   arrives. Each pair owns its stream, a slice only reads or only writes:
//   no stream, port or bank conflict, no empty read;
// - a C2C queue that waits: NOP, RDESKEW, DESKEW;
// - IFETCH/CONFIG anywhere; barriers where every queue but one SYNCs and the
//   last one NOTIFYs no earlier than every SYNC, so all resume together.
// Every issue's cycle and word are worked out here while generating.
#include "tb/gen/random_icu.hpp"

#include <algorithm>
#include <map>
#include <random>

#include "common/error.hpp"
#include "firmware/sched/timing.hpp"

namespace tsp::gen {
namespace {

using isa::Instr;
using isa::Op;
using sched::Cycle;

struct QueueState {
  uint16_t id = 0;
  std::vector<uint64_t> words;
  Cycle t = 0;         // next free slot
  Cycle slot_end = 0;  // the cycle after the last occupied slot
};

class Planner {
 public:
  Planner(const RandomOptions& opts) : cfg_(*find(opts.config)), rng_(opts.seed), length_(cfg_) {}

  IcuPlan run(uint32_t unit_instructions) {
    const uint32_t pairs = std::min<uint32_t>({4, cfg_.mem_slices_per_hemisphere, cfg_.streams_per_direction});
    for (uint32_t k = 0; k < pairs; ++k)
      pairs_.push_back({queue("MEM.W." + std::to_string(k)), queue("MEM.E." + std::to_string(k)), k});
    c2c_ = queue("C2C.0");
    while (units_ < unit_instructions) {
      for (const auto& p : pairs_)
        if (draw(4)) transfer(p);
      for (auto& [id, q] : queues_)
        if (!draw(4)) icu_filler(q);
      if (!draw(3)) waiter(queues_.at(c2c_));
      if (!draw(4)) barrier();
    }
    IcuPlan plan;
    plan.image.config = std::string(cfg_.name);
    plan.image.chips.resize(1);
    for (auto& [id, q] : queues_) {  // std::map: sorted by queue id, as images require
      if (q.words.empty()) continue;
      plan.image.chips[0].queues.push_back({id, std::move(q.words), {}});
      plan.queue_end.push_back(q.slot_end);
      length_.queue_busy_until(q.slot_end);
    }
    std::stable_sort(issues_.begin(), issues_.end(),
                     [](const PlannedIssue& a, const PlannedIssue& b) { return a.queue < b.queue; });
    plan.issues = std::move(issues_);
    plan.image.has_prediction = true;
    plan.image.predicted_cycles = length_.end();
    return plan;
  }

 private:
  struct Pair {
    uint16_t producer, consumer;
    uint32_t stream;
  };

  static const isa::Config* find(const std::string& name) {
    const isa::Config* c = isa::find_config(name);
    if (!c) throw Error("random icu: unknown configuration " + name);
    return c;
  }
  uint16_t queue(const std::string& name) {
    const auto id = isa::find_queue(cfg_, name);
    if (!id) throw Error("random icu: configuration " + std::string(cfg_.name) + " has no queue " + name);
    queues_[*id].id = *id;
    return *id;
  }
  uint64_t draw(uint64_t n) { return rng_() % n; }  // integers only: same on every standard library
  int64_t draw_in(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(draw(static_cast<uint64_t>(hi - lo + 1)));
  }

  // Appends `in` to `q` at cycle `at` (>= q.t), a NOP filling any gap first.
  void put(QueueState& q, Cycle at, const Instr& in) {
    if (at > q.t) put(q, q.t, Instr{Op::NOP, {static_cast<int64_t>(at - q.t)}});
    const uint64_t word = isa::encode(in);
    issues_.push_back({q.id, static_cast<uint32_t>(q.words.size()), at, word});
    q.words.push_back(word);
    q.t = at + isa::duration(in);
    q.slot_end = q.t;
    if (in.desc().unit != isa::Unit::ICU) unit(in, at);
  }
  void unit(const Instr& in, Cycle at) {
    length_.unit_instr(in, at);
    ++units_;
  }
  // `base` (just put) repeated n times, d apart, its strided field advanced by k*s.
  void repeat(QueueState& q, const Instr& base, int64_t n, int64_t d, int64_t s) {
    const Cycle at = q.t;
    const auto index = static_cast<uint32_t>(q.words.size() - 1);
    put(q, at, Instr{Op::REPEAT, {n, d, s}});
    for (int64_t k = 1; k <= n; ++k) {
      Instr rep = base;
      rep.operand[static_cast<size_t>(base.desc().strided_field)] += k * s;
      const Cycle t = at + static_cast<Cycle>((k - 1) * d);
      issues_.push_back({q.id, index, t, isa::encode(rep)});
      unit(rep, t);
    }
  }

  // READ (+REPEAT) on the producer, the matching WRITE (+REPEAT) downstream.
  void transfer(const Pair& p) {
    QueueState& prod = queues_.at(p.producer);
    QueueState& cons = queues_.at(p.consumer);
    const auto& pd = cfg_.queue_table[p.producer];
    const auto& cd = cfg_.queue_table[p.consumer];
    const bool rep = draw(3) != 0;
    const int64_t n = rep ? draw_in(1, 4) : 0, d = draw_in(1, 3), s = draw_in(-3, 3), s2 = draw_in(-3, 3);
    const int64_t addrs = cfg_.mem_addresses;
    auto base_addr = [&](int64_t stride) {  // every repetition's address stays in range
      return draw_in(std::max<int64_t>(0, -stride * n), addrs - 1 - std::max<int64_t>(0, stride * n));
    };
    const int64_t stream = isa::StreamRef{static_cast<uint8_t>(p.stream), false}.code();
    const Instr read{Op::READ, {base_addr(s), stream}};
    const Instr write{Op::WRITE, {base_addr(s2), stream}};
    // The READ at tp puts its vector at the producer at tp + latency; it
    // passes the consumer at read_cycle(...), when the WRITE must issue.
    Cycle tp = prod.t + draw(3);
    auto tc = [&](Cycle at) { return *sched::read_cycle(pd, sched::result_cycle(read, at), false, cd); };
    if (tc(tp) < cons.t) tp += cons.t - tc(tp);
    put(prod, tp, read);
    if (rep) repeat(prod, read, n, d, s);
    put(cons, tc(tp), write);
    if (rep) repeat(cons, write, n, d, s2);
  }

  void icu_filler(QueueState& q) {
    if (draw(2))
      put(q, q.t, Instr{Op::NOP, {draw_in(1, 5)}});
    else if (draw(2))
      put(q, q.t, Instr{Op::IFETCH, {draw_in(1, 8)}});
    else
      put(q, q.t, Instr{Op::CONFIG, {draw_in(0, 3)}});
  }

  void waiter(QueueState& q) {
    switch (draw(3)) {
      case 0: {  // DESKEW: until the next multiple of the period (not a duration field: planned here)
        const Cycle at = q.t + draw(3);
        put(q, at, Instr{Op::DESKEW, {}});
        q.t = q.slot_end = (at / cfg_.hac_period_cycles + 1) * cfg_.hac_period_cycles;
        break;
      }
      case 1:
        put(q, q.t, Instr{Op::RDESKEW, {draw_in(1, 9)}});
        break;
      default:
        put(q, q.t, Instr{Op::NOP, {draw_in(1, 40)}});
    }
  }

  // Every queue but one SYNCs; the last NOTIFYs at or after the latest SYNC;
  // all of them issue again right after the NOTIFY.
  void barrier() {
    auto notifier = queues_.begin();
    std::advance(notifier, static_cast<ptrdiff_t>(draw(queues_.size())));
    Cycle at = notifier->second.t;
    for (auto& [id, q] : queues_)
      if (id != notifier->first) {
        put(q, q.t, Instr{Op::SYNC, {}});
        at = std::max(at, q.slot_end - 1);
      }
    put(notifier->second, at + draw(2), Instr{Op::NOTIFY, {}});
    const Cycle resume = notifier->second.t;
    for (auto& [id, q] : queues_) q.t = resume;  // slot_end of a SYNC stays its own cycle + 1
  }

  const isa::Config& cfg_;
  std::mt19937_64 rng_;
  sched::ProgramLength length_;
  std::map<uint16_t, QueueState> queues_;
  std::vector<Pair> pairs_;
  uint16_t c2c_ = 0;
  std::vector<PlannedIssue> issues_;
  uint32_t units_ = 0;
};

}  // namespace

IcuPlan plan_icu(const RandomOptions& opts) { return Planner(opts).run(opts.instructions); }

image::Image random_icu(const RandomOptions& opts) { return plan_icu(opts).image; }

}  // namespace tsp::gen
