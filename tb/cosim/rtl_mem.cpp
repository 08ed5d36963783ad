// MEM adapter: decodes each MEM instruction from the image's instruction
// words, checks the model's SRAM access against that decode, drives
// rtl/mem/tsp_mem_word.sv instances with it and compares what they read, what
// enters their arrays, and at the end what the arrays hold (see rtl_mem.hpp).
#include "tb/cosim/rtl_mem.hpp"

#include <fmt/format.h>
#include <verilated.h>
#include <verilated_fst_c.h>

#include <algorithm>
#include <array>
#include <deque>
#include <iterator>
#include <unordered_map>

#include "Vtsp_mem_word.h"
#include "Vtsp_mem_word___024root.h"  // one evaluation per cycle (rtl_clock.hpp)
#include "Vtsp_mem_word_planted.h"
#include "Vtsp_mem_word_planted___024root.h"
#include "Vtsp_mem_word_planted_write.h"
#include "Vtsp_mem_word_planted_write___024root.h"
#include "common/error.hpp"
#include "common/generated_bytes.hpp"
#include "systemc/mem/secded.hpp"
#include "tb/cosim/rtl_adapter.hpp"
#include "tb/cosim/rtl_clock.hpp"

namespace tsp::cosim {
namespace {

constexpr unsigned kWordBytes = 16;  // one superlane's lanes, one byte each
using Word = std::array<uint8_t, kWordBytes>;
// Cycles an instance keeps ticking after its last access, beyond the words it
// still owes (an instance with an expected word ticks until it is compared, so
// a late word is seen at the cycle it was due): long enough to see a read port
// that shows a word nobody asked for right after the access. Was 8; every
// access of a superlane costs this many RTL cycles, so it set MEM's share of a
// compiled program's cosim (docs/cosim.md "Speed").
constexpr model::Cycle kDrain = 4;

std::string hex(const Word& w) {  // lane 15 first, like a 128-bit number
  std::string s = "0x";
  for (int i = kWordBytes - 1; i >= 0; --i) s += fmt::format("{:02x}", w[size_t(i)]);
  return s;
}

Word word_of(const model::Vec& v, uint32_t superlane) {
  Word w;
  std::copy_n(v.bytes.begin() + superlane * kWordBytes, kWordBytes, w.begin());
  return w;
}

OpRef ref_of(const model::UnitOp& op) { return OpRef{op.queue, op.index, op.t, op.in}; }

constexpr size_t kReadAddr = isa::operand_index(isa::Op::READ, "addr");
constexpr size_t kWriteAddr = isa::operand_index(isa::Op::WRITE, "addr");
static_assert(kReadAddr == kWriteAddr);

// A 137-bit codeword of the RTL ({check, data}, Verilator's 32-bit words) as data and check bits.
template <class W>
void split_code(const W& code, Word& data, uint16_t& check) {
  for (unsigned i = 0; i < 4; ++i)
    for (unsigned b = 0; b < 4; ++b) data[i * 4 + b] = uint8_t(code[i] >> (8 * b));
  check = uint16_t(code[4] & ((1u << model::secded::kCheckBits) - 1));
}

const char* status_name(model::secded::Status s) {
  switch (s) {
    case model::secded::Status::Clean:
      return "clean";
    case model::secded::Status::Corrected:
      return "one bit flipped (corrected)";
    case model::secded::Status::Uncorrectable:
      return "two bits flipped (uncorrectable)";
  }
  return "?";
}

template <class V>
class MemRtl final : public RtlAdapter {
 public:
  explicit MemRtl(const UnitContext& ctx) : ctx_(ctx) {}

  std::string_view name() const override { return "mem"; }

  void start(const model::ChipEngine& chip) override {
    chip_ = &chip;
    cfg_ = &chip.config();
    const isa::Config* tsp1 = isa::find_config("tsp1");
    // The RTL's geometry comes from tsp_cfg_tsp1_pkg (parameter defaults): a
    // configuration must fit it.
    if (cfg_->mem_addresses > tsp1->mem_addresses || cfg_->mem_banks != tsp1->mem_banks ||
        cfg_->lanes_per_superlane != kWordBytes)
      throw Error(
          fmt::format("tsp cosim: error: the MEM RTL is built for {} addresses in {} banks of {}-byte words; "
                      "configuration {} needs {} in {} of {}",
                      tsp1->mem_addresses, tsp1->mem_banks, kWordBytes, cfg_->name, cfg_->mem_addresses,
                      cfg_->mem_banks, cfg_->lanes_per_superlane));
    active_.clear();
    insts_.clear();  // before their context goes
    insts_.resize(size_t(cfg_->mem_slices) * cfg_->superlanes);
    new_context();
    // The MEM queues' programs, decoded here from the image's words (not the model's decode).
    code_.assign(cfg_->queue_table.size(), {});
    rep_.assign(cfg_->queue_table.size(), Repeat{});
    for (const auto& q : ctx_.img->chips.at(ctx_.chip).queues) {
      if (q.queue >= code_.size() || cfg_->queue_table[q.queue].unit != isa::Unit::MEM) continue;
      auto& code = code_[q.queue];
      for (uint64_t w : q.words) {
        std::string why;
        auto in = isa::decode(w, &why);
        if (!in)
          throw Error(fmt::format("tsp cosim: error: {} instruction {}: {}", cfg_->queue_table[q.queue].name,
                                  code.size(), why));
        code.push_back(*in);
      }
    }
  }

  // A REPEAT on a MEM queue: its count and stride, from its own word.
  std::optional<Divergence> check_issue(uint16_t queue, uint32_t index, model::Cycle, const isa::Instr&) override {
    if (queue >= code_.size() || index >= code_[queue].size()) return std::nullopt;
    const isa::Instr& w = code_[queue][index];
    if (w.op == isa::Op::REPEAT && index > 0) {
      Repeat& r = rep_[queue];
      r.src = index - 1;
      r.left = uint32_t(w.get("count"));
      r.stride = w.get("stride");
      r.k = 0;
    }
    return std::nullopt;
  }

  std::optional<Divergence> check(const model::UnitOp& op) override {
    if (auto d = advance_active(op.t)) return d;
    Decoded s;
    if (auto d = decode(op, s)) return d;
    ++checks_.data_timing;  // a READ's word at its cycle, a WRITE's at the array's write port
    const OpRef ref = ref_of(op);
    const bool gather = s.in.op == isa::Op::GATHER, scatter = s.in.op == isa::Op::SCATTER;
    const uint32_t slw = cfg_->lanes_per_superlane;
    for (uint32_t sl = 0; sl < cfg_->superlanes; ++sl) {
      Inst& in = inst(s.slice, sl);
      uint32_t address = s.address;
      if (gather || scatter) address = map_address(op, sl * slw);
      Access& a = access_at(in, s.at + sl);
      if (s.write) {
        const model::UnitOp::Input& src = op.inputs.at(scatter ? 2 : 0);
        a.wr = true;
        a.wr_addr = address;
        a.wr_data = word_of(src.v, sl);
        a.wr_op = ref;
        a.wr_stream = src.s;
        in.written[address] = ref;
      } else {
        a.rd = true;
        a.rd_addr = address;
        a.rd_op = ref;
        if (!op.outputs.empty() && op.outputs.front().v)
          in.expect.push_back(
              Expect{op.outputs.front().at + sl, word_of(*op.outputs.front().v, sl), ref, op.outputs.front().s});
      }
      activate(in);
    }
    return std::nullopt;
  }

  std::optional<Divergence> finish() override {
    std::optional<Divergence> first;
    for (auto& p : insts_) {
      if (!p) continue;
      // The model applies a flip when it processes the flip's cycle: one due
      // after its last issue cycle never lands, so it does not in the RTL either
      // (the final SRAM comparison would see it).
      std::erase_if(p->flips, [&](const PendingFlip& f) { return f.at > chip_->now(); });
      model::Cycle end = p->busy_until;
      if (!p->pending.empty()) end = std::max(end, p->pending.back().first + kDrain);
      if (!p->expect.empty()) end = std::max(end, p->expect.back().cycle + 1);
      if (p->traced) end = std::max(end, trace_to() + 1);
      keep_first(first, advance(*p, end));
    }
    active_.clear();
    if (first) return first;
    uint64_t corrected = 0;
    for (auto& p : insts_)
      if (p) corrected += p->rtl->corrected_count_o;
    ecc_corrected_ = corrected;
    if (corrected != chip_->stats().ecc_corrected) {
      Divergence d;
      d.what = "ECC corrected count";
      d.cycle = chip_->end_cycle();
      d.expected = fmt::format("{}", chip_->stats().ecc_corrected);
      d.actual = fmt::format("{}", corrected);
      return d;
    }
    for (auto& p : insts_)
      if (p && !p->written.empty())
        if (auto d = compare_final(*p)) return d;
    return std::nullopt;
  }

  std::vector<Count> compared() const override {
    std::vector<Count> c{{"read words", read_words_}, {"write words", write_words_}, {"final SRAM words", final_words_}};
    if (ecc_corrected_) c.push_back({"ECC corrections", ecc_corrected_});  // flips: the same count in model and RTL
    return c;
  }
  std::vector<Count> skipped() const override { return {}; }

  std::vector<WaveGroup> wave_groups() const override {
    if (traced_name_.empty()) return {};
    // Read pipeline depth as the RTL derives it (tsp_mem_word.sv), for the register names.
    const auto& rd = isa::op_desc(isa::Op::READ);
    const unsigned stages = rd.latency - rd.sram_access + (ctx_.planted == 1 ? 1 : 0);
    const std::string top = traced_name_ + ".", in = top + "tsp_mem_word.";
    auto names = [](const std::string& p, std::initializer_list<const char*> sigs) {
      std::vector<std::string> v;
      for (const char* s : sigs) v.push_back(p + s);
      return v;
    };
    WaveGroup pipe{"read pipeline", {in + fmt::format("valid_q[{}:0]", stages - 1)}};
    for (unsigned s = 0; s < stages; ++s) pipe.signals.push_back(in + fmt::format("code_q[{}][136:0]", s));
    pipe.signals.push_back(in + "u_dec.syndrome[7:0]");
    return {
        {"read port", names(top, {"clk_i", "rd_en_i", "rd_addr_i[12:0]", "rd_valid_o", "rd_data_o[127:0]",
                                  "rd_corrected_o", "rd_uncorrectable_o"})},
        {"write port", names(top, {"wr_en_i", "wr_addr_i[12:0]", "wr_data_i[127:0]", "conflict_o"})},
        {"array write", names(top, {"arr_we_o", "arr_bank_o[12:0]", "arr_row_o[12:0]", "arr_code_o[136:0]"})},
        pipe,
        {"ecc", names(top, {"corrected_count_o[31:0]"})},
        {"backdoor", names(top, {"bd_en_i", "bd_flip_i", "bd_addr_i[12:0]", "bd_bit_i[7:0]"})},
    };
  }

 private:
  // The focus instance (a MEM queue's slice and superlane), else the program's first MEM slice, superlane 0.
  void trace_rtl(VerilatedFstC& fst) override {
    uint16_t slice = first_mem_slice();
    uint32_t superlane = 0;
    if (ctx_.focus && cfg_->queue_table[ctx_.focus->queue].unit == isa::Unit::MEM) {
      slice = isa::mem_slice_of(cfg_->queue_table[ctx_.focus->queue], *cfg_);
      superlane = std::min(ctx_.focus->superlane, cfg_->superlanes - 1);
    }
    Inst& in = inst(slice, superlane);
    in.rtl->trace(&fst, 99);
    in.traced = true;
    traced_name_ = in.name;
  }

  struct Access {
    bool rd = false, wr = false;
    uint32_t rd_addr = 0, wr_addr = 0;
    Word wr_data{};  // the stream value the model wrote
    OpRef rd_op, wr_op;
    isa::StreamRef wr_stream;
  };
  // A MEM instruction as the adapter decodes it from its word: the queue's
  // slice, the address field advanced by the REPEAT's stride, the ISA table's
  // SRAM cycle.
  struct Decoded {
    isa::Instr in;
    uint16_t slice = 0;
    uint32_t address = 0;  // GATHER/SCATTER: superlane 0's, from the map streams
    bool write = false;
    uint32_t banks = 0;
    model::Cycle at = 0;
  };
  // A queue's REPEAT in progress: repetition k of instruction src is next but one.
  struct Repeat {
    uint32_t src = ~0u;
    uint32_t left = 0, k = 0;
    int64_t stride = 0;
  };
  struct Expect {
    model::Cycle cycle;  // the word must be on rd_data_o in this cycle
    Word data;
    OpRef op;
    isa::StreamRef stream;
  };
  struct PendingFlip {
    model::Cycle at;  // the model's cycle (superlane 0)
    uint32_t address, bit;
  };
  struct Inst {
    std::unique_ptr<V> rtl;
    std::string name;  // "MEM_W_3_sl1": the FST scope under TOP
    uint16_t slice = 0;
    uint32_t superlane = 0;
    model::Cycle now = 0;         // next cycle to evaluate
    model::Cycle busy_until = 0;  // before this, ticks may not be skipped (kDrain after the last access made)
    std::deque<std::pair<model::Cycle, Access>> pending;  // by cycle: arrivals are nearly in order
    std::deque<Expect> expect;
    std::deque<PendingFlip> flips;                // by cycle
    std::unordered_map<uint32_t, OpRef> written;  // every address written, and its last writer
    bool active = false, traced = false;
  };

  // GATHER/SCATTER: the 16-bit address the map streams carry at `lane`.
  static uint32_t map_address(const model::UnitOp& op, uint32_t lane) {
    if (op.inputs.size() < 2) return 0;
    return uint32_t(op.inputs[0].v.bytes[lane]) | uint32_t(op.inputs[1].v.bytes[lane]) << 8;
  }

  // Decodes op's instruction from the image and checks that the model's
  // access (and instruction as executed) agree with it.
  std::optional<Divergence> decode(const model::UnitOp& op, Decoded& s) {
    Divergence d;
    d.what = "SRAM access decode";
    d.cycle = op.t;
    const auto& code = code_.at(op.queue);
    if (op.index >= code.size()) {
      d.expected = fmt::format("instruction #{} of {}", op.index, cfg_->queue_table[op.queue].name);
      d.actual = fmt::format("the image's queue has {} instructions", code.size());
      return d;
    }
    s.in = code[op.index];
    Repeat& r = rep_[op.queue];
    if (r.left && op.index == r.src) {
      ++r.k;
      --r.left;
      if (const int8_t f = s.in.desc().strided_field; f >= 0) s.in.operand[size_t(f)] += r.stride * int64_t(r.k);
    } else {
      r.left = 0;
    }
    const isa::OpDesc& desc = s.in.desc();
    s.slice = isa::mem_slice_of(cfg_->queue_table[op.queue], *cfg_);
    s.write = s.in.op == isa::Op::WRITE || s.in.op == isa::Op::SCATTER;
    s.at = op.t + model::Cycle(desc.sram_access);
    if (s.in.op == isa::Op::READ || s.in.op == isa::Op::WRITE) {
      s.address = uint32_t(s.in.operand[kReadAddr]);
      s.banks = 1u << isa::mem_bank(*cfg_, s.address);
    } else {
      s.address = map_address(op, 0);
      for (uint32_t sl = 0; sl < cfg_->superlanes; ++sl)
        s.banks |= 1u << isa::mem_bank(*cfg_, map_address(op, sl * cfg_->lanes_per_superlane));
    }
    if (s.in != op.in) {
      d.what = "instruction decode";
      d.expected = fmt::format("`{}` (as the model executed it)", isa::format(op.in));
      d.actual = fmt::format("`{}` (its word{})", isa::format(s.in), r.k ? fmt::format(", repetition {}", r.k) : "");
      return d;
    }
    auto text = [&](uint16_t slice, uint32_t address, bool write, uint32_t banks, model::Cycle at) {
      return fmt::format("{} {} address 0x{:x} (banks 0x{:x}) in cycle {}", write ? "write" : "read",
                         isa::mem_slice_name(*cfg_, slice), address, banks, at);
    };
    if (op.sram.size() != 1) {
      d.expected = fmt::format("{} SRAM accesses (the model's)", op.sram.size());
      d.actual = "one: " + text(s.slice, s.address, s.write, s.banks, s.at);
      return d;
    }
    const model::UnitOp::Sram& m = op.sram.front();
    if (m.slice != s.slice || m.address != s.address || m.write != s.write || m.banks != s.banks || m.at != s.at) {
      d.cycle = std::min(m.at, s.at);
      d.expected = text(m.slice, m.address, m.write, m.banks, m.at) + " (the model's access)";
      d.actual = text(s.slice, s.address, s.write, s.banks, s.at) + " (decoded from the instruction word)";
      return d;
    }
    return std::nullopt;
  }

  uint16_t first_mem_slice() const {
    for (const auto& q : ctx_.img->chips.at(ctx_.chip).queues)
      if (!q.words.empty() && cfg_->queue_table[q.queue].unit == isa::Unit::MEM)
        return isa::mem_slice_of(cfg_->queue_table[q.queue], *cfg_);
    return 0;
  }

  Inst& inst(uint16_t slice, uint32_t superlane) {
    auto& p = insts_[size_t(slice) * cfg_->superlanes + superlane];
    if (p) return *p;
    p = std::make_unique<Inst>();
    Inst& in = *p;
    in.slice = slice;
    in.superlane = superlane;
    in.name = isa::mem_slice_name(*cfg_, slice);
    std::replace(in.name.begin(), in.name.end(), '.', '_');
    in.name += fmt::format("_sl{}", superlane);
    in.rtl = std::make_unique<V>(context(), in.name.c_str());
    in.rtl->clk_i = 0;
    in.rtl->rst_ni = 0;
    in.rtl->eval();
    in.rtl->rst_ni = 1;
    in.rtl->eval();
    // Preload: the image's segments of this slice, this superlane's word of each vector.
    for (const auto& seg : ctx_.img->chips.at(ctx_.chip).sram) {
      if (seg.slice != slice) continue;
      for (size_t off = 0; off < seg.bytes.size(); off += cfg_->vector_bytes) {
        Word w;
        std::copy_n(seg.bytes.begin() + ptrdiff_t(off + superlane * kWordBytes), kWordBytes, w.begin());
        if (std::all_of(w.begin(), w.end(), [](uint8_t b) { return b == 0; })) continue;  // the RTL starts at zero
        backdoor(in, false, seg.address + uint32_t(off / cfg_->vector_bytes), 0, &w);
      }
    }
    // Generated SRAM (docs/image-format.md): the same generator, lanes past the vector's generated lanes zero.
    for (const auto& g : ctx_.img->chips.at(ctx_.chip).generated) {
      if (g.slice != slice) continue;
      const uint64_t key = genbytes::key(g.seed, g.tensor);
      for (uint32_t a = g.address; a < g.address + g.vectors; ++a) {
        Word w{};
        for (uint32_t i = 0; i < kWordBytes; ++i) {
          const uint32_t lane = superlane * kWordBytes + i;
          w[i] = lane < g.lanes_at(a)
                     ? genbytes::masked(genbytes::byte(key, uint64_t(a) * cfg_->vector_bytes + lane), g.keep, g.set)
                     : 0;
        }
        backdoor(in, false, a, 0, &w);
      }
    }
    for (const auto& f : ctx_.flips)
      if (f.slice == slice && f.superlane == superlane) in.flips.push_back(PendingFlip{f.at, f.address, f.bit});
    std::stable_sort(in.flips.begin(), in.flips.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    return in;
  }

  // The access of an instance in cycle c (a READ and a WRITE may share one).
  static Access& access_at(Inst& in, model::Cycle c) {
    auto& q = in.pending;
    auto it = q.end();
    while (it != q.begin() && std::prev(it)->first > c) --it;
    if (it != q.begin() && std::prev(it)->first == c) return std::prev(it)->second;
    return q.emplace(it, c, Access{})->second;
  }

  void activate(Inst& in) {
    if (in.active) return;
    in.active = true;
    active_.push_back(&in);
  }

  // One backdoor edge: ports and read pipeline hold (not a chip cycle).
  void backdoor(Inst& in, bool flip, uint32_t address, uint32_t bit, const Word* data) {
    V& r = *in.rtl;
    r.rd_en_i = 0;
    r.wr_en_i = 0;
    r.bd_en_i = 1;
    r.bd_flip_i = flip;
    r.bd_addr_i = address;
    r.bd_bit_i = bit;
    for (unsigned i = 0; i < 4; ++i) {
      uint32_t v = 0;
      if (data)
        for (unsigned b = 0; b < 4; ++b) v |= uint32_t((*data)[i * 4 + b]) << (8 * b);
      r.bd_data_i[i] = v;
    }
    r.clk_i = 0;
    r.eval();
    r.clk_i = 1;
    r.eval();
    r.clk_i = 0;
    r.bd_en_i = 0;
  }

  // Earliest first.
  static void keep_first(std::optional<Divergence>& first, std::optional<Divergence> d) {
    if (d && (!first || d->cycle < first->cycle)) first = std::move(d);
  }

  // Every instance with work brings its RTL up to (not including) the cycle
  // at which an op issued at `t` can first touch it.
  std::optional<Divergence> advance_active(model::Cycle t) {
    std::optional<Divergence> first;
    for (Inst* in : active_) keep_first(first, advance(*in, t + in->superlane));
    std::erase_if(active_, [](Inst* in) {
      const bool idle = in->pending.empty() && in->expect.empty() && in->now >= in->busy_until;
      if (idle) in->active = false;
      return idle;
    });
    return first;
  }

  bool in_window(const Inst& in, model::Cycle x) const { return in.traced && RtlAdapter::in_window(x); }

  std::optional<Divergence> advance(Inst& in, model::Cycle target) {
    while (in.now < target) {
      const model::Cycle x = in.now;
      // A word is owed by an access already made when it is due before the
      // next access (words of accesses still to come are registered at check
      // time, ahead of them).
      const bool owed =
          !in.expect.empty() && (in.pending.empty() || in.expect.front().cycle < in.pending.front().first);
      if (x >= in.busy_until && !owed && !in_window(in, x)) {
        // Idle: skip to the next access (or the wave window), flipping what lies between.
        model::Cycle next = target;
        if (!in.pending.empty()) next = std::min(next, in.pending.front().first);
        if (in.traced) next = idle_until(x, next);
        if (next > x) {
          while (!in.flips.empty() && in.flips.front().at + in.superlane < next) {
            backdoor(in, true, in.flips.front().address, in.flips.front().bit, nullptr);
            in.flips.pop_front();
          }
          in.now = next;
          continue;
        }
      }
      auto d = tick(in, x);
      in.now = x + 1;
      if (d) return d;
    }
    return std::nullopt;
  }

  // Chip cycle x of one instance: flips due, ports, compare, clock edge.
  std::optional<Divergence> tick(Inst& in, model::Cycle x) {
    V& r = *in.rtl;
    const bool has_access = !in.pending.empty() && in.pending.front().first == x;
    const Access* a = has_access ? &in.pending.front().second : nullptr;
    // A flip the model applies at cycle c sits, in the instance's time, before
    // the accesses of instructions issued at c or later and after those issued
    // earlier: the one case that shares this edge with it is an access to its
    // address by an instruction issued before c (SRAM cycle issue + 1).
    std::vector<PendingFlip> after;
    bool flipped = false;
    while (!in.flips.empty() && in.flips.front().at + in.superlane <= x) {
      flipped = true;
      const PendingFlip f = in.flips.front();
      in.flips.pop_front();
      const bool earlier = a && ((a->rd && a->rd_addr == f.address && a->rd_op.t < f.at) ||
                                 (a->wr && a->wr_addr == f.address && a->wr_op.t < f.at));
      if (earlier)
        after.push_back(f);
      else
        backdoor(in, true, f.address, f.bit, nullptr);
    }
    r.bd_en_i = 0;
    r.rd_en_i = a && a->rd;
    r.rd_addr_i = a && a->rd ? a->rd_addr : 0;
    r.wr_en_i = a && a->wr;
    r.wr_addr_i = a && a->wr ? a->wr_addr : 0;
    for (unsigned i = 0; i < 4; ++i) {
      uint32_t v = 0;
      if (a && a->wr)
        for (unsigned b = 0; b < 4; ++b) v |= uint32_t(a->wr_data[i * 4 + b]) << (8 * b);
      r.wr_data_i[i] = v;
    }
    // A cycle without flip or wave: one evaluation, at the edge
    // (rtl_clock.hpp). The read port is registered (the decoder after the last
    // pipeline stage reads registers only), so it is compared before that
    // evaluation; conflict_o and the write port are functions of this
    // cycle's inputs alone, so they are compared after it, which derives
    // them from the same inputs. A flip or a wave takes both phases.
    std::optional<Divergence> d;
    if (!flipped && !in.traced) {
      std::optional<Divergence> rd = compare_read(in, x);
      clock_low(r, false);
      r.clk_i = 1;
      r.eval();
      d = compare_conflict(in, x, a);
      if (!d) d = std::move(rd);
      if (!d) d = compare_write(in, x, a);
    } else {
      r.clk_i = 0;
      r.eval();
      d = compare_conflict(in, x, a);
      if (!d) d = compare_read(in, x);
      if (!d) d = compare_write(in, x, a);
      if (in.traced) dump_low(x);
      r.clk_i = 1;
      r.eval();
      if (in.traced) dump_high(x);
    }
    r.clk_i = 0;
    for (const auto& f : after) backdoor(in, true, f.address, f.bit, nullptr);
    if (has_access) {
      in.busy_until = std::max(in.busy_until, x + kDrain);
      in.pending.pop_front();
    }
    ++cycles_;
    return d;
  }

  Divergence at(const Inst& in, model::Cycle x, std::string what) const {
    Divergence d;
    d.what = std::move(what);
    d.cycle = x;
    d.superlane = in.superlane;
    return d;
  }

  std::optional<Divergence> compare_conflict(const Inst& in, model::Cycle x, const Access* a) const {
    if (!in.rtl->conflict_o) return std::nullopt;
    Divergence d = at(in, x, "bank conflict");
    d.expected = "no conflict (the model accepted both accesses)";
    d.actual =
        fmt::format("conflict_o: read 0x{:x} and write 0x{:x} in one bank", a ? a->rd_addr : 0, a ? a->wr_addr : 0);
    if (a) d.op = a->rd_op;
    return d;
  }

  // The read port's word (or its absence) against the words the model read.
  std::optional<Divergence> compare_read(Inst& in, model::Cycle x) {
    V& r = *in.rtl;
    const bool valid = r.rd_valid_o;
    if (!valid) {
      if (in.expect.empty() || in.expect.front().cycle > x) return std::nullopt;
      const Expect& e = in.expect.front();
      Divergence d = at(in, x, "read latency");
      d.stream = isa::stream_name(e.stream);
      d.expected = fmt::format("word {} on rd_data_o in cycle {}", hex(e.data), e.cycle);
      d.actual = "rd_valid_o low";
      d.op = e.op;
      in.expect.pop_front();
      return d;
    }
    Word got;
    for (unsigned i = 0; i < 4; ++i)
      for (unsigned b = 0; b < 4; ++b) got[i * 4 + b] = uint8_t(r.rd_data_o[i] >> (8 * b));
    if (in.expect.empty() || in.expect.front().cycle > x) {
      Divergence d = at(in, x, "read latency");
      d.expected = in.expect.empty() ? std::string("no word on rd_data_o")
                                     : fmt::format("next word in cycle {}", in.expect.front().cycle);
      d.actual = fmt::format("word {} on rd_data_o in cycle {}", hex(got), x);
      if (!in.expect.empty()) {
        d.op = in.expect.front().op;
        d.stream = isa::stream_name(in.expect.front().stream);
      }
      return d;
    }
    const Expect e = in.expect.front();
    in.expect.pop_front();
    checked_ += kWordBytes;
    ++read_words_;
    Divergence d = at(in, x, "read data");
    d.stream = isa::stream_name(e.stream);
    d.op = e.op;
    if (r.rd_uncorrectable_o) {
      d.what = "ECC";
      d.expected = "a clean or corrected word (the model read it)";
      d.actual = fmt::format("rd_uncorrectable_o high, raw word {}", hex(got));
      return d;
    }
    for (uint32_t lane = 0; lane < kWordBytes; ++lane)
      if (got[lane] != e.data[lane]) {
        d.lane = lane;
        d.expected = fmt::format("0x{:02x} (word {})", e.data[lane], hex(e.data));
        d.actual = fmt::format("0x{:02x} (word {})", got[lane], hex(got));
        return d;
      }
    return std::nullopt;
  }

  // What the write port puts into the array at this cycle's edge: the model's
  // stream word at the decoded address, with the check bits of that word.
  std::optional<Divergence> compare_write(Inst& in, model::Cycle x, const Access* a) {
    V& r = *in.rtl;
    const bool wr = a && a->wr;
    if (!r.arr_we_o && !wr) return std::nullopt;
    Divergence d = at(in, x, "write into the array");
    if (a) d.op = wr ? a->wr_op : a->rd_op;
    if (wr) d.stream = isa::stream_name(a->wr_stream);
    if (!r.arr_we_o || !wr) {
      d.expected = wr ? fmt::format("word {} written to address 0x{:x}", hex(a->wr_data), a->wr_addr) : "no write";
      d.actual = r.arr_we_o ? "the array is written" : "arr_we_o low";
      return d;
    }
    const uint32_t bank = isa::mem_bank(*cfg_, a->wr_addr), row = a->wr_addr / cfg_->mem_banks;
    if (r.arr_bank_o != bank || r.arr_row_o != row) {
      d.expected = fmt::format("address 0x{:x}: bank {}, row {}", a->wr_addr, bank, row);
      d.actual = fmt::format("bank {}, row {}", uint32_t(r.arr_bank_o), uint32_t(r.arr_row_o));
      return d;
    }
    Word got;
    uint16_t check = 0;
    split_code(r.arr_code_o, got, check);
    checked_ += kWordBytes;
    ++write_words_;
    for (uint32_t lane = 0; lane < kWordBytes; ++lane)
      if (got[lane] != a->wr_data[lane]) {
        d.lane = lane;
        d.expected = fmt::format("0x{:02x} (word {} to address 0x{:x})", a->wr_data[lane], hex(a->wr_data), a->wr_addr);
        d.actual = fmt::format("0x{:02x} (word {} on arr_code_o)", got[lane], hex(got));
        return d;
      }
    if (const uint16_t want = model::secded::encode(a->wr_data); check != want) {
      d.what = "check bits written into the array";
      d.expected = fmt::format("0x{:03x} (SECDED of word {})", want, hex(a->wr_data));
      d.actual = fmt::format("0x{:03x}", check);
      return d;
    }
    return std::nullopt;
  }

  // At the end: every address the program wrote, the RTL's array (through the
  // SECDED code, as a read would see it) against the model's SRAM.
  std::optional<Divergence> compare_final(Inst& in) {
    V& r = *in.rtl;
    std::vector<uint32_t> addresses;
    addresses.reserve(in.written.size());
    for (const auto& w : in.written) addresses.push_back(w.first);
    std::sort(addresses.begin(), addresses.end());
    // The engine is not const (run_cosim owns it); ChipEngine has no const slice
    // accessor, and MemSlice::read_word is const.
    const model::MemSlice& mem = const_cast<model::ChipEngine*>(chip_)->slice(in.slice);
    for (uint32_t address : addresses) {
      r.bd_rd_addr_i = address;
      r.eval();
      Word got;
      uint16_t check = 0;
      split_code(r.bd_rd_code_o, got, check);
      const model::secded::Status rtl_status = model::secded::decode(got, check).status;
      Word want;
      const model::secded::Status model_status = mem.read_word(address, in.superlane, want.data());
      checked_ += kWordBytes;
      ++final_words_;
      Divergence d = at(in, chip_->end_cycle(),
                        fmt::format("final SRAM of {} address 0x{:x}", isa::mem_slice_name(*cfg_, in.slice), address));
      d.op = in.written.at(address);  // its last writer
      if (rtl_status != model_status) {
        d.what += ", ECC";
        d.expected = status_name(model_status);
        d.actual = fmt::format("{}: word {}", status_name(rtl_status), hex(got));
        return d;
      }
      if (model_status == model::secded::Status::Uncorrectable) continue;  // the data is lost on both sides
      for (uint32_t lane = 0; lane < kWordBytes; ++lane)
        if (got[lane] != want[lane]) {
          d.lane = lane;
          d.expected = fmt::format("0x{:02x} (word {})", want[lane], hex(want));
          d.actual = fmt::format("0x{:02x} (word {})", got[lane], hex(got));
          return d;
        }
    }
    return std::nullopt;
  }

  UnitContext ctx_;
  const model::ChipEngine* chip_ = nullptr;
  std::vector<std::vector<isa::Instr>> code_;  // by queue id: MEM queues' programs, decoded from the image
  std::vector<Repeat> rep_;                    // by queue id
  uint64_t read_words_ = 0, write_words_ = 0, final_words_ = 0;
  uint64_t ecc_corrected_ = 0;  // by the RTL, at the end (equal to the model's, or a divergence)
  std::vector<std::unique_ptr<Inst>> insts_;  // by slice * superlanes + superlane, created on first use
  std::vector<Inst*> active_;                 // instances with accesses or words in flight
  std::string traced_name_;
};

}  // namespace

std::unique_ptr<RtlUnit> make_rtl_mem(const UnitContext& ctx) {
  if (ctx.planted == 2) return std::make_unique<MemRtl<Vtsp_mem_word_planted_write>>(ctx);
  if (ctx.planted) return std::make_unique<MemRtl<Vtsp_mem_word_planted>>(ctx);
  return std::make_unique<MemRtl<Vtsp_mem_word>>(ctx);
}

}  // namespace tsp::cosim
