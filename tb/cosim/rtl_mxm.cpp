// The MXM cosim adapter (see rtl_mxm.hpp for the scheme and what it covers).
#include "tb/cosim/rtl_mxm.hpp"

#include <fmt/format.h>
#include <verilated_fst_c.h>

#include <map>
#include <stdexcept>
#include <vector>

#include "Vtsp_mxm_cell.h"
#include "Vtsp_mxm_cell___024root.h"
#include "Vtsp_mxm_cell_planted.h"
#include "Vtsp_mxm_cell_planted___024root.h"
#include "tb/cosim/rtl_adapter.hpp"
#include "tb/cosim/rtl_bits.hpp"
#include "tb/cosim/rtl_clock.hpp"

namespace tsp::cosim {
namespace {

using isa::DType;
using model::Cycle;

// What a cell is given in one cycle, apart from the K chain.
struct CellIn {
  bool lw = false, iw = false, abc = false, add = false, rd = false;
  uint8_t lw_type = 0, a_type = 0, rd_type = 0;  // isa::DType codes
  uint32_t lw_rows = 0, slot = 0, rd_slot = 0;
  uint64_t drain = 0;          // the cell's pipelines hold these events that many cycles
  std::vector<uint16_t> lw_w;  // row kr lane j at kr * dim + j: the lane's bits (8-bit types in the low byte)
  std::vector<uint16_t> a;
};

// An ACC result the model produced: where and when the RTL must show it.
struct Expect {
  OpRef op;  // the instruction whose result this is (compared cycles after its check())
#ifdef TSP_OLD_MXM_CHECK
  bool timing_only = false;
#endif
  std::vector<uint32_t> lanes;
  std::vector<isa::StreamRef> streams;  // byte i of a lane travels on streams[i]
};

template <class Cell>
class RtlMxm final : public RtlAdapter {
 public:
  std::string_view name() const override { return "mxm"; }

  void start(const model::ChipEngine& chip) override {
    cfg_ = &chip.config();
    dim_ = cfg_->lanes_per_superlane;
    // The RTL's tile is sized for the largest configuration's superlane.
    if (dim_ != isa::find_config("tsp1")->lanes_per_superlane || cfg_->mxm_dim % dim_)
      throw std::runtime_error(fmt::format("cosim mxm: the RTL supercell is {} lanes wide; configuration {} has {}",
                                           isa::find_config("tsp1")->lanes_per_superlane, cfg_->name, dim_));
    blocks_ = cfg_->mxm_dim / dim_;
    lat_acc_ = isa::op_desc(isa::Op::ACC).latency;
    lat_iw_ = isa::op_desc(isa::Op::IW).latency;
    if (blocks_ + 2 > lat_acc_)
      throw std::runtime_error(
          fmt::format("cosim mxm: a {}-block K chain needs an ACC latency of at least {}; the table says {}", blocks_,
                      blocks_ + 2, lat_acc_));
    planes_.clear();  // before their context goes
    new_context();
    planes_.resize(cfg_->mxm_planes);  // their cells are built when the plane is first used (built())
  }

  std::optional<Divergence> check(const model::UnitOp& op) override {
    if (!cfg_) throw std::logic_error("cosim mxm: check() before start()");
    const isa::QueueDesc& q = cfg_->queue_table[op.queue];
    Plane& p = built(q.hemisphere * cfg_->mxm_planes_per_hemisphere + q.index / cfg_->mxm_queues_per_plane);
    advance(op.t);
#ifdef TSP_OLD_MXM_CHECK
    if (old_check_skips(p, op)) return take_divergence();
#endif
    ++checks_.data_timing;  // ACC: its lanes; LW, IW, ABC: driven into the RTL, seen through the ACCs
    schedule(p, op);
    return take_divergence();
  }

  std::optional<Divergence> finish() override {
    Cycle end = now_;
    for (const Plane& p : planes_) end = std::max(end, p.busy_until + 1);
    advance(end);
    for (const Plane& p : planes_)
      if (!p.expect.empty() && !diverged()) {
        const auto& [key, e] = *p.expect.begin();
        diverge("latency", key.first, key.second, 0, e.streams.at(0), "ACC result", "nothing", &e);
      }
    return take_divergence();
  }

 private:
  void trace_rtl(VerilatedFstC& fst) override {
    for (uint32_t p = 0; p < planes_.size(); ++p)
      for (auto& c : built(p).cells) c->trace(&fst, 99);
  }


  struct Plane {
    std::vector<std::unique_ptr<Cell>> cells;             // kb * blocks + nb
    std::map<Cycle, std::map<uint32_t, CellIn>> in;       // cycle -> cell -> inputs
    std::map<std::pair<Cycle, uint32_t>, Expect> expect;  // (cycle, output block) -> ACC result
    std::vector<Cycle> cell_busy_until;                    // per cell: its own events drained by then
    Cycle busy_until = 0;
    bool busy = false;
  };

  // Plane p with its cells, built on first use: a program that leaves a
  // plane alone pays nothing for its 400 tsp1 cells (each evaluated twice at
  // reset), which dominated short programs' cosim.
  Plane& built(uint32_t p) {
    Plane& pl = planes_.at(p);
    if (!pl.cells.empty()) return pl;
    for (uint32_t kb = 0; kb < blocks_; ++kb)
      for (uint32_t nb = 0; nb < blocks_; ++nb) {
        auto c = std::make_unique<Cell>(context(), fmt::format("mxm_p{}_k{}_n{}", p, kb, nb).c_str());
        c->last_i = kb + 1 == blocks_;
        c->read_stage_i = static_cast<uint8_t>(blocks_ + 1);
        c->clk_i = 0;
        c->rst_ni = 0;
        c->eval();
        c->rst_ni = 1;
        c->eval();
        pl.cells.push_back(std::move(c));
      }
    pl.cell_busy_until.assign(pl.cells.size(), 0);
    return pl;
  }

#ifdef TSP_OLD_MXM_CHECK
  // Test-only (tests/cosim/old_mxm_check.cpp, never in `tsp`): the check as it
  // was before the float datapath: float LW/ABC not given to the RTL (counted
  // as skipped), an ACC of a slot a float ABC set compared for timing only.
  // True when the op was dealt with here.
  std::vector<uint8_t> old_float_slot_ = std::vector<uint8_t>(256);
  bool old_check_skips(Plane& p, const model::UnitOp& op) {
    const bool fl = op.in.op != isa::Op::IW && op.in.op != isa::Op::ACC &&
                    isa::dtype_desc(static_cast<DType>(op.in.get("type"))).is_float;
    if (op.in.op == isa::Op::ABC) old_float_slot_.at(size_t(op.in.get("slot"))) = fl;
    if (fl) {
      ++checks_.skipped;
      return true;
    }
    if (op.in.op != isa::Op::ACC || !old_float_slot_.at(size_t(op.in.get("slot")))) return false;
    ++checks_.timing_only;
    schedule(p, op);
    for (auto& [key, e] : p.expect)
      if (e.op.index == op.index && e.op.queue == op.queue) e.timing_only = true;
    return true;
  }
#endif

  // The inputs of cell (kb, nb) in cycle c, for an event whose effects in the
  // cell are over `drain` cycles later (LW: the shadow weights written at the
  // edge; IW: the install after LatIw; ABC: the sum registered and, in the
  // last K row, written into its slot; ACC: the read through the LatAcc delay
  // line), with a margin. The cell is clocked until then (cell_active()).
  CellIn& input(Plane& p, Cycle c, uint32_t kb, uint32_t nb, Cycle drain) {
    p.busy_until = std::max(p.busy_until, c + lat_acc_ + lat_iw_ + 2);  // every pipeline of the plane drained by then
    p.busy = true;
    CellIn& x = p.in[c][kb * blocks_ + nb];
    x.drain = std::max(x.drain, drain);
    x.lw_w.resize(size_t(dim_) * dim_);
    x.a.resize(dim_);
    return x;
  }

  void schedule(Plane& p, const model::UnitOp& op) {
    const Cycle t = op.t;
    switch (op.in.op) {
      case isa::Op::LW: {  // row r's lanes on streams r * w .. r * w + w - 1, low byte first
        const auto type = static_cast<DType>(op.in.get("type"));
        const unsigned w = isa::dtype_desc(type).bytes;
        const auto row = static_cast<uint32_t>(op.in.get("row"));
        for (uint32_t r = 0; r < op.inputs.size() / w; ++r) {
          const uint32_t k = row + r, kb = k / dim_, kr = k % dim_;
          for (uint32_t nb = 0; nb < blocks_; ++nb) {
            CellIn& x = input(p, t + kb + nb, kb, nb, 1);
            x.lw = true;
            x.lw_rows |= 1u << kr;
            x.lw_type = static_cast<uint8_t>(type);
            for (uint32_t j = 0; j < dim_; ++j) x.lw_w[kr * dim_ + j] = lane(op, r * w, w, nb * dim_ + j);
          }
        }
        return;
      }
      case isa::Op::IW:
        for (uint32_t kb = 0; kb < blocks_; ++kb)
          for (uint32_t nb = 0; nb < blocks_; ++nb) input(p, t + kb + nb, kb, nb, lat_iw_).iw = true;
        return;
      case isa::Op::ABC: {
        const auto type = static_cast<DType>(op.in.get("type"));
        const auto slot = static_cast<uint32_t>(op.in.get("slot"));
        const bool add = op.in.get("accmode") != 0;
        const unsigned w = isa::dtype_desc(type).bytes;
        for (uint32_t kb = 0; kb < blocks_; ++kb)
          for (uint32_t nb = 0; nb < blocks_; ++nb) {
            CellIn& x = input(p, t + kb + nb, kb, nb, 2);
            x.abc = true;
            x.a_type = static_cast<uint8_t>(type);
            x.slot = slot;
            x.add = add;
            for (uint32_t j = 0; j < dim_; ++j) x.a[j] = lane(op, 0, w, kb * dim_ + j);
          }
        return;
      }
      case isa::Op::ACC: {
        const auto type = static_cast<DType>(op.in.get("type"));
        const auto slot = static_cast<uint32_t>(op.in.get("slot"));
        // An ABC of the same slot in this cycle is a model error (their order
        // is not defined), so every ACC's data is compared.
        for (uint32_t nb = 0; nb < blocks_; ++nb) {
          CellIn& x = input(p, t + nb, blocks_ - 1, nb, lat_acc_);
          x.rd = true;
          x.rd_slot = slot;
          x.rd_type = static_cast<uint8_t>(type);
          Expect e;
          e.op = OpRef{op.queue, op.index, op.t, op.in};
          for (const auto& o : op.outputs) e.streams.push_back(o.s);
          e.lanes.assign(dim_, 0);
          for (size_t i = 0; i < op.outputs.size(); ++i)
            for (uint32_t j = 0; j < dim_; ++j)
              e.lanes[j] |= uint32_t(op.outputs[i].v->bytes[nb * dim_ + j]) << (8 * i);
          const Cycle at = op.outputs.at(0).at + nb;  // the model's cycle, at superlane nb
          p.busy_until = std::max(p.busy_until, at + 1);
          p.expect[{at, nb}] = std::move(e);
        }
        return;
      }
      default:
        throw std::logic_error("cosim mxm: not an MXM instruction");
    }
  }

  // Lane `l` of an operand of w bytes on inputs first .. first + w - 1, low byte first.
  static uint16_t lane(const model::UnitOp& op, uint32_t first, unsigned w, uint32_t l) {
    uint16_t v = 0;
    for (unsigned i = 0; i < w; ++i) v = static_cast<uint16_t>(v | op.inputs.at(first + i).v.bytes[l] << (8 * i));
    return v;
  }

  // Runs the RTL of every busy plane up to (not including) cycle `t`.
  void advance(Cycle t) {
    const auto busy = [&] {
      bool any = false;
      for (Plane& p : planes_) {
        p.busy = p.busy && now_ <= p.busy_until;
        any = any || p.busy;
      }
      return any;
    };
    const auto drive_all = [&](Cycle) {
      for (Plane& p : planes_)
        if (p.busy) drive(p);
    };
    const auto edge = [&](Cycle c) {
      for (Plane& p : planes_) {
        if (p.busy)
          for (size_t i = 0; i < p.cells.size(); ++i) {
            if (!cell_active(p, i)) continue;
            auto& cell = p.cells[i];
            cell->clk_i = 1;
            cell->eval();
            ++cycles_;
          }
        p.in.erase(c);
      }
    };
    run_until(t, busy, drive_all, edge);
  }

  // A cell is clocked only while its own events (LW, IW, ABC, ACC: every one
  // is scheduled on each cell it reaches, K chain included) are in flight, and
  // in a wave's window. An idle cell holds no valid bit in any pipeline, and a
  // clock edge with every valid input low would leave it so; what it stores
  // (weights, accumulator slots) changes only on a valid input.
  bool cell_active(const Plane& p, size_t idx) const { return now_ <= p.cell_busy_until[idx] || in_window(now_); }

  // Cycle now_ of one plane: inputs (events and the K chain), settle, compare the slots' outputs.
  void drive(Plane& p) {
    const auto it = p.in.find(now_);
    for (uint32_t kb = 0; kb < blocks_; ++kb)
      for (uint32_t nb = 0; nb < blocks_; ++nb) {
        const uint32_t idx = kb * blocks_ + nb;
        const CellIn* x = nullptr;
        if (it != p.in.end()) {
          const auto xi = it->second.find(idx);
          if (xi != it->second.end()) x = &xi->second;
        }
        // Clocked from its event's cycle (not from when the event was
        // scheduled, ahead of it) until the event has drained.
        if (x) p.cell_busy_until[idx] = std::max(p.cell_busy_until[idx], now_ + x->drain + 2);
        if (!cell_active(p, idx)) continue;
        Cell& c = *p.cells[idx];
        c.lw_valid_i = x && x->lw;
        c.iw_valid_i = x && x->iw;
        c.rd_valid_i = x && x->rd;
        if (x) {
          c.lw_rows_i = static_cast<uint16_t>(x->lw_rows);
          c.lw_type_i = x->lw_type;
          if (x->lw)
            for (uint32_t i = 0; i < dim_ * dim_; ++i) bits::put(c.lw_w_i, 16 * i, 16, x->lw_w[i]);
          c.abc_type_i = x->a_type;
          for (uint32_t j = 0; j < dim_; ++j) bits::put(c.abc_a_i, 16 * j, 16, x->a[j]);
          c.rd_slot_i = static_cast<uint8_t>(x->rd_slot);
          c.rd_type_i = x->rd_type;
        }
        if (kb == 0) {
          c.abc_valid_i = x && x->abc;
          bits::clear(c.abc_acc_i);
          c.abc_slot_i = static_cast<uint8_t>(x ? x->slot : 0);
          c.abc_add_i = x && x->add;
        } else {  // the chain: the previous K block's registered sums
          const Cell& prev = *p.cells[idx - blocks_];
          c.abc_valid_i = prev.acc_valid_o;
          c.abc_acc_i = prev.acc_o;
          c.abc_slot_i = prev.acc_slot_o;
          c.abc_add_i = prev.acc_add_o;
        }
        clock_low(c, tracing());  // the outputs are registers: one eval per cycle, at the edge (rtl_clock.hpp)
      }
    for (uint32_t nb = 0; nb < blocks_; ++nb) compare(p, nb);
  }

  void compare(Plane& p, uint32_t nb) {
    const Cell& bank = *p.cells[(blocks_ - 1) * blocks_ + nb];
    const auto e = p.expect.find({now_, nb});
    if (!bank.rd_valid_o) {
      if (e != p.expect.end())
        diverge("latency", now_, nb, 0, e->second.streams.at(0), "ACC result", "nothing", &e->second);
      return;
    }
    if (e == p.expect.end()) {
      diverge("latency", now_, nb, 0, {}, "nothing", "ACC result");
      return;
    }
    const Expect& x = e->second;
#ifdef TSP_OLD_MXM_CHECK
    if (x.timing_only) {
      p.expect.erase(e);
      return;
    }
#endif
    for (uint32_t j = 0; j < dim_; ++j) {
      const uint32_t got = bits::get(bank.rd_data_o, 32 * j, 32);
      ++checked_;
      if (got != x.lanes[j]) {
        unsigned byte = 0;  // the first stream of the group whose byte differs
        while (((got ^ x.lanes[j]) >> (8 * byte) & 0xFF) == 0) ++byte;
        diverge("result", now_, nb, j, x.streams.at(byte), fmt::format("{:08x}", x.lanes[j]),
                fmt::format("{:08x}", got), &x);
        break;
      }
    }
    p.expect.erase(e);
  }

  void diverge(const char* what, Cycle c, uint32_t sl, uint32_t lane, isa::StreamRef s, std::string expected,
               std::string actual, const Expect* from = nullptr) {
    RtlAdapter::diverge(
        stream_divergence(what, c, sl, lane, s, std::move(expected), std::move(actual), from ? &from->op : nullptr));
  }

  uint32_t dim_ = 0, blocks_ = 0, lat_acc_ = 0, lat_iw_ = 0;
  std::vector<Plane> planes_;
};

}  // namespace

std::unique_ptr<RtlUnit> make_rtl_mxm(bool planted) {
  if (planted) return std::make_unique<RtlMxm<Vtsp_mxm_cell_planted>>();
  return std::make_unique<RtlMxm<Vtsp_mxm_cell>>();
}

}  // namespace tsp::cosim
