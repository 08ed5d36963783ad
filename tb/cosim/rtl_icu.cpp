#include "tb/cosim/rtl_icu.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "Vtsp_icu_queue.h"
#include "Vtsp_icu_queue_planted.h"
#include "common/error.hpp"

namespace tsp::cosim {
namespace {

// One cycle's outputs of a sequencer.
struct Outputs {
  bool unit_valid = false, icu_valid = false, notify = false, done = false;
  uint32_t unit_index = 0, icu_index = 0;
  uint64_t unit_word = 0, icu_word = 0;
};

// The two Verilated variants behind one face.
class Sequencer {
 public:
  virtual ~Sequencer() = default;
  virtual void load(const std::vector<uint64_t>& words, uint32_t hac_period) = 0;
  virtual Outputs eval(bool release) = 0;  // the current cycle's outputs
  virtual void tick() = 0;                 // the clock edge that ends it
  virtual void trace(VerilatedFstC& fst) = 0;
  virtual void final() = 0;
};

template <class V>
class SequencerOf final : public Sequencer {
 public:
  SequencerOf(VerilatedContext* ctx, const std::string& name) : rtl_(ctx, name.c_str()) {}
  void load(const std::vector<uint64_t>& words, uint32_t hac_period) override {
    // The sequencer's IMemAddrBits, given to Verilator and to us by rtl/CMakeLists.txt.
    constexpr size_t capacity = size_t{1} << TSP_ICU_IMEM_ADDR_BITS;
    if (words.size() > capacity)
      throw Error(
          fmt::format("icu cosim: {} instructions in a queue, the RTL sequencer holds {}", words.size(), capacity));
    rtl_.en_i = 0;
    rtl_.release_i = 0;
    rtl_.load_i = 0;
    rtl_.hac_period_i = hac_period;
    rtl_.clk_i = 0;
    rtl_.rst_ni = 0;
    rtl_.eval();
    rtl_.rst_ni = 1;
    rtl_.eval();
    rtl_.load_i = 1;
    for (size_t i = 0; i < words.size(); ++i) {
      rtl_.load_addr_i = static_cast<uint16_t>(i);
      rtl_.load_word_i = words[i];
      edge();
    }
    rtl_.load_i = 0;
    rtl_.en_i = 1;
  }
  Outputs eval(bool release) override {
    rtl_.release_i = release;
    rtl_.clk_i = 0;
    rtl_.eval();
    return {rtl_.unit_valid_o != 0, rtl_.icu_valid_o != 0, rtl_.notify_o != 0, rtl_.done_o != 0,
            rtl_.unit_index_o,      rtl_.icu_index_o,      rtl_.unit_word_o,   rtl_.icu_word_o};
  }
  void tick() override { edge(); }
  void trace(VerilatedFstC& fst) override { rtl_.trace(&fst, 99); }
  void final() override { rtl_.final(); }

 private:
  void edge() {
    rtl_.clk_i = 0;
    rtl_.eval();
    rtl_.clk_i = 1;
    rtl_.eval();
  }
  V rtl_;
};

Divergence divergence(const char* what, model::Cycle cycle, std::string port, std::string expected,
                      std::string actual) {
  Divergence d;
  d.what = what;
  d.cycle = cycle;
  d.stream = std::move(port);
  d.expected = std::move(expected);
  d.actual = std::move(actual);
  return d;
}

}  // namespace

struct RtlIcu::Impl {
  explicit Impl(RtlIcu& adapter) : self(adapter) {}
  struct Queue {
    uint16_t id = 0;
    std::string name;
    std::unique_ptr<Sequencer> rtl;
    Outputs out;
    bool unit_seen = false, icu_seen = false, notify_seen = false;
    std::optional<model::Cycle> done_at;  // first cycle with done_o high
    bool traced = false;
  };

  RtlIcu& self;  // its RtlAdapter half: context, wave window, counters
  UnitContext ctx;
  const model::ChipEngine* chip = nullptr;
  std::vector<Queue> queues;           // by queue id
  model::Cycle now = 0;                // the cycle whose outputs `out` holds
  bool evaluated = false;              // cycle `now` has been evaluated
  std::vector<model::Cycle> notifies;  // cycles of the model's NOTIFYs, ascending

  bool released(model::Cycle c) const {  // a NOTIFY in cycle c - 1
    return c > 0 && std::binary_search(notifies.begin(), notifies.end(), c - 1);
  }
  void eval() {
    const bool rel = released(now);
    for (auto& q : queues) {
      q.out = q.rtl->eval(rel);
      q.unit_seen = q.icu_seen = q.notify_seen = false;
    }
    self.dump_low(now);  // clock low, the cycle's inputs applied
    evaluated = true;
  }
  // The RTL issued `word` as instruction `index` where the model issued nothing;
  // the report blames that instruction (as the program has it, if it exists).
  Divergence stray(const Queue& q, const char* port, uint32_t index, uint64_t word) const {
    Divergence d = divergence("issue", now, q.name + " " + port, "nothing", fmt::format("#{} 0x{:016x}", index, word));
    const auto* code = chip->queue_code(q.id);
    std::string why;
    if (code && index < code->size())
      d.op = OpRef{q.id, index, now, *(*code)[index]};
    else if (auto in = isa::decode(word, &why))
      d.op = OpRef{q.id, index, now, *in};
    return d;
  }
  // Cycle `now` is over: anything the RTL issued that the model did not is a divergence.
  std::optional<Divergence> close() {
    for (auto& q : queues) {
      const Outputs& o = q.out;
      if (o.unit_valid && !q.unit_seen) return stray(q, "unit_word_o", o.unit_index, o.unit_word);
      if (o.icu_valid && !q.icu_seen) return stray(q, "icu_word_o", o.icu_index, o.icu_word);
      if (o.notify != q.notify_seen)
        return divergence("notify", now, q.name + " notify_o", q.notify_seen ? "1" : "0", o.notify ? "1" : "0");
      if (o.done && !q.done_at) q.done_at = now;
    }
    return std::nullopt;
  }
  // Evaluates every cycle up to and including `t`.
  std::optional<Divergence> advance_to(model::Cycle t) {
    if (!evaluated) eval();
    while (now < t) {
      if (auto d = close()) return d;
      for (auto& q : queues) q.rtl->tick();
      self.dump_high(now);  // after the rising edge
      self.cycles_ += queues.size();
      ++now;
      eval();
    }
    return std::nullopt;
  }
  Queue* find(uint16_t id) {
    auto it = std::lower_bound(queues.begin(), queues.end(), id, [](const Queue& q, uint16_t i) { return q.id < i; });
    return it != queues.end() && it->id == id ? &*it : nullptr;
  }
};

RtlIcu::RtlIcu(const UnitContext& ctx) : impl_(std::make_unique<Impl>(*this)) { impl_->ctx = ctx; }

std::unique_ptr<RtlUnit> make_rtl_icu(const UnitContext& ctx) { return std::make_unique<RtlIcu>(ctx); }

RtlIcu::~RtlIcu() {
  for (auto& q : impl_->queues) q.rtl->final();
}

void RtlIcu::start(const model::ChipEngine& chip) {
  Impl& m = *impl_;
  m.chip = &chip;
  cfg_ = &chip.config();
  m.queues.clear();  // before their context goes
  VerilatedContext& context = new_context();
  const isa::Config& cfg = chip.config();
  for (uint16_t id = 0; id < cfg.queue_table.size(); ++id) {
    const auto* code = chip.queue_code(id);
    if (!code || code->empty()) continue;
    Impl::Queue q;
    q.id = id;
    q.name = std::string(cfg.queue_table[id].name);
    std::string scope = q.name;
    std::replace(scope.begin(), scope.end(), '.', '_');
    if (m.ctx.planted)
      q.rtl = std::make_unique<SequencerOf<Vtsp_icu_queue_planted>>(&context, scope);
    else
      q.rtl = std::make_unique<SequencerOf<Vtsp_icu_queue>>(&context, scope);
    std::vector<uint64_t> words;
    words.reserve(code->size());
    for (const isa::Instr* in : *code) words.push_back(isa::encode(*in));
    q.rtl->load(words, cfg.hac_period_cycles);
    m.queues.push_back(std::move(q));
  }
  m.now = 0;
  m.evaluated = false;
  m.notifies.clear();
}

std::optional<Divergence> RtlIcu::check_issue(uint16_t queue, uint32_t index, model::Cycle t, const isa::Instr& in) {
  Impl& m = *impl_;
  ++checks_.data_timing;  // the issued word and index, in its cycle
  if (in.op == isa::Op::NOTIFY && (m.notifies.empty() || m.notifies.back() != t)) m.notifies.push_back(t);
  if (auto d = m.advance_to(t)) return d;
  Impl::Queue* q = m.find(queue);
  const uint64_t word = isa::encode(in);
  const std::string expected = fmt::format("#{} 0x{:016x}", index, word);
  if (!q) return divergence("issue", t, fmt::format("queue {}", queue), expected, "no sequencer (no program)");
  const bool icu = in.desc().unit == isa::Unit::ICU;
  const bool valid = icu ? q->out.icu_valid : q->out.unit_valid;
  bool& seen = icu ? q->icu_seen : q->unit_seen;
  const std::string port = q->name + (icu ? " icu_word_o" : " unit_word_o");
  if (!valid || seen) return divergence("issue", t, port, expected, "nothing");
  const uint32_t rtl_index = icu ? q->out.icu_index : q->out.unit_index;
  const uint64_t rtl_word = icu ? q->out.icu_word : q->out.unit_word;
  if (rtl_index != index || rtl_word != word)
    return divergence("issue", t, port, expected, fmt::format("#{} 0x{:016x}", rtl_index, rtl_word));
  seen = true;
  if (in.op == isa::Op::NOTIFY) q->notify_seen = true;
  ++checked_;
  return std::nullopt;
}

std::optional<Divergence> RtlIcu::finish() {
  Impl& m = *impl_;
  if (!m.chip) return std::nullopt;
  model::Cycle last = 0;
  for (const auto& q : m.queues) last = std::max(last, m.chip->queue_end(q.id));
  // Up to the model's last queue end, and on while a sequencer is still busy
  // (for a while), so that a late end or a stray issue shows.
  if (tracing() && trace_to() != ~model::Cycle{0}) last = std::max(last, trace_to());  // the wave window, too
  if (auto d = m.advance_to(std::max(last, m.now))) return d;
  const model::Cycle bound = last + m.chip->config().hac_period_cycles;
  auto busy = [&] { return std::any_of(m.queues.begin(), m.queues.end(), [](const auto& q) { return !q.out.done; }); };
  while (busy() && m.now < bound)
    if (auto d = m.advance_to(m.now + 1)) return d;
  if (auto d = m.close()) return d;
  for (const auto& q : m.queues) {
    const model::Cycle end = m.chip->queue_end(q.id);
    ++checked_;
    if (q.done_at != end)
      return divergence("done", q.done_at ? std::min(*q.done_at, end) : end, q.name + " done_o",
                        fmt::format("0x{:x}", end), q.done_at ? fmt::format("0x{:x}", *q.done_at) : "never");
  }
  return std::nullopt;
}

void RtlIcu::trace_rtl(VerilatedFstC& fst) {
  Impl& m = *impl_;
  const Impl::Queue* focus = m.ctx.focus ? m.find(m.ctx.focus->queue) : nullptr;
  for (auto& q : m.queues)
    if (!focus || &q == focus) {
      q.rtl->trace(fst);
      q.traced = true;
    }
}

std::vector<RtlUnit::WaveGroup> RtlIcu::wave_groups() const {
  // Full FST names with the widths rtl/icu/tsp_icu_queue.sv declares.
  const unsigned w = isa::kWordBits, a = TSP_ICU_IMEM_ADDR_BITS;
  const auto& repeat = isa::op_desc(isa::Op::REPEAT);
  std::vector<WaveGroup> groups;
  for (const auto& q : impl_->queues) {
    if (!q.traced) continue;
    std::string top = q.name;
    std::replace(top.begin(), top.end(), '.', '_');
    const std::string in = top + ".tsp_icu_queue.";
    top += ".";
    groups.push_back({q.name + " issue",
                      {top + "clk_i", top + "release_i", top + "icu_valid_o",
                       fmt::format("{}icu_index_o[{}:0]", top, a - 1), fmt::format("{}icu_word_o[{}:0]", top, w - 1),
                       top + "unit_valid_o", fmt::format("{}unit_index_o[{}:0]", top, a - 1),
                       fmt::format("{}unit_word_o[{}:0]", top, w - 1), top + "notify_o", top + "done_o"}});
    groups.push_back(
        {q.name + " sequencer",
         {fmt::format("{}pc_q[{}:0]", in, a), fmt::format("{}wait_q[{}:0]", in, isa::kDurationBits - 1),
          in + "parked_q", fmt::format("{}hac_q[31:0]", in),
          fmt::format("{}rep_left_q[{}:0]", in, repeat.fields[isa::operand_index(isa::Op::REPEAT, "count")].width - 1),
          fmt::format("{}rep_offset_q[{}:0]", in, w - 1), fmt::format("{}rep_word_q[{}:0]", in, w - 1)}});
  }
  return groups;
}

}  // namespace tsp::cosim
