#include "firmware/compiler/codegen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/error.hpp"
#include "firmware/sched/timing.hpp"

namespace tsp::compiler {
namespace {

uint64_t field_max(isa::Op op, std::string_view name) {
  const auto& f = isa::op_desc(op).fields[field_of(op, name)];
  return (uint64_t{1} << f.width) - 1;
}

}  // namespace

uint64_t predict_cycles(const std::vector<Timed>& timed, const isa::Config& cfg) {
  sched::ProgramLength len(cfg);
  for (const Timed& r : timed) {
    if (r.t < 0) throw Error("internal error: a run scheduled before cycle 0");
    len.unit_instr(r.instr, uint64_t(r.t) + r.span() - 1);  // the last repetition lands last
    len.queue_busy_until(uint64_t(r.t) + r.span());
  }
  return len.end();
}

std::vector<uint8_t> plane_bytes(const Tensor& t, const Placement& p, unsigned plane, uint32_t vector_bytes,
                                 uint32_t region) {
  const Layout& l = p.layout;
  const uint32_t S = p.stripes(), g = region / S, b0 = p.group_block(g), b1 = p.group_block(g + 1);
  std::vector<uint8_t> out(size_t(p.region_vectors(g)) * vector_bytes, 0);
  for (uint32_t r = region % S; r < l.rows; r += S)
    for (uint32_t b = b0; b < b1; ++b) {
      const size_t v = size_t(r / S * (b1 - b0) + b - b0) * vector_bytes;
      const uint32_t* row = t.data.data() + size_t(r) * l.cols;
      for (uint32_t c = b * l.lanes; c < std::min(l.cols, (b + 1) * l.lanes); ++c) {
        const auto byte = static_cast<uint8_t>(row[c] >> (8 * plane));
        if (l.splat)
          std::fill_n(out.begin() + ptrdiff_t(v), l.lanes, byte);
        else
          out[v + l.lane_of(c)] = byte;
      }
    }
  return out;
}

image::Image generate(const Graph& g, const std::vector<Placement>& place, const std::vector<Timed>& timed,
                      const isa::Config& cfg, const std::string& source_file, const std::vector<bool>& generated) {
  image::Image img;
  img.config = std::string(cfg.name);
  img.chips.resize(1);
  img.files = {source_file};
  std::map<uint16_t, std::vector<const Timed*>> by_queue;
  for (const Timed& r : timed) by_queue[r.queue].push_back(&r);
  const uint64_t max_repeat = field_max(isa::Op::REPEAT, "count");
  for (auto& [q, runs] : by_queue) {
    std::sort(runs.begin(), runs.end(), [](const Timed* a, const Timed* b) { return a->t < b->t; });
    image::QueueProgram prog{q, {}, {}};
    Cycle free = 0;
    for (const Timed* r : runs) {
      if (r->t < free)
        throw Error(fmt::format("internal error: runs overlap on {} at cycle {}", cfg.queue_table[q].name, r->t));
      if (r->t > free) prog.words.push_back(isa::encode({isa::Op::NOP, {r->t - free}}));
      const int8_t sf = r->instr.desc().strided_field;
      auto at = [&](uint64_t k) {  // repetition k of the run, its strided field advanced
        isa::Instr in = r->instr;
        if (sf >= 0) in.operand[size_t(sf)] += int64_t(k) * r->stride;
        return isa::encode(in);
      };
      if (r->interval > 1) {
        // A REPEAT's first repetition issues right after it, one cycle after the
        // instruction it repeats: it cannot space a run evenly. Spell it out.
        for (uint64_t k = 0; k < r->count; ++k) {
          prog.words.push_back(at(k));
          if (k + 1 < r->count) prog.words.push_back(isa::encode({isa::Op::NOP, {int64_t(r->interval - 1)}}));
        }
      } else {
        // Runs longer than one REPEAT can say restart with the strided field advanced.
        for (uint64_t done = 0; done < r->count;) {
          const uint64_t n = std::min<uint64_t>(r->count - done, max_repeat + 1);
          prog.words.push_back(at(done));
          if (n > 1) prog.words.push_back(isa::encode({isa::Op::REPEAT, {int64_t(n - 1), 1, r->stride}}));
          done += n;
        }
      }
      free = r->t + Cycle(r->span());
    }
    img.chips[0].queues.push_back(std::move(prog));
  }
  std::sort(img.chips[0].queues.begin(), img.chips[0].queues.end(),
            [](const auto& a, const auto& b) { return a.queue < b.queue; });
  for (size_t i = 0; i < g.tensors().size(); ++i) {
    const Tensor& t = g.tensor(static_cast<TensorId>(i));
    const Placement& p = place[i];
    if (!p.placed) continue;  // nothing reads it (place.cpp)
    const unsigned bytes = isa::dtype_desc(t.dtype).bytes;
    if (p.regions() > 1) {  // striped weights: a symbol per region, "w.s3" = rows 3, 3 + S, ...; "w.g1.s3" of group 1
      const uint32_t S = p.stripes();
      for (uint32_t r = 0; r < p.regions(); ++r) {
        const uint32_t grp = r / S;
        const auto [c0, c1] = p.group_columns(grp);
        if (!p.overwritten && !p.streamed)
          img.symbols.push_back(
              {p.groups > 1 ? fmt::format("{}.g{}.s{}", t.name, grp, r % S) : fmt::format("{}.s{}", t.name, r),
               0,
               p.stripe_slice[r],
               p.stripe_address[r],
               p.region_vectors(grp),
               t.dtype,
               {p.layout.stored_rows / S, c1 - c0}});
        for (unsigned b = 0; b < bytes && !(i < generated.size() && generated[i]); ++b)
          img.chips[0].sram.push_back({static_cast<uint16_t>(p.stripe_slice[r] + b), p.stripe_address[r],
                                       plane_bytes(t, p, b, cfg.vector_bytes, r)});
      }
      continue;
    }
    // A tensor whose addresses a later one takes holds that one after the run: no symbol to read it by.
    if (!p.overwritten && !p.streamed)
      img.symbols.push_back({t.name, 0, p.slice, p.address, p.layout.vectors(), t.dtype, t.shape});
    if (t.kind == TensorKind::Value) {
      // Padding rows of a computed MatMul weight: no instruction writes them,
      // and the MXM needs them zero (lower.cpp).
      const uint32_t pad = (p.layout.stored_rows - p.layout.rows) * p.layout.blocks;
      if (pad)
        for (unsigned b = 0; b < bytes; ++b)
          img.chips[0].sram.push_back({static_cast<uint16_t>(p.slice + b), p.address + p.layout.rows * p.layout.blocks,
                                       std::vector<uint8_t>(size_t(pad) * cfg.vector_bytes, 0)});
      continue;
    }
    if (i < generated.size() && generated[i]) continue;
    for (unsigned b = 0; b < bytes; ++b)
      img.chips[0].sram.push_back(
          {static_cast<uint16_t>(p.slice + b), p.address, plane_bytes(t, p, b, cfg.vector_bytes)});
  }
  img.has_prediction = true;
  img.predicted_cycles = predict_cycles(timed, cfg);
  image::validate(img);
  return img;
}

}  // namespace tsp::compiler
