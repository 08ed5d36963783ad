#include "systemc/engine/decoded_queue.hpp"

#include <fmt/format.h>

#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "firmware/isa/word_memo.hpp"

namespace tsp::model {
namespace {

// What the cache keeps per program: the key's contents, to rule out a hash
// collision, beside a weak reference (a program no chip uses is freed).
struct Cached {
  const isa::Config* cfg;  // static tables: the address names the configuration
  uint16_t queue;
  std::vector<uint64_t> words;
  std::vector<image::SourceLoc> locs;
  std::weak_ptr<const DecodedQueue> decoded;
};

class Cache {
 public:
  std::shared_ptr<const DecodedQueue> find(uint64_t h, const image::QueueProgram& qp, const isa::Config& cfg) {
    const auto range = map_.equal_range(h);
    for (auto it = range.first; it != range.second; ++it)
      if (it->second.cfg == &cfg && it->second.queue == qp.queue && it->second.words == qp.words &&
          it->second.locs == qp.locs)
        if (auto d = it->second.decoded.lock()) return d;
    return nullptr;
  }
  void add(uint64_t h, const image::QueueProgram& qp, const isa::Config& cfg,
           const std::shared_ptr<const DecodedQueue>& d) {
    if (map_.size() >= sweep_at_) {  // forget programs no engine holds any more
      std::erase_if(map_, [](const auto& kv) { return kv.second.decoded.expired(); });
      sweep_at_ = std::max<size_t>(64, 2 * map_.size());
    }
    map_.emplace(h, Cached{&cfg, qp.queue, qp.words, qp.locs, d});
  }
  std::mutex mutex;

 private:
  std::unordered_multimap<uint64_t, Cached> map_;
  size_t sweep_at_ = 64;
};

Cache& cache() {
  static Cache c;
  return c;
}

// Each distinct word's decoded form, kept for the process (the deque never
// moves an element, so the pointers stay good): open addressing over a
// power-of-two table, as fast as WordMemo's direct-mapped one, which it
// replaces here. Only words that decode are kept.
class Interned {
 public:
  // nullptr with *why set when the word does not decode.
  const isa::Instr* get(uint64_t word, std::string* why) {
    if (2 * (count_ + 1) > slots_.size()) grow();
    size_t i = index(word);
    for (; slots_[i].instr; i = (i + 1) & (slots_.size() - 1))
      if (slots_[i].word == word) return slots_[i].instr;
    const auto in = isa::decode(word, why);
    if (!in) return nullptr;
    slots_[i] = Slot{word, &store_.emplace_back(*in)};
    ++count_;
    return slots_[i].instr;
  }
  std::mutex mutex;

 private:
  struct Slot {
    uint64_t word = 0;
    const isa::Instr* instr = nullptr;
  };
  size_t index(uint64_t word) const {
    return size_t((word * 0x9E3779B97F4A7C15ull) >> 32) & (slots_.size() - 1);
  }
  void grow() {
    std::vector<Slot> old(std::max<size_t>(1024, 2 * slots_.size()));
    old.swap(slots_);
    for (const Slot& o : old)
      if (o.instr) {
        size_t i = index(o.word);
        while (slots_[i].instr) i = (i + 1) & (slots_.size() - 1);
        slots_[i] = o;
      }
  }
  std::vector<Slot> slots_;
  size_t count_ = 0;
  std::deque<isa::Instr> store_;
};

Interned& interned() {
  static Interned in;
  return in;
}

// The first illegal repetition of the REPEAT at `index`, if any. Legality rules
// on the strided field are ranges, so the first and the last repetition bound
// every one between them; only then is each one looked at, to find the first.
std::optional<DecodedQueue::BadRepeat> bad_repeat(const std::vector<const isa::Instr*>& code, uint32_t index,
                                                  const isa::Config& cfg, const isa::QueueDesc& queue) {
  if (index == 0 || code[index - 1]->desc().unit == isa::Unit::ICU) return std::nullopt;  // an error when issued
  const isa::Instr& base = *code[index - 1];
  const int64_t stride = code[index]->operand[kRepStride];
  const auto count = static_cast<uint32_t>(code[index]->operand[kRepCount]);
  const int8_t f = base.desc().strided_field;
  if (f < 0 || stride == 0) return std::nullopt;
  const auto& field = base.desc().fields[static_cast<size_t>(f)];
  auto why_not = [&](uint32_t k) -> std::optional<std::string> {
    isa::Instr in = base;
    in.operand[static_cast<size_t>(f)] += stride * k;
    if (!isa::fits(field, in.operand[static_cast<size_t>(f)]))
      return fmt::format("{} = {} does not fit the field", field.name, in.operand[static_cast<size_t>(f)]);
    return isa::check_legal(in, cfg, queue);
  };
  if (!why_not(1) && !why_not(count)) return std::nullopt;
  for (uint32_t k = 1; k <= count; ++k)
    if (auto why = why_not(k)) return DecodedQueue::BadRepeat{k, *why};
  return std::nullopt;
}

}  // namespace

std::vector<Cycle> least_cycles_to_send(const std::vector<const isa::Instr*>& code) {
  std::vector<Cycle> to(code.size() + 1, kNever);
  for (size_t i = code.size(); i-- > 0;) {
    const isa::Instr& in = *code[i];
    // A REPEAT's first repetition issues in its own slot.
    if (in.op == isa::Op::SEND || (in.op == isa::Op::REPEAT && i > 0 && code[i - 1]->op == isa::Op::SEND)) {
      to[i] = 0;
      continue;
    }
    if (to[i + 1] == kNever) continue;
    Cycle least = isa::duration(in);
    switch (in.op) {
      case isa::Op::REPEAT:
        least = uint64_t(in.operand[kRepCount]) * uint64_t(in.operand[kRepInterval]);
        break;
      case isa::Op::DESKEW:  // ends on the next HAC epoch: how far depends on the clock
        least = 0;
        break;
      case isa::Op::RDESKEW:  // at least a cycle (rdeskew_end), the rest depends on the drift
      case isa::Op::SYNC:     // released by a NOTIFY in a later cycle
        least = 1;
        break;
      default:
        break;
    }
    to[i] = least + to[i + 1];
  }
  return to;
}

std::shared_ptr<const DecodedQueue> decoded_queue(const image::QueueProgram& qp, const isa::Config& cfg,
                                                  std::string* why) {
  // The words pick the bucket; find() compares the source lines too.
  const uint64_t h = isa::hash_program(cfg, qp.queue, qp.words);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    if (auto d = c.find(h, qp, cfg)) return d;
  }
  const isa::QueueDesc& queue = cfg.queue_table[qp.queue];  // image validation checked the id
  auto d = std::make_shared<DecodedQueue>();
  d->code.reserve(qp.words.size());
  {
    Interned& table = interned();
    std::lock_guard lock(table.mutex);
    for (uint64_t w : qp.words) {
      const isa::Instr* in = table.get(w, why);
      if (!in) return nullptr;
      d->code.push_back(in);
      d->writes_sram |= in->op == isa::Op::WRITE || in->op == isa::Op::SCATTER;
    }
  }
  for (uint32_t i = 0; i < d->code.size(); ++i)
    if (d->code[i]->op == isa::Op::REPEAT)
      if (auto bad = bad_repeat(d->code, i, cfg, queue)) d->bad_repeats.emplace(i, std::move(*bad));
  d->locs = qp.locs;
  if (queue.unit == isa::Unit::C2C) d->to_send = least_cycles_to_send(d->code);
  std::lock_guard lock(c.mutex);
  c.add(h, qp, cfg, d);
  return d;
}

}  // namespace tsp::model
