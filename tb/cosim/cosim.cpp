// The cosim run loop and its checker (an engine Observer).
#include "tb/cosim/cosim.hpp"

#include <fmt/format.h>
#include <verilated_fst_c.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <limits>
#include <memory>
#include <unordered_map>

#include "common/error.hpp"

namespace tsp::cosim {
namespace {

using Clock = std::chrono::steady_clock;

// Thrown by the checker to leave the engine's run loop (first divergence, end
// of a wave window); caught by run_chip. Nothing else sees it.
struct StopRun {};

class Checker final : public model::Observer {
 public:
  struct Slot {
    RtlUnit* unit;
    isa::Unit kind;
    UnitSummary* summary;
  };

  Checker(uint32_t chip, std::vector<Slot> slots, unsigned history, const WaveRequest* rerun)
      : chip_(chip), slots_(std::move(slots)), history_(history), rerun_(rerun) {
    for (auto& s : slots_) by_unit_[static_cast<size_t>(s.kind)] = &s;
  }

  bool wants_unit_ops() const override { return true; }

  void on_issue(uint16_t queue, uint32_t index, model::Cycle t, const isa::Instr& in) override {
    auto& h = hist_[queue];
    h.push_back(OpRef{queue, index, t, in});
    if (h.size() > history_ + kSlack) h.pop_front();
    if (rerun_ && rerun_->stop_after_window && t > rerun_->to) throw StopRun{};
    for (auto& s : slots_) {
      if (&s == by_unit_[static_cast<size_t>(isa::Unit::ICU)]) ++s.summary->instructions;  // the ICU checks issues
      if (auto d = timed(s, [&] { return s.unit->check_issue(queue, index, t, in); }))
        diverge(s, *d, OpRef{queue, index, t, in});
    }
  }

  void on_unit_op(const model::UnitOp& op) override {
    Slot* s = by_unit_[static_cast<size_t>(op.in.desc().unit)];
    if (!s) return;
    ++s->summary->instructions;
    ++instructions_;
    if (auto d = timed(*s, [&] { return s->unit->check(op); })) diverge(*s, *d, OpRef{op.queue, op.index, op.t, op.in});
  }

  // The end of the run: what the units still hold.
  void finish() {
    for (auto& s : slots_)
      if (auto d = timed(s, [&] { return s.unit->finish(); })) {
        if (rerun_) continue;
        record(s, *d, d->op);  // a result compared late, or the last writer of a final SRAM word
        return;
      }
  }

  std::optional<FirstDivergence>& first() { return first_; }
  uint64_t instructions() const { return instructions_; }

 private:
  static constexpr unsigned kSlack = 64;  // a result compared late still finds its instruction

  template <class F>
  std::optional<Divergence> timed(Slot& s, F&& f) {
    const auto t0 = Clock::now();
    auto d = f();
    s.summary->seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    return d;
  }

  // Records the first divergence and leaves the run; a wave re-run keeps
  // going to its window's end instead.
  void diverge(Slot& s, const Divergence& d, const OpRef& current) {
    if (rerun_) return;
    record(s, d, d.op ? *d.op : current);
    throw StopRun{};
  }

  void record(Slot& s, const Divergence& d, std::optional<OpRef> op) {
    if (first_) return;
    FirstDivergence fd;
    fd.chip = chip_;
    fd.unit = std::string(s.unit->name());
    fd.d = d;
    if (op) {
      fd.op = *op;
      fd.has_op = true;
      const auto& h = hist_[op->queue];
      size_t end = h.size();  // one past the failing instruction
      for (size_t i = 0; i < h.size(); ++i)
        if (h[i].index == op->index && h[i].t == op->t) end = i + 1;
      for (size_t i = end > history_ ? end - history_ : 0; i < end; ++i)
        fd.history.push_back(HistoryLine{h[i], h[i].index == op->index && h[i].t == op->t});
    }
    first_ = std::move(fd);
  }

  uint32_t chip_;
  std::vector<Slot> slots_;
  std::array<Slot*, isa::kUnitCount> by_unit_{};
  unsigned history_;
  const WaveRequest* rerun_;
  std::unordered_map<uint16_t, std::deque<OpRef>> hist_;
  std::optional<FirstDivergence> first_;
  uint64_t instructions_ = 0;
};

}  // namespace

CosimResult run_cosim(const image::Image& img, const CosimOptions& opt) {
  std::vector<const RtlUnitEntry*> entries;
  for (const auto& n : opt.units) {
    const RtlUnitEntry* e = find_rtl_unit(n);
    if (!e)
      throw Error(fmt::format("tsp cosim: error: --rtl {}: no RTL unit of that name (known: {}; and c2c, alone)", n,
                              rtl_unit_names()));
    for (const auto* seen : entries)
      if (seen == e) throw Error(fmt::format("tsp cosim: error: --rtl {}: named twice", n));
    entries.push_back(e);
  }
  if (entries.empty()) throw Error(fmt::format("tsp cosim: error: --rtl names no unit (known: {})", rtl_unit_names()));
  const WaveRequest* wave = opt.wave ? &*opt.wave : nullptr;
  if (wave && !std::any_of(opt.units.begin(), opt.units.end(), [&](const auto& u) { return u == wave->unit; }))
    throw Error(fmt::format("tsp cosim: error: waves of unit {}, which --rtl does not check", wave->unit));

  CosimResult res;
  for (const auto* e : entries) {
    UnitSummary u;
    u.name = std::string(e->name);
    res.units.push_back(std::move(u));
  }
  const auto t0 = Clock::now();
  for (uint32_t c = 0; c < img.chips.size() && res.ok(); ++c) {
    model::ChipEngine engine(img, c);
    UnitContext ctx;
    ctx.img = &img;
    ctx.chip = c;
    if (c < opt.flips.size()) ctx.flips = opt.flips[c];
    for (const auto& f : ctx.flips) engine.add_flip(f);
    if (c < opt.rtl_flips.size()) ctx.flips.insert(ctx.flips.end(), opt.rtl_flips[c].begin(), opt.rtl_flips[c].end());
    ctx.planted = opt.planted;
    const bool traced_chip = wave && wave->chip == c;
    if (traced_chip) ctx.focus = wave->focus;
    std::vector<std::unique_ptr<RtlUnit>> units;
    std::vector<Checker::Slot> slots;
    for (size_t i = 0; i < entries.size(); ++i) {
      units.push_back(entries[i]->make(ctx));
      units.back()->start(engine);
      slots.push_back(Checker::Slot{units.back().get(), entries[i]->unit, &res.units[i]});
    }
    std::unique_ptr<VerilatedFstC> fst;
    if (traced_chip) {
      fst = std::make_unique<VerilatedFstC>();
      for (size_t i = 0; i < entries.size(); ++i)
        if (entries[i]->name == wave->unit) {
          units[i]->trace(*fst, wave->from, wave->to);
          res.wave_groups = units[i]->wave_groups();
        }
      fst->open(wave->fst.c_str());
      if (!fst->isOpen()) throw Error(fmt::format("tsp cosim: error: cannot write {}", wave->fst));
    }
    Checker checker(c, std::move(slots), opt.history, traced_chip && wave->stop_after_window ? wave : nullptr);
    engine.set_observer(&checker);
    bool stopped = false;
    try {
      engine.run_until(std::numeric_limits<model::Cycle>::max());
    } catch (const StopRun&) {
      stopped = true;
    } catch (const Error& e) {
      res.model_error = e.what();
    }
    engine.set_observer(nullptr);
    if (!checker.first() && res.model_error.empty() && (!stopped || (traced_chip && wave->stop_after_window)))
      checker.finish();
    res.divergence = checker.first();
    res.instructions += checker.instructions();
    res.cycles = std::max(res.cycles, engine.end_cycle());
    for (size_t i = 0; i < units.size(); ++i) {
      res.units[i].rtl_cycles += units[i]->rtl_cycles();
      res.units[i].values += units[i]->values_checked();
      auto add = [](std::vector<RtlUnit::Count>& to, const std::vector<RtlUnit::Count>& from) {
        for (const auto& x : from) {
          auto it = std::find_if(to.begin(), to.end(), [&](const auto& t) { return t.what == x.what; });
          if (it == to.end())
            to.push_back(x);
          else
            it->n += x.n;
        }
      };
      const auto compared = units[i]->compared();
      res.units[i].itemized |= !compared.empty();
      add(res.units[i].compared, compared);
      add(res.units[i].skipped, units[i]->skipped());
    }
    if (fst) fst->close();
  }
  res.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return res;
}

std::string format_divergence(const image::Image& img, const FirstDivergence& fd) {
  const isa::Config& cfg = *isa::find_config(img.config);
  auto loc = [&](const OpRef& op) -> std::string {
    for (const auto& q : img.chips.at(fd.chip).queues)
      if (q.queue == op.queue && op.index < q.locs.size() && q.locs[op.index].line &&
          q.locs[op.index].file < img.files.size())
        return fmt::format("{}:{}", img.files[q.locs[op.index].file], q.locs[op.index].line);
    return {};
  };
  const Divergence& d = fd.d;
  std::string out;
  const std::string where = fd.has_op ? loc(fd.op) : "";
  out += fmt::format("{}{}error: cosim divergence: chip {}, unit {}, {}cycle {}, superlane {}, lane {}\n", where,
                     where.empty() ? "" : ": ", fd.chip, fd.unit,
                     fd.has_op ? fmt::format("queue {}, ", cfg.queue_table[fd.op.queue].name) : "", d.cycle,
                     d.superlane, d.lane);
  out += fmt::format("  {:<14}{}{}\n", "what", d.what, d.stream.empty() ? "" : " on stream " + d.stream);
  if (fd.has_op)
    out += fmt::format("  {:<14}#{} `{}` issued in cycle {}\n", "instruction", fd.op.index, isa::format(fd.op.in),
                       fd.op.t);
  out += fmt::format("  {:<14}{}\n  {:<14}{}\n", "expected", d.expected, "actual (RTL)", d.actual);
  if (!fd.history.empty()) {
    out += fmt::format("  last {} instructions of {}:\n", fd.history.size(), cfg.queue_table[fd.op.queue].name);
    for (const auto& h : fd.history) {
      const std::string l = loc(h.op);
      out += fmt::format("    cycle {:>8}  #{:<5} {:<32}{}{}\n", h.op.t, h.op.index, isa::format(h.op.in),
                         l.empty() ? "" : "  " + l, h.failing ? "  <--" : "");
    }
  }
  return out;
}

}  // namespace tsp::cosim
