// A MatMul y[M,N] = x[M,K] . w[K,N] on one MXM plane (int8 -> i32, or
// f16/bf16 -> f32 where each ABC holds the array mxm_float_cycles), blocked by the
// plane's dimension D in K and N. For each weight block (kb, nb), in nb-major
// order: LW loads its D rows (one row a cycle, READ with the weight's row
// stride), IW installs it, ABC multiplies the M activation vectors of K block
// kb into slots 0..M-1 (set for kb = 0, add after), and after the last kb one
// ACC run emits the M int32 rows, WRITten as 4 byte planes with y's stride.
// Double buffering: block b+1's LW starts once block b is installed; its IW
// installs only after the last ABC of block b has issued. Weights of a single
// K block for activations of several (LaneSum's ones) are installed once per
// N block and serve every K block's ABC. A new nb's first ABC
// (set) of slot m follows the ACC that emitted slot m. The kernel covers rows
// [x_row0, x_row0 + rows) of x into rows [y_row0, ...) of y (M blocking and
// batch elements, lower.cpp): only the activation and result addresses move.
#include <fmt/format.h>

#include <cstdlib>

#include "firmware/compiler/kernels.hpp"

namespace tsp::compiler {
namespace {

// Chain pieces: a READ run of one plane feeding a flow consumed at `to`.
Item read_run(const isa::Config& cfg, uint16_t slice, uint32_t addr, int64_t stride, uint32_t n, uint16_t to,
              size_t flow, unsigned plane, Cycle consume_offset, FlowPlane& fp) {
  const isa::OpDesc& rd = isa::op_desc(isa::Op::READ);
  const uint16_t pos = cfg.queue_table[slice_queue(cfg, slice)].position;
  const Cycle d = std::abs(int(pos) - int(to));
  Item r;
  r.queue = slice_queue(cfg, slice);
  r.offset = consume_offset - rd.latency - d;
  r.instr = make_instr(isa::Op::READ, {{"addr", addr}});
  r.streams.push_back({field_of(isa::Op::READ, "dst"), flow, plane});
  r.count = n;
  r.stride = stride;
  r.mem = MemAccess{slice, false, r.offset + rd.sram_access, n, addr, stride};
  fp = {pos, consume_offset - d, {to}};
  return r;
}

}  // namespace

// One MatMul's fixed facts (from its placement and the ISA table) and what
// its chains leave for the next ones.
struct MatMulPlan {
  std::string what;
  uint32_t D, M, nKb, nNb;  // plane dimension; activation rows; K and N blocks
  uint32_t x0, y0;          // SRAM address of the kernel's first activation row and result row
  TensorId y;
  const Placement *px, *pw, *py;
  uint16_t q_lw, q_abc, q_acc, pm;  // the plane's weight, activation and result queues; its position
  Cycle iw_lat, acc_lat;
  isa::DType wt, xt, yt;
  unsigned ybytes, wbytes;
  uint32_t iv;               // cycles between ABCs (a float ABC occupies the array for mxm_float_cycles)
  Cycle abc_span;            // issue slots of one ABC run
  uint32_t S, lw_per;        // weight stripes: rows per LW cycle; LWs per block
  MxmPlaneState* st;         // the plane's state, carried over from the MatMuls it ran before
  Cycle abc_prev_start = 0;  // this MatMul's latest ABC run
  std::vector<PlaneWrites> y_writes;
};

MatMulPlan KernelScheduler::plan_matmul(const MatMulKernel& k, const std::string& what, uint32_t plane) {
  MatMulPlan m;
  m.what = what;
  m.D = cfg_.mxm_dim;
  m.px = &place_[k.x];
  m.pw = &place_[k.w];
  m.py = &place_[k.y];
  m.M = k.rows;
  m.x0 = m.px->address + k.x_row0 * m.px->layout.blocks;
  m.y0 = m.py->address + k.y_row0 * m.py->layout.blocks;
  m.y = k.y;
  m.nKb = m.px->layout.blocks;
  m.nNb = m.py->layout.blocks;
  const uint32_t h = plane / cfg_.mxm_planes_per_hemisphere, p = plane % cfg_.mxm_planes_per_hemisphere;
  auto q = [&](uint32_t i) {
    return *isa::find_queue(cfg_, fmt::format("MXM.{}.{}", h ? 'E' : 'W', p * cfg_.mxm_queues_per_plane + i));
  };
  m.q_lw = q(0);
  m.q_abc = q(1);
  m.q_acc = q(2);
  m.pm = cfg_.queue_table[m.q_lw].position;
  m.iw_lat = isa::op_desc(isa::Op::IW).latency;
  m.acc_lat = isa::op_desc(isa::Op::ACC).latency;
  m.wt = g_.tensor(k.w).dtype;
  m.xt = g_.tensor(k.x).dtype;
  m.yt = g_.tensor(k.y).dtype;
  m.ybytes = isa::dtype_desc(m.yt).bytes;
  m.wbytes = isa::dtype_desc(m.wt).bytes;
  m.iv = isa::dtype_desc(m.xt).is_float ? cfg_.mxm_float_cycles : 1;
  m.abc_span = Cycle(m.M - 1) * m.iv + 1;
  m.S = m.pw->stripes();
  m.lw_per = m.D / m.S;
  m.st = &planes_[plane];
  m.y_writes.assign(m.ybytes, PlaneWrites{0, 0, false});
  return m;
}

// LW of block b: S weight rows a cycle, one per stripe, each row's byte planes
// on consecutive streams (stream s*bytes + i carries byte i of row j*S + s).
Cycle KernelScheduler::mxm_lw(const MatMulKernel& k, const MatMulPlan& m, MxmBlock b) {
  Chain c;
  c.what = fmt::format("{} LW k{} n{}", m.what, b.kb, b.nb);
  Flow f;
  f.n = m.lw_per;
  const Placement& pw = *m.pw;
  const uint32_t group_blocks = pw.group_blocks(pw.group_of(b.nb));  // the row stride in the block's region
  for (uint32_t s = 0; s < m.S; ++s)
    for (unsigned i = 0; i < m.wbytes; ++i) {
      const uint32_t region = pw.region_of(s, b.nb);
      const auto slice = static_cast<uint16_t>(pw.region_slice(region) + i);
      const uint32_t addr = pw.region_address(region) + pw.region_vector(b.kb * m.D + s, b.nb);
      FlowPlane fp;
      c.items.push_back(read_run(cfg_, slice, addr, group_blocks, m.lw_per, m.pm, 0, s * m.wbytes + i, 0, fp));
      f.planes.push_back(fp);
    }
  c.flows.push_back(f);
  // Weights computed on the chip: every row read after it was written.
  const Cycle sram = isa::op_desc(isa::Op::READ).sram_access;
  for (const Item& r : c.items) {
    const unsigned byte = static_cast<unsigned>(r.streams[0].plane % m.wbytes);
    c.earliest = std::max(c.earliest, ready_anchor(k.w, byte, r.offset + sram, false));
  }
  Item lw;
  lw.queue = m.q_lw;
  lw.instr = make_instr(isa::Op::LW, {{"nstreams", m.S * m.wbytes}, {"row", 0}, {"type", static_cast<int64_t>(m.wt)}});
  lw.streams.push_back({field_of(isa::Op::LW, "src"), 0, 0});
  lw.count = m.lw_per;
  lw.stride = m.S;
  c.items.push_back(lw);
  c.earliest = std::max(c.earliest, m.st->install);  // the shadow buffer is free once the previous set is installed
  return s_.schedule(std::move(c));
}

// IW of block b after its last LW; returns the install cycle.
Cycle KernelScheduler::mxm_iw(const MatMulPlan& m, Cycle lw_start, MxmBlock b) {
  Chain c;
  c.what = fmt::format("{} IW k{} n{}", m.what, b.kb, b.nb);
  Item iw;
  iw.queue = m.q_lw;
  iw.instr = make_instr(isa::Op::IW, {});
  c.items.push_back(iw);
  c.earliest = lw_start + m.lw_per;                             // after the last LW
  c.earliest = std::max(c.earliest, m.st->abc_end - m.iw_lat);  // the old set serves its last ABC first
  return s_.schedule(std::move(c)) + m.iw_lat;
}

// ABC of block b: the M activation vectors of K block kb into slots 0..M-1 (set for kb = 0, add after).
Cycle KernelScheduler::mxm_abc(const MatMulKernel& k, const MatMulPlan& m, MxmBlock b) {
  Chain c;
  c.what = fmt::format("{} ABC k{} n{}", m.what, b.kb, b.nb);
  Flow f;
  f.n = uint32_t(m.abc_span);
  const unsigned xbytes = isa::dtype_desc(m.xt).bytes;
  for (unsigned i = 0; i < xbytes; ++i) {
    FlowPlane fp;
    c.items.push_back(
        read_run(cfg_, static_cast<uint16_t>(m.px->slice + i), m.x0 + b.kb, m.nKb, m.M, m.pm, 0, i, 0, fp));
    c.items.back().interval = m.iv;
    c.items.back().mem->every = m.iv;
    f.planes.push_back(fp);
  }
  c.flows.push_back(f);
  Item abc;
  abc.queue = m.q_abc;
  abc.instr = make_instr(isa::Op::ABC, {{"slot", 0}, {"accmode", b.kb ? 1 : 0}, {"type", static_cast<int64_t>(m.xt)}});
  abc.streams.push_back({field_of(isa::Op::ABC, "src"), 0, 0});
  abc.count = m.M;
  abc.interval = m.iv;
  abc.stride = 1;
  c.items.push_back(abc);
  c.earliest = m.st->install;
  const Cycle sram = isa::op_desc(isa::Op::READ).sram_access;
  for (unsigned i = 0; i < xbytes; ++i)  // read in any order: after x's last write
    c.earliest = std::max(c.earliest, ready_anchor(k.x, i, c.items[i].offset + sram, false));
  c.earliest = std::max(c.earliest, m.st->abc_free);                      // the array is free again
  if (b.kb == 0) c.earliest = std::max(c.earliest, m.st->acc_start + 1);  // slot m emitted first
  return s_.schedule(std::move(c));
}

// ACC of N block nb after its last ABC: M rows, each WRITten as ybytes planes with y's stride.
Cycle KernelScheduler::mxm_acc(MatMulPlan& m, MxmBlock b) {
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  Chain c;
  c.what = fmt::format("{} ACC n{}", m.what, b.nb);
  Item acc;
  acc.queue = m.q_acc;
  acc.instr = make_instr(isa::Op::ACC, {{"slot", 0}, {"type", static_cast<int64_t>(m.yt)}});
  acc.streams.push_back({field_of(isa::Op::ACC, "dst"), 0, 0});
  acc.count = m.M;
  acc.stride = 1;
  c.items.push_back(acc);
  Flow f;
  f.n = m.M;
  std::vector<Cycle> access(m.ybytes);
  const Placement& py = *m.py;
  for (unsigned i = 0; i < m.ybytes; ++i) {
    const uint16_t pos = plane_position(cfg_, py, i);
    const Cycle d = std::abs(int(pos) - int(m.pm));
    Item w;
    w.queue = slice_queue(cfg_, static_cast<uint16_t>(py.slice + i));
    w.offset = m.acc_lat + d;
    w.instr = make_instr(isa::Op::WRITE, {{"addr", m.y0 + b.nb}});
    w.streams.push_back({field_of(isa::Op::WRITE, "src"), 0, i});
    w.count = m.M;
    w.stride = m.nNb;
    w.mem = MemAccess{
        static_cast<uint16_t>(py.slice + i), true, w.offset + wr.sram_access, m.M, m.y0 + b.nb, int64_t(m.nNb)};
    access[i] = w.offset + wr.sram_access;
    c.items.push_back(w);
    f.planes.push_back({m.pm, m.acc_lat, {pos}});
  }
  c.flows.push_back(f);
  c.earliest = m.abc_prev_start + m.abc_span;  // after the last ABC of every slot
  const Cycle t = s_.schedule(std::move(c));
  for (unsigned i = 0; i < m.ybytes; ++i) m.y_writes[i].last = std::max(m.y_writes[i].last, t + access[i] + m.M - 1);
  auto& exact = vector_writes_by_acc_[m.y];
  if (exact.empty()) exact.assign(m.ybytes, std::vector<Cycle>(py.layout.vectors(), kNoFloor));
  for (unsigned i = 0; i < m.ybytes; ++i)
    for (uint32_t r = 0; r < m.M; ++r) exact[i].at(m.y0 - py.address + b.nb + r * m.nNb) = t + access[i] + r;
  return t;
}

uint32_t KernelScheduler::free_plane(uint32_t from, std::optional<uint32_t> hemisphere) const {
  std::optional<uint32_t> best;
  for (uint32_t i = 0; i < cfg_.mxm_planes; ++i) {
    const uint32_t p = (from + i) % cfg_.mxm_planes;
    if (hemisphere && p / cfg_.mxm_planes_per_hemisphere != *hemisphere) continue;
    if (!best || planes_[p].abc_end < planes_[*best].abc_end) best = p;
  }
  return *best;
}

void KernelScheduler::matmul(const MatMulKernel& k, const std::string& what, uint32_t plane) {
  MatMulPlan m = plan_matmul(k, what, plane);
  std::vector<MxmBlock> blocks;  // nb-major
  for (uint32_t nb = k.n0; nb < (k.n1 ? k.n1 : m.nNb); ++nb)
    for (uint32_t kb = 0; kb < m.nKb; ++kb) blocks.push_back({kb, nb});
  MxmPlaneState& st = *m.st;
  // Weights of one block for K blocks of activations (LaneSum's ones): installed once per N block.
  const bool one_block = m.pw->layout.stored_rows == m.D && m.nKb > 1;
  Cycle lw = mxm_lw(k, m, blocks[0]);
  st.install = mxm_iw(m, lw, blocks[0]);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const bool more = i + 1 < blocks.size() && !(one_block && blocks[i + 1].kb > 0);
    Cycle next_lw = 0;
    if (more) next_lw = mxm_lw(k, m, blocks[i + 1]);  // loads while block i multiplies
    m.abc_prev_start = mxm_abc(k, m, blocks[i]);
    st.abc_end = m.abc_prev_start + m.abc_span;
    st.abc_free = m.abc_prev_start + Cycle(m.M) * m.iv;
    if (blocks[i].kb + 1 == m.nKb) st.acc_start = mxm_acc(m, blocks[i]);
    if (more) st.install = mxm_iw(m, next_lw, blocks[i + 1]);
  }
  if (k.first || writes_[k.y].empty()) {
    writes_[k.y] = m.y_writes;
  } else {  // another block of y: its readers wait for the last write of all of them
    for (unsigned i = 0; i < m.ybytes; ++i) writes_[k.y][i].last = std::max(writes_[k.y][i].last, m.y_writes[i].last);
  }
}

}  // namespace tsp::compiler
