// A MatMul y[M,N] = x[M,K] . w[K,N] on one MXM plane (int8 -> i32, or
// f16/bf16 -> f32 where each ABC holds the array mxm_float_cycles), blocked by the
// plane's dimension D in K and N. For each weight block (kb, nb), in nb-major
// order: LW loads its D rows (one row a cycle, READ with the weight's row
// stride), IW installs it, ABC multiplies the M activation vectors of K block
// kb into slots 0..M-1 (set for kb = 0, add after), and after the last kb one
// ACC run emits the M int32 rows, WRITten as 4 byte planes with y's stride.
// Double buffering: block b+1's LW starts once block b is installed; its IW
// installs only after the last ABC of block b has issued. A new nb's first ABC
// (set) of slot m follows the ACC that emitted slot m.
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

void KernelScheduler::matmul(const MatMulKernel& k, const std::string& what, uint32_t plane) {
  const uint32_t D = cfg_.mxm_dim;
  const Placement& px = place_[k.x];
  const Placement& pw = place_[k.w];
  const Placement& py = place_[k.y];
  const uint32_t M = g_.tensor(k.x).shape[0];
  const uint32_t nKb = px.layout.blocks, nNb = py.layout.blocks;
  // The plane's three queues: weights, activations, results.
  const uint32_t h = plane / cfg_.mxm_planes_per_hemisphere, p = plane % cfg_.mxm_planes_per_hemisphere;
  auto q = [&](uint32_t i) {
    return *isa::find_queue(cfg_, fmt::format("MXM.{}.{}", h ? 'E' : 'W', p * cfg_.mxm_queues_per_plane + i));
  };
  const uint16_t q_lw = q(0), q_abc = q(1), q_acc = q(2);
  const uint16_t pm = cfg_.queue_table[q_lw].position;
  const isa::OpDesc& wr = isa::op_desc(isa::Op::WRITE);
  const Cycle iw_lat = isa::op_desc(isa::Op::IW).latency, acc_lat = isa::op_desc(isa::Op::ACC).latency;
  const isa::DType wt = g_.tensor(k.w).dtype, xt = g_.tensor(k.x).dtype;
  const unsigned ybytes = isa::dtype_desc(g_.tensor(k.y).dtype).bytes;
  const unsigned wbytes = isa::dtype_desc(wt).bytes;
  // A float ABC occupies the array for mxm_float_cycles: ABC runs go at that interval.
  const uint32_t iv = isa::dtype_desc(xt).is_float ? cfg_.mxm_float_cycles : 1;
  const Cycle abc_span = Cycle(M - 1) * iv + 1;
  const uint32_t S = pw.stripes(), lw_per = D / S;  // weight rows per LW, LWs per block

  struct Block {
    uint32_t kb, nb;
  };
  std::vector<Block> blocks;
  for (uint32_t nb = 0; nb < nNb; ++nb)
    for (uint32_t kb = 0; kb < nKb; ++kb) blocks.push_back({kb, nb});

  // The plane's state carries over from the MatMuls it ran before.
  MxmPlaneState& st = planes_[plane];
  Cycle& install_prev = st.install;  // install cycle of the active set
  Cycle abc_prev_start = 0;          // this MatMul's latest ABC run
  std::vector<PlaneWrites> y_writes(ybytes, PlaneWrites{0, 0, false});

  auto lw_chain = [&](const Block& b) {
    Chain c;
    c.what = fmt::format("{} LW k{} n{}", what, b.kb, b.nb);
    // S weight rows a cycle, one per stripe, each row's byte planes on
    // consecutive streams: stream s*bytes + i carries byte i of row j*S + s.
    Flow f;
    f.n = lw_per;
    for (uint32_t s = 0; s < S; ++s)
      for (unsigned i = 0; i < wbytes; ++i) {
        const uint16_t slice = static_cast<uint16_t>((S > 1 ? pw.stripe_slice[s] : pw.slice) + i);
        const uint32_t base = S > 1 ? pw.stripe_address[s] : pw.address;
        FlowPlane fp;
        c.items.push_back(
            read_run(cfg_, slice, base + (b.kb * lw_per) * nNb + b.nb, nNb, lw_per, pm, 0, s * wbytes + i, 0, fp));
        f.planes.push_back(fp);
      }
    c.flows.push_back(f);
    Item lw;
    lw.queue = q_lw;
    lw.instr = make_instr(isa::Op::LW, {{"nstreams", S * wbytes}, {"row", 0}, {"type", static_cast<int64_t>(wt)}});
    lw.streams.push_back({field_of(isa::Op::LW, "src"), 0, 0});
    lw.count = lw_per;
    lw.stride = S;
    c.items.push_back(lw);
    c.earliest = install_prev;  // the shadow buffer is free once the previous set is installed
    const Cycle sram = isa::op_desc(isa::Op::READ).sram_access;
    for (size_t i = 0; i + 1 < c.items.size(); ++i)  // weights computed on the chip: after their last write
      c.earliest = std::max(c.earliest, ready_anchor(k.w, unsigned(i % wbytes), c.items[i].offset + sram, false));
    return s_.schedule(std::move(c));
  };
  auto iw_chain = [&](Cycle lw_start, const Block& b) {
    Chain c;
    c.what = fmt::format("{} IW k{} n{}", what, b.kb, b.nb);
    Item iw;
    iw.queue = q_lw;
    iw.instr = make_instr(isa::Op::IW, {});
    c.items.push_back(iw);
    c.earliest = lw_start + lw_per;                          // after the last LW
    c.earliest = std::max(c.earliest, st.abc_end - iw_lat);  // the old set serves its last ABC first
    return s_.schedule(std::move(c)) + iw_lat;
  };
  auto abc_chain = [&](const Block& b) {
    Chain c;
    c.what = fmt::format("{} ABC k{} n{}", what, b.kb, b.nb);
    Flow f;
    f.n = uint32_t(abc_span);
    for (unsigned i = 0; i < isa::dtype_desc(xt).bytes; ++i) {
      FlowPlane fp;
      c.items.push_back(
          read_run(cfg_, static_cast<uint16_t>(px.slice + i), px.address + b.kb, nKb, M, pm, 0, i, 0, fp));
      c.items.back().interval = iv;
      c.items.back().mem->every = iv;
      f.planes.push_back(fp);
    }
    c.flows.push_back(f);
    Item abc;
    abc.queue = q_abc;
    abc.instr = make_instr(isa::Op::ABC, {{"slot", 0}, {"accmode", b.kb ? 1 : 0}, {"type", static_cast<int64_t>(xt)}});
    abc.streams.push_back({field_of(isa::Op::ABC, "src"), 0, 0});
    abc.count = M;
    abc.interval = iv;
    abc.stride = 1;
    c.items.push_back(abc);
    c.earliest = install_prev;
    const Cycle sram = isa::op_desc(isa::Op::READ).sram_access;
    for (unsigned i = 0; i < isa::dtype_desc(xt).bytes; ++i)  // read in any order: after x's last write
      c.earliest = std::max(c.earliest, ready_anchor(k.x, i, c.items[i].offset + sram, false));
    c.earliest = std::max(c.earliest, st.abc_free);                      // the array is free again
    if (b.kb == 0) c.earliest = std::max(c.earliest, st.acc_start + 1);  // slot m emitted first
    return s_.schedule(std::move(c));
  };
  auto acc_chain = [&](const Block& b) {
    Chain c;
    c.what = fmt::format("{} ACC n{}", what, b.nb);
    Item acc;
    acc.queue = q_acc;
    acc.instr = make_instr(isa::Op::ACC, {{"slot", 0}, {"type", static_cast<int64_t>(g_.tensor(k.y).dtype)}});
    acc.streams.push_back({field_of(isa::Op::ACC, "dst"), 0, 0});
    acc.count = M;
    acc.stride = 1;
    c.items.push_back(acc);
    Flow f;
    f.n = M;
    std::vector<Cycle> access(ybytes);
    for (unsigned i = 0; i < ybytes; ++i) {
      const uint16_t pos = plane_position(cfg_, py, i);
      const Cycle d = std::abs(int(pos) - int(pm));
      Item w;
      w.queue = slice_queue(cfg_, static_cast<uint16_t>(py.slice + i));
      w.offset = acc_lat + d;
      w.instr = make_instr(isa::Op::WRITE, {{"addr", py.address + b.nb}});
      w.streams.push_back({field_of(isa::Op::WRITE, "src"), 0, i});
      w.count = M;
      w.stride = nNb;
      w.mem = MemAccess{
          static_cast<uint16_t>(py.slice + i), true, w.offset + wr.sram_access, M, py.address + b.nb, int64_t(nNb)};
      access[i] = w.offset + wr.sram_access;
      c.items.push_back(w);
      f.planes.push_back({pm, acc_lat, {pos}});
    }
    c.flows.push_back(f);
    c.earliest = abc_prev_start + abc_span;  // after the last ABC of every slot
    const Cycle t = s_.schedule(std::move(c));
    for (unsigned i = 0; i < ybytes; ++i) y_writes[i].last = std::max(y_writes[i].last, t + access[i] + M - 1);
    return t;
  };

  Cycle lw = lw_chain(blocks[0]);
  install_prev = iw_chain(lw, blocks[0]);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const bool more = i + 1 < blocks.size();
    Cycle next_lw = 0;
    if (more) next_lw = lw_chain(blocks[i + 1]);  // loads while block i multiplies
    abc_prev_start = abc_chain(blocks[i]);
    st.abc_end = abc_prev_start + abc_span;
    st.abc_free = abc_prev_start + Cycle(M) * iv;
    if (blocks[i].kb + 1 == nKb) {
      st.acc_start = acc_chain(blocks[i]);
    }
    if (more) install_prev = iw_chain(next_lw, blocks[i + 1]);
  }
  writes_[k.y] = y_writes;
}

}  // namespace tsp::compiler
