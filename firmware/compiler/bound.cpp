// The compiler's lower bound (bound.hpp; docs/compiler.md, "Lower bound").
// Times are array-access cycles: a tensor's F is the earliest cycle any of its
// vectors can be written into SRAM (with every byte plane), L the earliest
// cycle all of them can be; image data is there before cycle 0 (F = L = -1),
// so its first READ may issue at 0, as the scheduler's rule (a READ's array
// access follows the WRITE's by a cycle) allows.
#include "firmware/compiler/bound.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/layout.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

using i64 = int64_t;

i64 ceil_div(i64 a, i64 b) { return (a + b - 1) / b; }
unsigned bytes_of(const Graph& g, TensorId t) { return isa::dtype_desc(g.tensor(t).dtype).bytes; }

// The machine numbers the bound uses, all from the ISA table.
struct Machine {
  i64 lat_r, sram_r, sram_w, lat_iw, lat_acc, lat_gather, lat_perm;
  i64 stagger;                                            // superlanes - 1 (docs/timing.md, "Program length")
  i64 d_vxm = 1 << 20, d_sxm = 1 << 20, d_mxm = 1 << 20;  // nearest MEM slice to each unit
  i64 planes, slices, vxm_queues = 0, sxm_queues = 0, spd, lanes;
  i64 lw_rate;  // weight stream-vectors a cycle into all MXM planes
  explicit Machine(const isa::Config& cfg) {
    const isa::OpDesc &rd = isa::op_desc(isa::Op::READ), &wr = isa::op_desc(isa::Op::WRITE);
    lat_r = rd.latency, sram_r = rd.sram_access, sram_w = wr.sram_access;
    lat_iw = isa::op_desc(isa::Op::IW).latency, lat_acc = isa::op_desc(isa::Op::ACC).latency;
    lat_gather = isa::op_desc(isa::Op::GATHER).latency, lat_perm = isa::op_desc(isa::Op::PERMUTE).latency;
    stagger = i64(cfg.superlanes) - 1;
    planes = cfg.mxm_planes, slices = cfg.mem_slices, spd = cfg.streams_per_direction, lanes = cfg.lanes;
    for (const auto& q : cfg.queue_table) {
      if (q.unit == isa::Unit::VXM) ++vxm_queues;
      if (q.unit == isa::Unit::SXM) ++sxm_queues;
      if (q.unit != isa::Unit::MEM) continue;
      d_vxm = std::min<i64>(d_vxm, std::abs(i64(q.position) - i64(cfg.vxm_position)));
      for (const auto& u : cfg.queue_table) {
        const i64 d = std::abs(i64(q.position) - i64(u.position));
        if (u.unit == isa::Unit::SXM) d_sxm = std::min(d_sxm, d);
        if (u.unit == isa::Unit::MXM) d_mxm = std::min(d_mxm, d);
      }
    }
    // The planes of a hemisphere sit beyond its SXM at the chip's edge: weights
    // from SRAM reach them only on the streams flowing towards that edge, so a
    // hemisphere takes at most streams_per_direction weight vectors a cycle
    // (one LW of up to that many streams per plane and cycle), and every
    // vector is one slice's READ.
    lw_rate = std::min<i64>(2 * spd, slices);
  }
  // Program length after a WRITE whose array access is at `access`.
  i64 finish(i64 access) const { return access - sram_w + 1 + stagger; }
  // From an operand's array write to a result's: READ, distance, op, distance, WRITE.
  i64 hop(i64 d, i64 op_latency) const { return 1 - sram_r + lat_r + d + op_latency + d + sram_w; }
};

struct Counts {
  i64 mem = 0, vxm = 0, sxm = 0;
  i64 abc_slots = 0, iv_max = 1;
  i64 install_slots = 0;  // per weight block: LW cycles + IW latency
  i64 weight_vectors = 0, blocks = 0;
  i64 collectives = 0;
  // Frames into this chip per link, by the sender's distance (Bounder::collective), or kOtherNode.
  std::map<uint32_t, i64> link_frames;
  static constexpr uint32_t kOtherNode = 1u << 31;  // the link a Handoff comes over
};

class Bounder {
 public:
  Bounder(const Graph& g, const Lowered& low, const isa::Config& cfg)
      : g_(g), low_(low), cfg_(cfg), m_(cfg), F_(g.tensors().size(), -1), L_(g.tensors().size(), -1) {}

  Bound run() {
    // Results that may stream into their reader (Lowered::stream_to): never
    // written or read, one op latency from producer to consumer.
    streamed_.assign(g_.tensors().size(), false);
    for (size_t i = 0; i < low_.kernels.size(); ++i)
      if (low_.stream_to[i] >= 0) streamed_[low_.kernels[i].vxm->out] = true;
    for (const Kernel& k : low_.kernels) {
      if (k.vxm) vxm(*k.vxm);
      for (const MatMulKernel& mk : k.mxm) matmul(mk);
      if (k.sxm) permute(*k.sxm);
      if (k.alias) F_[k.node->output] = F_[*k.alias], L_[k.node->output] = L_[*k.alias];
      if (!k.vec.empty()) vec(k.vec);
      if (k.gather) gather(*k.gather);
      if (k.collective) collective(*k.collective, k.node->attrs.link_cycles);
      if (k.vxm || !k.mxm.empty() || k.sxm || !k.vec.empty() || k.gather || k.collective)
        path_ = std::max(path_, m_.finish(L_[k.node->output]));
    }
    return result();
  }

 private:
  i64 vectors(TensorId t) const { return layout_of(g_.tensor(t), cfg_.lanes).vectors(); }

  // A frame per vector and plane crosses a link. Counted per link into this
  // chip, by how far its sender is (chip index - r): a gather brings every
  // other chip's block over its link, an exchange of shift r one block over
  // link r; a handoff from another node over one link. The last vector
  // written arrives a hop later at least.
  void collective(const CollectiveKernel& k, i64 link_cycles) {
    if (k.op == GraphOp::Handoff) {
      c_.link_frames[Counts::kOtherNode] += vectors(k.y) * bytes_of(g_, k.y);
      ++c_.collectives;
      c_.mem += vectors(k.y) * bytes_of(g_, k.y);
      F_[k.y] = L_[k.y] = link_cycles;
      return;
    }
    const uint32_t P = k.parts(), lanes = cfg_.lanes;
    const i64 planes = bytes_of(g_, k.x);
    const i64 rows = layout_of(g_.tensor(k.x), lanes).stored_rows;
    if (k.op == GraphOp::AllGather) {
      const i64 blocks = layout_of(g_.tensor(k.x), lanes).blocks;
      for (uint32_t r = 1; r < P; ++r) {
        const uint32_t from = (k.index + P - r) % P;
        c_.link_frames[r] += (k.rows_per_index ? i64(k.block_rows(from)) * blocks
                                               : rows * i64(k.block_vectors(from, lanes))) *
                             planes;
      }
    } else if (k.shift) {
      c_.link_frames[k.shift] += vectors(k.y) * planes;
    }
    ++c_.collectives;
    c_.mem += vectors(k.x) * planes + vectors(k.y) * bytes_of(g_, k.y);
    F_[k.y] = F_[k.x] + 1;
    L_[k.y] = L_[k.x] + (k.op == GraphOp::Exchange && !k.shift ? 1 : link_cycles);
  }

  void vxm(const VxmKernel& k) {
    i64 n = 0;
    for (const VectorRun& r : k.runs) n += r.n;
    c_.vxm += n;
    if (!streamed_[k.out]) c_.mem += n * bytes_of(g_, k.out);
    const std::optional<TensorId> ops[] = {k.a, k.b, k.c};
    const i64 op_latency = isa::op_desc(k.op).latency;
    i64 f = std::numeric_limits<i64>::min(), l = std::numeric_limits<i64>::min();
    std::vector<TensorId> roots;
    for (size_t i = 0; i < 3; ++i) {
      if (!ops[i]) continue;
      const TensorId x = *ops[i];
      // A streamed operand reaches the ALU as its producer's result: F_ of a
      // result already counts the WRITE's distance and access, which its
      // consumer's result needs again.
      const i64 hop = streamed_[x] ? op_latency : m_.hop(m_.d_vxm, op_latency);
      f = std::max(f, F_[x] + hop);  // every result vector reads a vector of every operand
      std::vector<bool> read(size_t(vectors(x)), false);
      for (const VectorRun& r : k.runs)
        for (uint32_t j = 0; j < r.n; ++j) {
          const i64 v = i64(r.in0[i]) + i64(j) * r.in_stride[i];
          if (v >= 0 && size_t(v) < read.size()) read[size_t(v)] = true;
        }
      // Each vector read at least once (a READ of a broadcast row might feed several ALUs
      // in one cycle); operands sharing storage read the same vectors (lower.cpp): once.
      if (!streamed_[x] && std::find(roots.begin(), roots.end(), low_.root[x]) == roots.end()) {
        roots.push_back(low_.root[x]);
        c_.mem += i64(std::count(read.begin(), read.end(), true)) * bytes_of(g_, x);
      }
      // The operand's last-written vector is read by some result vector only if every vector is read.
      if (std::all_of(read.begin(), read.end(), [](bool b) { return b; })) l = std::max(l, L_[x] + hop);
    }
    F_[k.out] = f;
    L_[k.out] = std::max(l, f + n - 1);  // each byte plane lives on one slice: one WRITE a cycle
  }

  void matmul(const MatMulKernel& k) {
    const i64 D = cfg_.mxm_dim;
    const Layout lx = layout_of(g_.tensor(k.x), cfg_.lanes), lw = layout_of(g_.tensor(k.w), cfg_.lanes);
    // One kernel is one M block of one batch element (lower.cpp): its rows only.
    const i64 M = k.rows ? k.rows : lx.rows, nKb = lx.blocks, K = lw.rows, nNb = lw.blocks;
    // Weight blocks installed per N block: one serves every K block when w has fewer rows (LaneSum's ones).
    const i64 wKb = ceil_div(K, D);
    const i64 wb = bytes_of(g_, k.w), xb = bytes_of(g_, k.x), yb = bytes_of(g_, k.y);
    const i64 iv = isa::dtype_desc(g_.tensor(k.x).dtype).is_float ? cfg_.mxm_float_cycles : 1;
    // LW cycles of a block: its real rows (padding rows not counted: a lower
    // bound), at most streams_per_direction streams in one LW a cycle.
    i64 lw_sum = 0, lw_min = std::numeric_limits<i64>::max();
    for (i64 kb = 0; kb < wKb; ++kb) {
      const i64 lwb = ceil_div(std::min(D, K - kb * D) * wb, m_.spd);
      lw_sum += lwb + m_.lat_iw;
      lw_min = std::min(lw_min, lwb);
    }
    c_.install_slots += nNb * lw_sum;
    c_.weight_vectors += K * nNb * wb;
    c_.blocks += wKb * nNb;
    c_.abc_slots += nKb * nNb * M * iv;
    c_.iv_max = std::max(c_.iv_max, iv);
    // An activation READ passes every plane of its hemisphere: it may feed one ABC on each.
    c_.mem += K * nNb * wb + ceil_div(nKb * nNb * M, cfg_.mxm_planes_per_hemisphere) * xb + nNb * M * yb;
    // Critical path. N blocks are independent and may spread over every plane;
    // K blocks of one output accumulate on one plane's slots (the kernel as lowered).
    const i64 in = 1 - m_.sram_r + m_.lat_r + m_.d_mxm;     // an array write to the MXM's LW or ABC
    const i64 out = 1 + m_.lat_acc + m_.d_mxm + m_.sram_w;  // a last ABC to the ACC's array write
    const i64 per_plane = nKb * ceil_div(nNb, m_.planes);   // ABC blocks on the busiest plane
    const i64 installs = wKb * ceil_div(nNb, m_.planes);    // and weight blocks installed
    const i64 first_install = F_[k.w] + in + lw_min + m_.lat_iw;
    const i64 first_abc = std::max(F_[k.x] + in, first_install);
    const i64 last_abc = std::max({first_abc + (per_plane * M - 1) * iv, L_[k.x] + in,
                                   L_[k.w] + in + 1 + m_.lat_iw,  // the block holding w's last row, installed
                                   first_install + (installs - 1) * (lw_min + m_.lat_iw)});
    // The kernels of one MatMul (its M blocks and batch elements) share y: its first write is the
    // earliest of theirs, its last the latest.
    const i64 f = first_abc + out, l = std::max(last_abc + out, f + M * nNb - 1);
    F_[k.y] = k.first ? f : std::min(F_[k.y], f);
    L_[k.y] = k.first ? l : std::max(L_[k.y], l);
  }

  void permute(const PermuteKernel& k) {
    const i64 n = vectors(k.y), b = bytes_of(g_, k.x);
    c_.sxm += n * b;
    c_.mem += n * (b + bytes_of(g_, k.map)) + n * bytes_of(g_, k.y);
    const i64 hop = m_.hop(m_.d_sxm, m_.lat_perm);
    F_[k.y] = std::max(F_[k.x], F_[k.map]) + hop;
    i64 l = std::max(F_[k.y] + n - 1, L_[k.map] + hop);
    if (k.x_stride == 1 && k.x_block == 0 && n == vectors(k.x)) l = std::max(l, L_[k.x] + hop);
    L_[k.y] = l;
  }

  void vec(const std::vector<VecKernel>& planes) {
    i64 f = std::numeric_limits<i64>::min(), l = std::numeric_limits<i64>::min();
    for (const VecKernel& v : planes) {
      const i64 n = i64(v.spec->rows.size());
      i64 lat = std::numeric_limits<i64>::max();
      // Every input vector the program names is READ at least once (one READ
      // may feed several rows' ops in one cycle); a PERMUTE's map is two planes.
      std::set<std::pair<uint32_t, uint32_t>> read;
      for (const VecRow& r : v.spec->rows) {
        lat = std::min<i64>(lat, isa::op_desc(r.op).latency);
        for (unsigned i = 0; i < r.operands(); ++i) {
          const bool map = r.op == isa::Op::PERMUTE && i == 1;
          read.insert({r.in[i].input, r.in[i].vector});
          if (map) read.insert({r.in[i].input + 0x100u, r.in[i].vector});
        }
      }
      c_.mem += i64(read.size()) + n;  // and one WRITE a row
      c_.sxm += n;
      i64 in = v.in.empty() ? -1 : std::numeric_limits<i64>::max();  // a row reads one of the plane's inputs
      for (TensorId t : v.in) in = std::min(in, F_[t]);
      const i64 fp = in + m_.hop(m_.d_sxm, lat);
      f = std::max(f, fp);
      l = std::max(l, fp + n - 1);
    }
    F_[planes[0].out] = f;
    L_[planes[0].out] = l;
  }

  void gather(const GatherKernel& k) {
    const i64 n = vectors(k.y), b = bytes_of(g_, k.data);
    c_.mem += n * (2 * b + bytes_of(g_, k.map));  // GATHER and WRITE per plane, the map's READs
    const i64 sram_g = isa::op_desc(isa::Op::GATHER).sram_access;
    // The map arrives at the data's slice (distance >= 0), the gathered vector at the result's.
    const i64 f = std::max(F_[k.map] + 1 - m_.sram_r + m_.lat_r, L_[k.data] + 1 - sram_g) + m_.lat_gather + m_.sram_w;
    F_[k.y] = f;
    L_[k.y] = f + n - 1;
  }

  Bound result() const {
    Bound b;
    auto add = [&](std::string name, i64 cycles, std::string how) {
      b.terms.push_back({std::move(name), uint64_t(std::max<i64>(cycles, 0)), std::move(how)});
    };
    auto throughput = [&](i64 work, i64 queues) { return work ? ceil_div(work, queues) + m_.stagger : 0; };
    const i64 tail = 1 + m_.lat_acc + m_.d_mxm + m_.sram_w;  // the last install's ABC, ACC and WRITE
    const i64 head = m_.lat_r + m_.d_mxm;                    // the first weight READ reaching a plane
    i64 install = 0;
    if (c_.blocks) {
      const i64 by_plane = m_.finish(head + ceil_div(c_.install_slots, m_.planes) + tail);
      const i64 by_rate = m_.finish(head + ceil_div(c_.weight_vectors, m_.lw_rate) + m_.lat_iw + tail);
      install = std::max(by_plane, by_rate);
    }
    add("install", install,
        fmt::format("{} weight blocks, {} stream-vectors: LW rows + IW {} per block over {} planes, {} vectors a cycle",
                    c_.blocks, c_.weight_vectors, m_.lat_iw, m_.planes, m_.lw_rate));
    const i64 mxm =
        c_.abc_slots ? m_.finish(head + 1 + m_.lat_iw + ceil_div(c_.abc_slots, m_.planes) - c_.iv_max + tail) : 0;
    add("mxm", mxm, fmt::format("{} ABC issue slots over {} planes", c_.abc_slots, m_.planes));
    add("mem", throughput(c_.mem, m_.slices), fmt::format("{} vector accesses over {} slices", c_.mem, m_.slices));
    add("vxm", throughput(c_.vxm, m_.vxm_queues), fmt::format("{} ALU ops over {} ALUs", c_.vxm, m_.vxm_queues));
    add("sxm", throughput(c_.sxm, m_.sxm_queues), fmt::format("{} ops over {} queues", c_.sxm, m_.sxm_queues));
    add("path", path_, "the longest dependency chain at minimum latencies");
    i64 busiest = 0;
    for (const auto& [r, n] : c_.link_frames) busiest = std::max(busiest, n);
    if (busiest)
      add("c2c", (busiest - 1) * i64(cfg_.c2c_frame_cycles) + 1,
          fmt::format("{} frames of {} cycles on the busiest link into the chip, {} collectives", busiest,
                      cfg_.c2c_frame_cycles, c_.collectives));
    else
      add("c2c", 0, "no chip-to-chip transfers (single-chip programs)");
    for (const BoundTerm& t : b.terms)
      if (t.cycles > b.cycles || b.binding.empty()) b.cycles = t.cycles, b.binding = t.name;
    return b;
  }

  const Graph& g_;
  const Lowered& low_;
  const isa::Config& cfg_;
  Machine m_;
  std::vector<i64> F_, L_;
  Counts c_;
  std::vector<bool> streamed_;
  i64 path_ = 0;
};

}  // namespace

uint64_t Bound::term(std::string_view name) const {
  for (const BoundTerm& t : terms)
    if (t.name == name) return t.cycles;
  return 0;
}

std::string Bound::summary(uint64_t achieved) const {
  return fmt::format("bound {} cycles ({}), achieved/bound {:.2f}", cycles, binding,
                     cycles ? double(achieved) / double(cycles) : 0.0);
}

std::string Bound::terms_line() const {
  std::string s = "bound terms:";
  for (const BoundTerm& t : terms) s += fmt::format("  {} {}", t.name, t.cycles);
  return s;
}

Bound lower_bound(const Graph& expanded, const Lowered& low, const isa::Config& cfg) {
  return Bounder(expanded, low, cfg).run();
}

Bound bound_only(const Graph& source, const isa::Config& cfg) {
  const Graph g = expand(source, cfg);
  const Lowered low = lower(g, cfg);
  return lower_bound(g, low, cfg);
}

}  // namespace tsp::compiler
