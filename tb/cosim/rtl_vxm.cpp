#include "tb/cosim/rtl_vxm.hpp"

#include <fmt/format.h>
#include <verilated_fst_c.h>

#include <algorithm>
#include <map>
#include <vector>

#include "Vtsp_vxm_alu.h"
#include "Vtsp_vxm_alu___024root.h"  // the clock's last value, for one evaluation per cycle (vxm_lane_array.hpp)
#include "Vtsp_vxm_alu_planted.h"
#include "Vtsp_vxm_alu_planted___024root.h"
#include "common/error.hpp"
#include "tb/cosim/rtl_adapter.hpp"
#include "tb/cosim/vxm_lane_array.hpp"

namespace tsp::cosim {
namespace {

using model::Cycle;
using model::UnitOp;
using model::Vec;

// One VXM instruction as the model ran it, kept until its last superlane's
// result has been compared.
struct Pending {
  Cycle t = 0;
  unsigned lat = 0;  // the model's: outputs[].at - t
  uint8_t op = 0, type = 0, from = 0, shamt = 0;
  unsigned in_w = 0;
  std::vector<Vec> a, b, c;                 // byte planes, least significant first
  std::vector<Vec> out;                     // expected result planes
  std::vector<isa::StreamRef> out_streams;  // where the model put them
  std::string text;                         // for reports
  OpRef ref;
};

std::string hex_lane(const std::vector<uint32_t>& bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < bytes.size(); ++i) v |= bytes[i] << (8 * i);
  return fmt::format("0x{:0{}x}", v, 2 * bytes.size());
}

// The ALUs of one VXM queue and the instructions in flight on them.
template <class Alu>
class Array {
 public:
  Array(VerilatedContext& ctx, const isa::Config& cfg, const std::string& name)
      : rtl_(ctx, cfg.superlanes, cfg.lanes_per_superlane, name) {}
  bool busy() const { return !pending_.empty(); }
  void add(Pending p) { pending_.emplace(p.t, std::move(p)); }

  // Drives chip cycle `c` (clock low) and compares what shows.
  std::optional<Divergence> settle(Cycle c, uint64_t& checked) {
    if (const Pending* now = find(c)) rtl_.issue(VxmInstr{true, now->op, now->type, now->from, now->shamt});
    for (unsigned k = 0; k < rtl_.superlanes(); ++k)
      if (const Pending* p = c >= k ? find(c - k) : nullptr)
        for (unsigned l = 0; l < rtl_.lanes(); ++l) {
          const size_t g = size_t(k) * rtl_.lanes() + l;
          rtl_.operand(k, l, lane(p->a, g), lane(p->b, g), lane(p->c, g));
        }
    rtl_.settle();
    return compare(c, checked);
  }
  // The rising edge that ends cycle `c`; retires what every superlane has delivered.
  void rise(Cycle c) {
    rtl_.clock();
    while (!pending_.empty()) {
      const Pending& p = pending_.begin()->second;
      if (p.t + p.lat + rtl_.superlanes() - 1 > c) break;
      pending_.erase(pending_.begin());
    }
  }
  VxmLaneArray<Alu>& rtl() { return rtl_; }

 private:
  static constexpr unsigned kMaxLat = vxm_max_latency();

  const Pending* find(Cycle t) const {
    const auto it = pending_.find(t);
    return it == pending_.end() ? nullptr : &it->second;
  }
  // Lane g's value of a stream group (planes LSB first).
  static uint32_t lane(const std::vector<Vec>& planes, size_t g) {
    uint32_t v = 0;
    for (size_t i = 0; i < planes.size(); ++i) v |= uint32_t(planes[i].bytes[g]) << (8 * i);
    return v;
  }

  std::optional<Divergence> compare(Cycle c, uint64_t& checked) {
    for (unsigned k = 0; k < rtl_.superlanes(); ++k) {
      const bool any = rtl_.any_done(k);
      for (unsigned s = 1; s <= kMaxLat; ++s) {
        const Pending* p = c >= s + k ? find(c - s - k) : nullptr;
        if (!p && !any) continue;
        for (unsigned l = 0; l < rtl_.lanes(); ++l) {
          const bool done = rtl_.done(k, l, s);
          const bool want = p && p->lat == s;
          if (done != want) {
            Divergence d{"latency", c, k, l, "", "", "", std::nullopt};
            if (p) d.what = "latency of `" + p->text + "`", d.op = p->ref;
            d.expected = p ? fmt::format("result at cycle {} (issue {} + latency {} + superlane {})", p->t + p->lat + k,
                                         p->t, p->lat, k)
                           : std::string("no result");
            d.actual = done ? fmt::format("result at cycle {}", c) : std::string("no result");
            return d;
          }
          if (!done) continue;
          const size_t g = size_t(k) * rtl_.lanes() + l;
          const uint32_t got_lane = rtl_.result(k, l, s);
          std::vector<uint32_t> exp(p->out.size()), got(p->out.size());
          int first_bad = -1;
          for (unsigned i = 0; i < p->out.size(); ++i) {
            exp[i] = p->out[i].bytes[g];
            got[i] = (got_lane >> (8 * i)) & 0xFF;
            if (exp[i] != got[i] && first_bad < 0) first_bad = int(i);
          }
          checked += p->out.size();
          if (first_bad >= 0)
            return Divergence{"result of `" + p->text + "`",
                              c,
                              k,
                              l,
                              isa::stream_name(p->out_streams[size_t(first_bad)]),
                              hex_lane(exp),
                              hex_lane(got),
                              p->ref};
        }
      }
    }
    return std::nullopt;
  }

  VxmLaneArray<Alu> rtl_;
  std::map<Cycle, Pending> pending_;  // by issue cycle (one instruction per cycle per queue)
};

template <class Rtl>
class RtlVxm final : public RtlAdapter {
 public:
  explicit RtlVxm(const UnitContext& ctx) : focus_(ctx.focus) {}
  std::string_view name() const override { return "vxm"; }

  void start(const model::ChipEngine& chip) override {
    const isa::Config& cfg = chip.config();
    cfg_ = &cfg;
    // One array per VXM queue, built when the queue is first used (array()):
    // tsp1's 16 arrays are 5,120 lane ALUs, and building and resetting them
    // all dominated the cosim of short programs. One context for every model:
    // a trace file takes models of one context only.
    arrays_.clear();  // before their context goes
    new_context();
    now_ = 0;
  }

  std::optional<Divergence> check(const UnitOp& op) override {
    if (op.queue >= cfg_->queue_table.size() || cfg_->queue_table[op.queue].unit != isa::Unit::VXM)
      throw Error(fmt::format("cosim vxm: queue {} is not a VXM queue", op.queue));
    advance(op.t);
    if (diverged()) return take_divergence();
    ++checks_.data_timing;  // every lane's result, value and cycle
    array(op.queue).add(decode(op));
    return std::nullopt;
  }

  std::optional<Divergence> finish() override {
    while (!diverged() && (busy() || (tracing() && now_ <= trace_to()))) advance(now_ + 1);
    return take_divergence();
  }

  // Lane 0's instruction ports and pipeline, and every lane's operands and results.
  std::vector<WaveGroup> wave_groups() const override {
    if (!tracing()) return {};
    const auto& rtl = arrays_.at(traced_.first)->rtl();
    const std::string l0 = rtl.scope(traced_.second, 0) + ".";
    WaveGroup instr{
        "instruction (lane 0)",
        {l0 + "clk_i", l0 + "valid_i", l0 + "op_i[7:0]", l0 + "type_i[2:0]", l0 + "from_i[2:0]", l0 + "shamt_i[4:0]"}};
    WaveGroup pipe{"pipeline (lane 0)",
                   {l0 + "tsp_vxm_alu.result[31:0]", l0 + "tsp_vxm_alu.lat[2:0]",
                    l0 + fmt::format("tsp_vxm_alu.valid_q[{}:0]", vxm_max_latency() - 1)}};
    WaveGroup ops{"operands", {}}, res{"results", {}};
    for (unsigned l = 0; l < rtl.lanes(); ++l) {
      const std::string n = rtl.scope(traced_.second, l) + ".";
      ops.signals.push_back(n + "a_i[31:0]");
      ops.signals.push_back(n + "b_i[31:0]");
      res.signals.push_back(n + fmt::format("done_o[{}:0]", vxm_max_latency() - 1));
    }
    return {instr, ops, res, pipe};
  }

 private:
  // Records the ALUs of one superlane of one VXM queue: the focus if it is a
  // VXM queue, else VXM.0's superlane 0.
  void trace_rtl(VerilatedFstC& fst) override {
    uint16_t q = 0;
    while (cfg_->queue_table[q].unit != isa::Unit::VXM) ++q;
    unsigned k = 0;
    if (focus_ && focus_->queue < cfg_->queue_table.size() &&
        cfg_->queue_table[focus_->queue].unit == isa::Unit::VXM) {
      q = focus_->queue;
      k = std::min(focus_->superlane, cfg_->superlanes - 1);
    }
    array(q).rtl().trace(fst, k);
    traced_ = {q, k};
  }

  // The array of VXM queue q, built on first use.
  Array<Rtl>& array(uint16_t q) {
    auto& a = arrays_[q];
    if (!a) {
      std::string name(cfg_->queue_table[q].name);
      std::replace(name.begin(), name.end(), '.', '_');
      a = std::make_unique<Array<Rtl>>(*context(), *cfg_, name);
    }
    return *a;
  }

  bool busy() const {
    for (const auto& [q, a] : arrays_)
      if (a->busy()) return true;
    return false;
  }
  // Clocks every array up to (not including) cycle t, stopping after a
  // cycle that diverged. Only arrays with work in flight (and the traced one
  // in its window) are clocked: an idle array's pipeline holds only results
  // already compared, past their stage, which can never signal again.
  void advance(Cycle t) {
    std::vector<Array<Rtl>*> run;
    const auto drive = [&](Cycle c) {
      run.clear();
      for (auto& [q, a] : arrays_)
        if (a->busy() || (q == traced_.first && in_window(c))) run.push_back(a.get());
      for (auto* a : run)
        if (auto bad = a->settle(c, checked_)) diverge(std::move(*bad));
    };
    const auto edge = [&](Cycle c) {
      for (auto* a : run) a->rise(c);
      ++cycles_;
    };
    run_until(
        t, [&] { return busy(); }, drive, edge, AtDivergence::stop);
  }

  static Pending decode(const UnitOp& op) {
    Pending p;
    p.t = op.t;
    p.op = uint8_t(op.in.op);
    const isa::OpDesc& d = op.in.desc();
    unsigned groups = 0;
    for (size_t i = 0; i < d.fields.size(); ++i) {
      const std::string_view n = d.fields[i].name;
      const auto v = op.in.operand[i];
      if (n == "type") p.type = uint8_t(v);
      if (n == "from") p.from = uint8_t(v);
      if (n == "shamt") p.shamt = uint8_t(v);
      groups += n == "a" || n == "b" || n == "c";
    }
    const bool converts = op.in.op == isa::Op::CVT || op.in.op == isa::Op::CVTS;
    p.in_w = isa::dtype_desc(isa::DType(converts ? p.from : p.type)).bytes;
    // inputs: a's planes, then b's, then c's (operand field order, LSB first).
    if (op.inputs.size() != size_t(groups) * p.in_w)
      throw Error(fmt::format("cosim vxm: {} read {} stream values, expected {}", d.mnemonic, op.inputs.size(),
                              groups * p.in_w));
    std::vector<Vec>* dst[] = {&p.a, &p.b, &p.c};
    for (size_t i = 0; i < op.inputs.size(); ++i) dst[i / p.in_w]->push_back(op.inputs[i].v);
    for (const auto& o : op.outputs) {
      p.out.push_back(*o.v);
      p.out_streams.push_back(o.s);
      p.lat = unsigned(o.at - op.t);
    }
    p.text = fmt::format("{} (queue {}, instruction {})", d.mnemonic, op.queue, op.index);
    p.ref = OpRef{op.queue, op.index, op.t, op.in};
    return p;
  }

  std::map<uint16_t, std::unique_ptr<Array<Rtl>>> arrays_;
  std::optional<WaveFocus> focus_;
  std::pair<uint16_t, unsigned> traced_{0, 0};  // queue, superlane
};

}  // namespace

std::unique_ptr<RtlUnit> make_rtl_vxm(const UnitContext& ctx) {
  if (ctx.planted) return std::make_unique<RtlVxm<Vtsp_vxm_alu_planted>>(ctx);
  return std::make_unique<RtlVxm<Vtsp_vxm_alu>>(ctx);
}

}  // namespace tsp::cosim
