#include "systemc/engine/chip_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <optional>

#include "systemc/engine/decoded_queue.hpp"
#include "systemc/engine/engine_hot.hpp"

namespace tsp::model {
namespace {
constexpr size_t kRdeskewCycles = isa::operand_index(isa::Op::RDESKEW, "cycles");
}  // namespace

ChipEngine::ChipEngine(const isa::Config& cfg, uint32_t chip) : cfg_(cfg), chip_(chip), fabric_(cfg_) {
  slices_.reserve(cfg_.mem_slices);
  for (uint32_t i = 0; i < cfg_.mem_slices; ++i) slices_.emplace_back(cfg_);
  ports_.resize(cfg_.mem_slices);
  planes_.resize(cfg_.mxm_planes);
  by_ref_.assign(cfg_.mem_slices, 1);
  links_.resize(cfg_.c2c_links);
}

ChipEngine::ChipEngine(const image::Image& img, uint32_t chip) : ChipEngine(*isa::find_config(img.config), chip) {
  load(img);
}

void ChipEngine::load(const image::Image& img) {
  if (img.config != cfg_.name)
    throw Error(fmt::format("chip {}: image is for configuration {}, the chip is {}", chip_, img.config, cfg_.name));
  const image::ChipProgram& prog = img.chips.at(chip_);
  files_ = img.files;
  for (auto& m : slices_) m.clear_generated();
  if (!timing_only_)
    for (const auto& g : prog.generated)
      slices_.at(g.slice).add_generated(g.address, g.vectors, g.lanes, g.seed, g.tensor, g.keep, g.set, g.period,
                                        g.last_lanes);
  for (const auto& seg : prog.sram) {
    if (timing_only_) break;  // no data: SRAM stays unallocated
    Vec v;
    for (size_t off = 0; off < seg.bytes.size(); off += cfg_.vector_bytes) {
      std::copy_n(seg.bytes.begin() + static_cast<ptrdiff_t>(off), cfg_.vector_bytes, v.bytes.begin());
      slices_[seg.slice].write(seg.address + static_cast<uint32_t>(off / cfg_.vector_bytes), v);
    }
  }
  queues_.clear();
  // Nothing left on the streams from an earlier run. A fabric nothing used is
  // kept: 576 chips built theirs twice, a gigabyte of pages written for nothing.
  if (fabric_.values_put()) fabric_ = StreamFabric(cfg_);
  by_ref_.assign(cfg_.mem_slices, 1);
  planes_.assign(cfg_.mxm_planes, MxmPlane{});
  events_ = {};
  next_cycle_.clear();
  for (auto& l : links_) l.arrivals.clear();
  ports_.assign(cfg_.mem_slices, Ports{});  // an earlier run's last accesses are not this run's
  flips_.clear();                           // planned for the earlier run; add_flip after load() plans this one's
  now_ = 0;
  horizon_ = 0;
  drift_shift_ = 0;
  started_ = false;
  stats_ = {};
  last_activity_ = 0;
  any_issued_ = false;
  queues_.reserve(prog.queues.size());
  for (const auto& qp : prog.queues) {
    QueueRun q;
    q.id = qp.queue;
    q.desc = &cfg_.queue_table[qp.queue];
    if (q.desc->unit == isa::Unit::MEM) q.slice = isa::mem_slice_of(*q.desc, cfg_);
    std::string why;
    q.prog = decoded_queue(qp, cfg_, &why);
    if (!q.prog) throw Error(fmt::format("chip {}, {}: {}", chip_, q.desc->name, why));  // validate() rules this out
    q.code = q.prog->code;
    if (q.prog->writes_sram) by_ref_.at(q.slice) = 0;
    queues_.push_back(std::move(q));
  }
  for (auto& q : queues_)
    if (!q.code.empty()) schedule(q, 0);
}

const ChipEngine::QueueRun* ChipEngine::run_of(uint16_t queue) const {
  for (const auto& q : queues_)
    if (q.id == queue) return &q;
  return nullptr;
}

const std::vector<const isa::Instr*>* ChipEngine::queue_code(uint16_t queue) const {
  const QueueRun* q = run_of(queue);
  return q ? &q->prog->code : nullptr;
}

Cycle ChipEngine::queue_end(uint16_t queue) const {
  const QueueRun* q = run_of(queue);
  return q ? q->end : 0;
}

uint64_t ChipEngine::queue_issued(uint16_t queue) const {
  const QueueRun* q = run_of(queue);
  return q ? q->issued : 0;
}

Cycle ChipEngine::next_send_bound(const std::vector<uint8_t>& links) const {
  Cycle bound = kNever;
  for (const auto& q : queues_) {
    if (q.prog->to_send.empty() || q.desc->index >= links.size() || !links[q.desc->index]) continue;
    // Nothing before horizon_ is left to issue; a parked queue resumes no earlier either.
    Cycle at = std::max(q.end, horizon_);
    if (q.rep_left) {
      if (q.code[q.rep_src]->op == isa::Op::SEND) {
        bound = std::min(bound, at);
        continue;
      }
      at += uint64_t(q.rep_left) * q.rep_interval;
    }
    if (q.pc < q.code.size() && q.prog->to_send[q.pc] != kNever) bound = std::min(bound, at + q.prog->to_send[q.pc]);
  }
  return bound;
}

uint64_t ChipEngine::stored_sram_bytes() const {
  uint64_t pages = 0;
  for (const auto& m : slices_) pages += m.stored_pages();
  return pages * MemSlice::kPageVectors * cfg_.vector_bytes;
}

void ChipEngine::attach_link(uint16_t link, LinkSink* tx, bool receives) {
  LinkEnd& l = links_.at(link);
  l.tx = tx;
  l.receives = receives;
}

void ChipEngine::deliver(uint16_t link, Cycle at, LinkFrame frame) {
  if (link >= links_.size())
    throw Error(fmt::format("chip {}: a vector is delivered on link {}, the chip has {}", chip_, link, links_.size()));
  const std::string what =
      fmt::format("chip {}, {}: a vector from {} arrives in cycle {}", chip_, link_name(link), frame.from, at);
  if (at < horizon_)
    throw Error(
        fmt::format("{}, but the chip has already run to cycle {}: the link is faster than the "
                    "synchronisation quantum",
                    what, horizon_));
  auto& arrivals = links_[link].arrivals;
  if (!arrivals.empty() && arrivals.back().at >= at)
    throw Error(fmt::format("{}, not after the one arriving in cycle {}: a link carries one vector at a time", what,
                            arrivals.back().at));
  arrivals.push_back(Arrival{at, std::move(frame)});
  // A RECV must have taken it by the end of its receive window.
  events_.push(Event{at + cfg_.c2c_receive_window_cycles + 1, kLinkCheck + link});
}

void ChipEngine::check_arrivals(uint16_t link, Cycle now) const {
  const auto& arrivals = links_[link].arrivals;
  if (arrivals.empty() || arrivals.front().at + cfg_.c2c_receive_window_cycles >= now) return;
  const Arrival& a = arrivals.front();
  throw ScheduleError(fmt::format(
      "error: chip {}, {}: a vector arrived in cycle {}{} and no RECV took it in its receive window (cycles {}..{}), "
      "so it would be lost; it was sent by {}",
      chip_, link_name(link), a.at, next_recv(link), a.at, a.at + cfg_.c2c_receive_window_cycles, a.frame.from));
}

std::string ChipEngine::next_recv(uint16_t link) const {
  for (const auto& q : queues_)
    if (q.desc->unit == isa::Unit::C2C && q.desc->index == link && q.pc < q.code.size() &&
        q.code[q.pc]->op == isa::Op::RECV && !q.rep_left)
      return fmt::format(", RECV in cycle {} ({})", q.end, instr_text(q, q.pc, q.end, *q.code[q.pc]));
  return {};
}

Cycle ChipEngine::rdeskew_end(const QueueRun& q, uint32_t index, Cycle t, uint64_t count) {
  // The schedule's time of this issue, plus the count, found on the HAC.
  const int64_t target = int64_t(t) - drift_shift_ + int64_t(count);
  const Cycle end = clock_.own_cycle_at(double(std::max<int64_t>(target, 0)));
  if (end <= t)
    fail(q, index, t,
         fmt::format("RDESKEW {} cannot absorb the drift: the chip's clock is {} cycles behind the HAC "
                     "(docs/links.md, drift budget)",
                     count, int64_t(t) + 1 - int64_t(end)));
  drift_shift_ = int64_t(end) - target;
  return end;
}

std::string ChipEngine::link_name(uint16_t link) const {
  for (const auto& q : cfg_.queue_table)
    if (q.unit == isa::Unit::C2C && q.index == link) return fmt::format("link {} ({})", link, q.name);
  return fmt::format("link {}", link);
}

void ChipEngine::schedule_later(QueueRun& q, Cycle at) { events_.push(Event{at, index_of(q) + 1}); }

void ChipEngine::add_flip(const Flip& flip) {
  flips_.push_back(flip);
  std::stable_sort(flips_.begin(), flips_.end(), [](const Flip& a, const Flip& b) { return a.at > b.at; });
}

void ChipEngine::apply_flips(Cycle now) {
  while (!flips_.empty() && flips_.back().at <= now) {
    const Flip& f = flips_.back();
    slices_.at(f.slice).flip(f.address, f.superlane, f.bit);
    flips_.pop_back();
  }
}

bool ChipEngine::run_until(Cycle limit) {
  started_ = true;
  horizon_ = std::max(horizon_, limit);
  // WRITEs of by-reference values copy late (MemSlice::write_later): done
  // before the host may change SRAM, whether the run returns or throws.
  struct FlushSram {
    ChipEngine& e;
    ~FlushSram() {
      if (e.settle_on_return_)
        for (const auto& m : e.slices_) m.flush();
    }
  } flush_sram{*this};
  for (;;) {
    // The next cycle with work: queues due right after the last one, or the heap's earliest.
    Cycle t = ~Cycle{0};
    if (!next_cycle_.empty()) t = now_ + 1;
    if (!events_.empty()) t = std::min(t, events_.top().at);
    if (t == ~Cycle{0} || t >= limit) break;
    // Deterministic order within a cycle: releases first, then queues in the
    // order they were scheduled (itself deterministic), then the heap's by id.
    batch_.clear();
    if (!next_cycle_.empty() && t == now_ + 1) batch_.swap(next_cycle_);
    bool release = false;
    while (!events_.empty() && events_.top().at == t) {
      const uint32_t key = events_.top().key;
      if (key == 0)
        release = true;
      else if (key >= kLinkCheck)
        check_arrivals(static_cast<uint16_t>(key - kLinkCheck), t);
      else
        batch_.push_back(events_.top().key - 1);
      events_.pop();
    }
    if (t >= StreamFabric::kMaxCycle) [[unlikely]]
      throw ScheduleError(fmt::format("chip {}: cycle {} is beyond the longest run the model holds ({} cycles)", chip_,
                                      t, StreamFabric::kMaxCycle));
    now_ = t;
    apply_flips(t);
    if (release)  // NOTIFY of the previous cycle releases every parked queue
      for (auto& q : queues_)
        if (q.parked) {
          q.parked = false;
          if (q.pc < q.code.size()) batch_.push_back(index_of(q));
        }
    for (uint32_t id : batch_) {
      QueueRun& q = queues_[id];
      if (q.rep_left) {  // the common case of long programs: straight to the next repetition
        any_issued_ = true;
        repeat_next(q, t);
      } else {
        issue(q, t);
      }
    }
  }
  if (!done()) {
    if (settle_on_return_ && !timing_only_) fabric_.materialize();  // the host may write SRAM before the next call
    return false;
  }
  for (const auto& q : queues_)
    if (q.parked)
      fail(q, q.parked_instr, q.parked_at, "SYNC waits for a NOTIFY that never comes (every other queue has finished)");
  return true;
}

void ChipEngine::settle() {
  // Timing-only streams carry references to one static no-value (no_results),
  // which no host write can change: copying them would only cost memory.
  if (!timing_only_) fabric_.materialize();
  for (const auto& m : slices_) m.flush();
}

Cycle ChipEngine::end_cycle() const {
  if (!any_issued_) return 0;
  Cycle end = last_activity_;
  for (const auto& q : queues_) end = std::max(end, q.end);
  return end + cfg_.superlanes - 1;
}

void ChipEngine::issue(QueueRun& q, Cycle t) {
  any_issued_ = true;
  if (q.rep_left) {
    repeat_next(q, t);
    return;
  }
  const uint32_t index = q.pc++;
  const isa::Instr& in = *q.code[index];
  // The queue's next instruction is read at the end of this call (to hint its
  // streams) and a large system has evicted its line: start the fetch now,
  // under this instruction's work.
  if (q.pc < q.code.size()) {
    const auto* next = reinterpret_cast<const char*>(q.code[q.pc]);
    __builtin_prefetch(next);
    __builtin_prefetch(next + sizeof(isa::Instr) - 1);
  }
  // ICU ops and DESKEW (a C2C op the queue itself times) never reach execute(): report them here.
  if (observer_ && (in.desc().unit == isa::Unit::ICU || in.op == isa::Op::DESKEW))
    observer_->on_issue(q.id, index, t, in);
  ++stats_.instructions[static_cast<size_t>(in.desc().unit)];
  ++q.issued;
  Cycle next = t + isa::duration(in);
  switch (in.op) {
    case isa::Op::NOP:
      break;
    case isa::Op::DESKEW:
      next = clock_.next_epoch(t, cfg_.hac_period_cycles);
      break;
    case isa::Op::RDESKEW:
      next = rdeskew_end(q, index, t, static_cast<uint64_t>(in.operand[kRdeskewCycles]));
      execute(Exec{q, index, t, in, in.desc()});  // observers see it as a C2C op, as before drift existed
      if (observer_) observer_->on_drift(next, drift_shift_);
      break;
    case isa::Op::REPEAT: {
      const isa::Instr* prev = index ? q.code[index - 1] : nullptr;
      if (!prev || prev->desc().unit == isa::Unit::ICU)
        fail(q, index, t, "REPEAT must follow a unit instruction (it repeats the previous one)");
      q.rep_src = index - 1;
      q.rep_left = static_cast<uint32_t>(in.operand[kRepCount]);
      q.rep_interval = static_cast<uint32_t>(in.operand[kRepInterval]);
      q.rep_stride = in.operand[kRepStride];
      q.rep_k = 1;
      q.rep_in = *prev;
      q.rep_desc = &prev->desc();
      q.rep_field = prev->desc().strided_field;
      q.rep_base = q.rep_field >= 0 ? prev->operand[static_cast<size_t>(q.rep_field)] : 0;
      if (const auto bad = q.prog->bad_repeats.find(index); bad != q.prog->bad_repeats.end()) {
        q.rep_bad_k = bad->second.k;
        q.rep_bad_why = bad->second.why;
      } else {
        q.rep_bad_k = 0;
      }
      repeat_next(q, t);  // the first repetition issues in the REPEAT's own slot
      return;
    }
    case isa::Op::SYNC:
      q.parked = true;
      q.parked_at = t;
      q.parked_instr = index;
      q.end = t + 1;
      return;
    case isa::Op::NOTIFY:
      events_.push(Event{t + 1, 0});
      break;
    case isa::Op::IFETCH:
    case isa::Op::CONFIG:
      break;
    default:
      execute(Exec{q, index, t, in, in.desc()});
  }
  if (q.pc < q.code.size()) {
    schedule(q, next);
    prefetch_streams(q, *q.code[q.pc], next);
  } else {
    q.end = next;
  }
}

void ChipEngine::repeat_next(QueueRun& q, Cycle t) {
  if (q.rep_k == q.rep_bad_k) fail(q, q.rep_src, t, fmt::format("repetition {}: {}", q.rep_k, q.rep_bad_why));
  isa::Instr& in = q.rep_in;  // prepared when the REPEAT issued: no copy per repetition
  if (q.rep_field >= 0) in.operand[static_cast<size_t>(q.rep_field)] = q.rep_base + q.rep_stride * q.rep_k;
  const isa::OpDesc& d = *q.rep_desc;
  ++stats_.instructions[static_cast<size_t>(d.unit)];
  ++q.issued;
  execute(Exec{q, q.rep_src, t, in, d});
  ++q.rep_k;
  --q.rep_left;
  const Cycle next = t + q.rep_interval;
  if (q.rep_left && d.unit == isa::Unit::MXM) prefetch_streams(q, in, next);  // READs hint further ahead themselves
  if (q.rep_left || q.pc < q.code.size())
    schedule(q, next);
  else
    q.end = next;
}

// Inline in issue() and repeat_next(): it runs once per simulated instruction.
[[gnu::always_inline]] inline void ChipEngine::execute(const Exec& x) {
  if (observer_) [[unlikely]] {
    execute_observed(x);
    return;
  }
  dispatch(x);
  note_result(x);
}

void ChipEngine::dispatch(const Exec& x) {
  switch (x.d.unit) {
    case isa::Unit::MEM:
      exec_mem(x);
      break;
    case isa::Unit::SXM:
      exec_sxm(x);
      break;
    case isa::Unit::VXM:
      exec_vxm(x);
      break;
    case isa::Unit::MXM:
      exec_mxm(x);
      break;
    case isa::Unit::C2C:
      exec_c2c(x);
      break;
    case isa::Unit::ICU:
      break;
  }
}

void ChipEngine::execute_observed(const Exec& x) {
  observer_->on_issue(x.q.id, x.index, x.t, x.in);
  if (recording_) {
    unit_op_.chip = chip_;
    unit_op_.queue = x.q.id;
    unit_op_.index = x.index;
    unit_op_.t = x.t;
    unit_op_.in = x.in;
    unit_op_.inputs.clear();
    unit_op_.outputs.clear();
    unit_op_.sram.clear();
  }
  dispatch(x);
  note_result(x);
  if (recording_ && x.d.unit != isa::Unit::ICU) {
    for (auto& o : unit_op_.outputs) o.v = fabric_.get(o.s, x.q.desc->position, o.at);
    observer_->on_unit_op(unit_op_);
  }
}

void ChipEngine::fail_empty(const Exec& x, isa::StreamRef s) const {
  fail(x, fmt::format("stream {} holds no value at {} (position {}) in cycle {}", isa::stream_name(s), x.q.desc->name,
                      x.q.desc->position, x.t));
}

void ChipEngine::fail_taken(const Exec& x, isa::StreamRef s, Cycle at, const Origin& other) const {
  fail(x, fmt::format("stream {} at {} (position {}) in cycle {} is already written by {}", isa::stream_name(s),
                      x.q.desc->name, x.q.desc->position, at, origin_text(other)));
}

void ChipEngine::write_streams(const Exec& x, isa::StreamRef base, unsigned width, const Vec* values) {
  for (unsigned i = 0; i < width; ++i)
    result_stream(x, isa::StreamRef{static_cast<uint8_t>(base.index + i), base.west}) = values[i];
}

void ChipEngine::fail_port(const Exec& x, uint16_t slice, bool write, uint32_t banks, Cycle at) const {
  const PortUse& mine = ports_[slice].of(write);
  const PortUse& other = ports_[slice].of(!write);
  if (mine.cycle == at)
    fail(x, fmt::format("{} port of {} is already used in cycle {} by {}", write ? "write" : "read",
                        isa::mem_slice_name(cfg_, slice), at, origin_text(mine.origin)));
  fail(x, fmt::format("bank conflict on {} in cycle {}: this {} and the {} by {} hit bank {}",
                      isa::mem_slice_name(cfg_, slice), at, write ? "write" : "read", write ? "read" : "write",
                      origin_text(other.origin), std::countr_zero(other.banks & banks)));
}

std::string ChipEngine::source_of(const QueueRun& q, uint32_t index) const {
  if (index < q.prog->locs.size() && q.prog->locs[index].line && q.prog->locs[index].file < files_.size())
    return fmt::format("{}:{}", files_[q.prog->locs[index].file], q.prog->locs[index].line);
  return {};
}

std::string ChipEngine::instr_text(const QueueRun& q, uint32_t index, Cycle t, const isa::Instr& in) const {
  return fmt::format("chip {}, {} #{} `{}`, cycle {}", chip_, q.desc->name, index, isa::format(in), t);
}

std::string ChipEngine::where(const QueueRun& q, uint32_t index, Cycle t, const isa::Instr& in) const {
  const std::string src = source_of(q, index);
  return fmt::format("{}{}error: {}", src, src.empty() ? "" : ": ", instr_text(q, index, t, in));
}

std::string ChipEngine::origin_text(const Origin& o) const {
  if (const QueueRun* q = run_of(o.queue))
    return fmt::format("{} #{} `{}` (issued in cycle {})", q->desc->name, o.instr, isa::format(*q->code[o.instr]),
                       o.issued);
  return "?";
}

void ChipEngine::fail(const Exec& x, const std::string& why) const {
  throw ScheduleError(fmt::format("{}: {}", where(x.q, x.index, x.t, x.in), why));
}

void ChipEngine::fail(const QueueRun& q, uint32_t index, Cycle t, const std::string& why) const {
  throw ScheduleError(fmt::format("{}: {}", where(q, index, t, *q.code[index]), why));
}

}  // namespace tsp::model
