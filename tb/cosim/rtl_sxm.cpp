// The SXM cosim adapter (see rtl_sxm.hpp for the scheme and what it covers).
#include "tb/cosim/rtl_sxm.hpp"

#include <fmt/format.h>
#include <verilated_fst_c.h>

#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "Vtsp_sxm_superlane.h"
#include "Vtsp_sxm_superlane_planted.h"
#include "tb/cosim/rtl_adapter.hpp"
#include "tb/cosim/rtl_bits.hpp"

namespace tsp::cosim {
namespace {

using model::Cycle;

// What superlane k's tile is given in one cycle.
struct SlIn {
  uint8_t op = 0;
  uint16_t param = 0;
  std::vector<uint8_t> src;   // every lane (crossbar port)
  std::vector<uint8_t> b, c;  // own lanes
  std::vector<uint16_t> map;  // own lanes
  std::vector<uint8_t> blk;   // TRANSPOSE: src stream j, own lane i at j * slw + i
};

// One result stream of one superlane as the model produced it.
struct Expect {
  OpRef op;  // the instruction whose result this is (compared cycles after its check())
  std::vector<isa::StreamRef> streams;
  std::vector<std::vector<uint8_t>> lanes;  // [stream][own lane]
};

template <class Tile>
class RtlSxm final : public RtlAdapter {
 public:
  std::string_view name() const override { return "sxm"; }

  void start(const model::ChipEngine& chip) override {
    cfg_ = &chip.config();
    rtl_ = isa::find_config("tsp1");  // the RTL array is sized for the largest configuration
    slw_ = rtl_->lanes_per_superlane;
    if (cfg_->lanes_per_superlane != slw_ || cfg_->superlanes > rtl_->superlanes)
      throw std::runtime_error(
          fmt::format("cosim sxm: the RTL has {} superlanes of {} lanes; configuration {} has {} of {}",
                      rtl_->superlanes, slw_, cfg_->name, cfg_->superlanes, cfg_->lanes_per_superlane));
    taps_ = 0;
    for (const auto& d : isa::kOps)
      if (d.unit == isa::Unit::SXM) taps_ = std::max<uint32_t>(taps_, d.latency);
    arrays_.clear();  // before their context goes
    VerilatedContext& context = new_context();
    for (uint16_t q = 0; q < cfg_->queue_table.size(); ++q) {
      if (cfg_->queue_table[q].unit != isa::Unit::SXM) continue;
      Sxm& s = arrays_[q];
      for (uint32_t k = 0; k < cfg_->superlanes; ++k) {
        auto t = std::make_unique<Tile>(&context, fmt::format("sxm_q{}_sl{}", q, k).c_str());
        t->sl_i = static_cast<uint16_t>(k);
        t->num_lanes_i = static_cast<uint16_t>(cfg_->lanes);
        t->clk_i = 0;
        t->rst_ni = 0;
        t->eval();
        t->rst_ni = 1;
        t->eval();
        s.tiles.push_back(std::move(t));
      }
    }
  }

  std::optional<Divergence> check(const model::UnitOp& op) override {
    if (!cfg_) throw std::logic_error("cosim sxm: check() before start()");
    advance(op.t);
    ++checks_.data_timing;  // every output lane, value and cycle
    schedule(arrays_.at(op.queue), op);
    return take_divergence();
  }

  std::optional<Divergence> finish() override {
    Cycle end = now_;
    for (const auto& [q, s] : arrays_) end = std::max(end, s.busy_until + 1);
    advance(end);
    for (const auto& [q, s] : arrays_)
      if (!s.expect.empty()) {
        const auto& [key, e] = *s.expect.begin();
        diverge("latency", std::get<0>(key), std::get<1>(key), 0, e.streams.at(0), "result", "nothing", &e);
      }
    return take_divergence();
  }

 private:
  void trace_rtl(VerilatedFstC& fst) override {
    for (auto& [q, s] : arrays_)
      for (auto& t : s.tiles) t->trace(&fst, 99);
  }

  struct Sxm {
    std::vector<std::unique_ptr<Tile>> tiles;                        // by superlane
    std::map<Cycle, std::map<uint32_t, SlIn>> in;                    // cycle -> superlane -> inputs
    std::map<std::tuple<Cycle, uint32_t, uint32_t>, Expect> expect;  // (cycle, superlane, tap)
    Cycle busy_until = 0;
    bool busy = false;
  };

  void schedule(Sxm& s, const model::UnitOp& op) {
    const Cycle t = op.t;
    const auto lat = static_cast<uint32_t>(op.outputs.at(0).at - t);
    if (lat == 0 || lat > taps_) throw std::logic_error("cosim sxm: an SXM result outside the RTL's pipeline");
    const auto lane = [&](size_t input, uint32_t l) { return op.inputs.at(input).v.bytes[l]; };
    for (uint32_t k = 0; k < cfg_->superlanes; ++k) {
      SlIn x;
      x.op = static_cast<uint8_t>(op.in.op);  // the enum holds the opcode
      x.src.assign(rtl_->lanes, 0);
      x.b.assign(slw_, 0);
      x.c.assign(slw_, 0);
      x.map.assign(slw_, 0);
      x.blk.assign(size_t(slw_) * slw_, 0);
      switch (op.in.op) {
        case isa::Op::SHIFTUP:
        case isa::Op::SHIFTDN:
        case isa::Op::ROTATE:
          x.param = static_cast<uint16_t>(op.in.get(op.in.op == isa::Op::ROTATE ? "group" : "lanes"));
          break;
        case isa::Op::SELECT:
          for (uint32_t j = 0; j < slw_; ++j) {
            x.b[j] = lane(1, k * slw_ + j);
            x.c[j] = lane(2, k * slw_ + j);
          }
          break;
        case isa::Op::PERMUTE:
        case isa::Op::DISTRIBUTE:
          for (uint32_t j = 0; j < slw_; ++j)
            x.map[j] = static_cast<uint16_t>(lane(1, k * slw_ + j) | lane(2, k * slw_ + j) << 8);
          break;
        case isa::Op::TRANSPOSE:
          for (uint32_t j = 0; j < slw_; ++j)
            for (uint32_t i = 0; i < slw_; ++i) x.blk[j * slw_ + i] = lane(j, k * slw_ + i);
          break;
        default:
          throw std::logic_error("cosim sxm: not an SXM instruction");
      }
      if (op.in.op != isa::Op::TRANSPOSE)
        for (uint32_t l = 0; l < cfg_->lanes; ++l) x.src[l] = lane(0, l);
      s.in[t + k][k] = std::move(x);
      Expect e;
      e.op = OpRef{op.queue, op.index, op.t, op.in};
      for (const auto& o : op.outputs) {
        e.streams.push_back(o.s);
        e.lanes.emplace_back(o.v->bytes.begin() + k * slw_, o.v->bytes.begin() + (k + 1) * slw_);
      }
      const Cycle at = op.outputs[0].at + k;  // the model's cycle, at superlane k
      s.expect[{at, k, lat - 1}] = std::move(e);
      s.busy_until = std::max(s.busy_until, at + taps_);
    }
    s.busy = true;
  }

  // Only arrays with work in flight are clocked.
  void advance(Cycle t) {
    const auto busy = [&] {
      bool any = false;
      for (auto& [q, s] : arrays_) {
        s.busy = s.busy && now_ <= s.busy_until;
        any = any || s.busy;
      }
      return any;
    };
    const auto drive_all = [&](Cycle) {
      for (auto& [q, s] : arrays_)
        if (s.busy) drive(s);
    };
    const auto edge = [&](Cycle c) {
      for (auto& [q, s] : arrays_)
        if (s.busy) {
          for (auto& tile : s.tiles) {
            tile->clk_i = 1;
            tile->eval();
            ++cycles_;  // clock cycles of RTL models, as the MXM adapter counts them
          }
          s.in.erase(c);
        }
    };
    run_until(t, busy, drive_all, edge);
  }

  void drive(Sxm& s) {
    const auto it = s.in.find(now_);
    for (uint32_t k = 0; k < s.tiles.size(); ++k) {
      Tile& a = *s.tiles[k];
      a.clk_i = 0;
      a.valid_i = 0;
      if (it != s.in.end()) {
        const auto xi = it->second.find(k);
        if (xi != it->second.end()) {
          const SlIn& x = xi->second;
          a.valid_i = 1;
          a.op_i = x.op;
          a.param_i = x.param;
          for (uint32_t l = 0; l < rtl_->lanes; ++l) bits::put(a.src_i, 8 * l, 8, x.src[l]);
          for (uint32_t j = 0; j < slw_; ++j) {
            bits::put(a.b_i, 8 * j, 8, x.b[j]);
            bits::put(a.c_i, 8 * j, 8, x.c[j]);
            bits::put(a.map_i, 16 * j, 16, x.map[j]);
          }
          for (uint32_t i = 0; i < slw_ * slw_; ++i) bits::put(a.blk_i, 8 * i, 8, x.blk[i]);
        }
      }
      a.eval();
      for (uint32_t tap = 0; tap < taps_; ++tap) compare(s, k, tap);
    }
  }

  void compare(Sxm& s, uint32_t k, uint32_t tap) {
    const Tile& a = *s.tiles[k];
    const bool valid = bits::get(a.out_valid_o, tap, 1) != 0;
    const auto e = s.expect.find({now_, k, tap});
    if (!valid) {
      if (e != s.expect.end()) diverge("latency", now_, k, 0, e->second.streams.at(0), "result", "nothing", &e->second);
      return;
    }
    if (e == s.expect.end()) {
      diverge("latency", now_, k, 0, {}, "nothing", fmt::format("a result {} cycles after an op", tap + 1));
      return;
    }
    const Expect& x = e->second;
    for (uint32_t i = 0; i < x.streams.size(); ++i)
      for (uint32_t j = 0; j < slw_; ++j) {
        const uint32_t got = bits::get(a.out_data_o, 8 * ((tap * slw_ + i) * slw_ + j), 8);
        ++checked_;
        if (got != x.lanes[i][j]) {
          diverge("result", now_, k, j, x.streams[i], fmt::format("{:02x}", x.lanes[i][j]), fmt::format("{:02x}", got),
                  &x);
          s.expect.erase(e);
          return;
        }
      }
    s.expect.erase(e);
  }

  void diverge(const char* what, Cycle c, uint32_t sl, uint32_t lane, isa::StreamRef s, std::string expected,
               std::string actual, const Expect* from = nullptr) {
    RtlAdapter::diverge(
        stream_divergence(what, c, sl, lane, s, std::move(expected), std::move(actual), from ? &from->op : nullptr));
  }

  const isa::Config* rtl_ = nullptr;
  uint32_t slw_ = 0, taps_ = 0;
  std::map<uint16_t, Sxm> arrays_;  // by queue
};

}  // namespace

std::unique_ptr<RtlUnit> make_rtl_sxm(bool planted) {
  if (planted) return std::make_unique<RtlSxm<Vtsp_sxm_superlane_planted>>();
  return std::make_unique<RtlSxm<Vtsp_sxm_superlane>>();
}

}  // namespace tsp::cosim
