#include "firmware/compiler/lower.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "common/error.hpp"
#include "firmware/compiler/layout.hpp"
#include "firmware/compiler/ops.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

Error node_error(const Graph& g, const Node& n, const std::string& why) {
  return Error(
      fmt::format("{}: error: node '{}' ({}): {}", n.where.str(), g.tensor(n.output).name, op_name(n.op), why));
}

}  // namespace

uint32_t weight_stripes(const isa::Config& cfg, unsigned bytes) {
  // S rows a cycle take S x bytes streams (half the streams of a direction at
  // most, leaving room for other flows, and for the other plane of the
  // hemisphere loading its own group) and S x bytes slices (a quarter of the
  // chip's at most); S divides the MXM dimension so every LW run is whole.
  const uint32_t streams = cfg.streams_per_direction / 2, slices = cfg.mem_slices / 4;
  uint32_t s = 1;
  while (2 * s * bytes <= streams && 2 * s * bytes <= slices && cfg.mxm_dim % (2 * s) == 0 && 2 * s <= 16) s *= 2;
  return s;
}

namespace {

std::vector<uint32_t> leading(const std::vector<uint32_t>& s) { return {s.begin(), s.end() - 1}; }
uint64_t product(const std::vector<uint32_t>& s) {
  uint64_t n = 1;
  for (uint32_t d : s) n *= d;
  return n;
}

// Cuts the result's vectors, visited row-major or block-major (whichever
// gives fewer runs), into runs where every operand advances by a fixed stride.
std::vector<VectorRun> make_runs(uint32_t rows, uint32_t blocks,
                                 const std::vector<std::function<uint32_t(uint32_t, uint32_t)>>& operand) {
  std::vector<VectorRun> best;
  for (bool block_major : {false, true}) {
    std::vector<VectorRun> runs;
    VectorRun cur;
    uint32_t prev_out = 0;
    std::array<uint32_t, 3> prev{};
    auto visit = [&](uint32_t r, uint32_t b) {
      const uint32_t out = r * blocks + b;
      std::array<uint32_t, 3> in{};
      for (size_t i = 0; i < operand.size(); ++i) in[i] = operand[i](r, b);
      bool extend = cur.n > 0;
      if (extend && cur.n == 1) {
        cur.out_stride = int64_t(out) - prev_out;
        for (size_t i = 0; i < operand.size(); ++i) cur.in_stride[i] = int64_t(in[i]) - prev[i];
        extend = cur.out_stride > 0;
        for (size_t i = 0; i < operand.size(); ++i) extend = extend && cur.in_stride[i] >= 0;
      } else if (extend) {
        extend = int64_t(out) - prev_out == cur.out_stride;
        for (size_t i = 0; i < operand.size(); ++i) extend = extend && int64_t(in[i]) - prev[i] == cur.in_stride[i];
      }
      if (extend) {
        ++cur.n;
      } else {
        if (cur.n) {
          if (cur.n == 1) cur.out_stride = 1, cur.in_stride = {};
          runs.push_back(cur);
        }
        cur = VectorRun{1, out, 1, in, {}};
      }
      prev_out = out;
      prev = in;
    };
    if (block_major) {
      for (uint32_t b = 0; b < blocks; ++b)
        for (uint32_t r = 0; r < rows; ++r) visit(r, b);
    } else {
      for (uint32_t r = 0; r < rows; ++r)
        for (uint32_t b = 0; b < blocks; ++b) visit(r, b);
    }
    if (cur.n == 1) cur.out_stride = 1, cur.in_stride = {};
    runs.push_back(cur);
    if (best.empty() || runs.size() < best.size()) best = std::move(runs);
  }
  return best;
}

// A MatMul's kernels: one per batch element (BatchMatMul) and M block of at
// most `slots` rows (the accumulator slots of a plane), in order.
std::vector<MatMulKernel> matmul_kernels(const Graph& g, const Node& n, uint32_t slots) {
  const Tensor& x = g.tensor(n.inputs[0]);
  const bool batched = n.op == GraphOp::BatchMatMul;
  const uint32_t M = batched ? x.shape[x.shape.size() - 2] : uint32_t(product(leading(x.shape)));
  const size_t B = batched ? n.attrs.batch_x.size() : 1;
  std::vector<MatMulKernel> ks;
  for (size_t b = 0; b < B; ++b)
    for (uint32_t m0 = 0; m0 < M; m0 += slots) {
      MatMulKernel k;
      k.x = n.inputs[0];
      k.w = n.inputs[batched ? n.attrs.batch_w[b] : 1];
      k.y = n.output;
      k.x_row0 = (batched ? n.attrs.batch_x[b] * M : 0) + m0;
      k.y_row0 = uint32_t(b) * M + m0;
      k.rows = std::min(slots, M - m0);
      k.first = ks.empty();
      ks.push_back(k);
    }
  return ks;
}

// Lowered::stream_to: a VXM kernel whose result only one VXM kernel reads,
// through operand slots that read vector v at iteration v.
void mark_streams(const Graph& g, Lowered& out) {
  const size_t nt = g.tensors().size();
  std::vector<int> readers(nt, 0);  // nodes reading a storage root, aliases included
  std::vector<int32_t> reader(nt, -1);
  std::vector<bool> aliased(nt, false);
  for (size_t t = 0; t < nt; ++t)
    if (out.root[t] != t) aliased[out.root[t]] = true;
  for (size_t k = 0; k < out.kernels.size(); ++k) {
    const Node& n = *out.kernels[k].node;
    std::vector<TensorId> seen;
    for (TensorId t : n.inputs)
      if (std::find(seen.begin(), seen.end(), out.root[t]) == seen.end()) {
        seen.push_back(out.root[t]);
        ++readers[out.root[t]];
        reader[out.root[t]] = int32_t(k);
      }
  }
  out.stream_to.assign(out.kernels.size(), -1);
  for (size_t i = 0; i < out.kernels.size(); ++i) {
    const auto& ki = out.kernels[i].vxm;
    if (!ki || ki->runs.size() != 1 || ki->runs[0].out0 != 0 || ki->runs[0].out_stride != 1) continue;
    const TensorId y = ki->out;
    const Tensor& ty = g.tensor(y);
    if (ty.output || aliased[y] || readers[y] != 1 || out.pad_rows[y] != 1) continue;
    const auto& kj = out.kernels[size_t(reader[y])].vxm;
    if (!kj || kj->runs.size() != 1 || kj->runs[0].n != ki->runs[0].n) continue;
    const std::optional<TensorId> slots[] = {kj->a, kj->b, kj->c};
    bool in_order = true;
    for (size_t s = 0; s < 3; ++s)
      if (slots[s] == y) in_order = in_order && kj->runs[0].in0[s] == 0 && kj->runs[0].in_stride[s] == 1;
    if (in_order) out.stream_to[i] = reader[y];
  }
}

}  // namespace

Lowered lower(const Graph& g, const isa::Config& cfg) {
  Lowered out;
  const size_t nt = g.tensors().size();
  out.pad_rows.assign(nt, 1);
  out.stripes.assign(nt, 1);
  out.groups.assign(nt, 1);
  out.root.resize(nt);
  out.splat_store.assign(nt, false);
  for (size_t t = 0; t < nt; ++t) out.root[t] = TensorId(t);
  std::vector<bool> other_use(nt, false);  // read by anything but a MatMul as weights
  std::vector<int> mxm_act(nt, 0), other(nt, 0);
  out.near_sxm.assign(nt, false);
  // A MatMul's K block is one vector of activations: the MXM's side must be the lane count.
  if (cfg.mxm_dim != cfg.lanes)
    throw Error(fmt::format("configuration {}: MXM dimension {} differs from the {} lanes; not supported", cfg.name,
                            cfg.mxm_dim, cfg.lanes));
  for (const Node& n : g.nodes()) {
    Kernel k;
    k.node = &n;
    const Tensor& o = g.tensor(n.output);
    const OpKind kind = op_info(n.op).kind;
    if (kind == OpKind::MatMul || kind == OpKind::LaneSum || kind == OpKind::BatchMatMul) {
      const Tensor& x = g.tensor(n.inputs[0]);
      const Tensor& w = g.tensor(n.inputs[1]);
      // The MXM multiplies whole mxm_dim-row weight blocks, so weight rows past K
      // meet the activations' padding lanes. Those rows are zero: from the image,
      // or, for weights computed on the chip (whose producer writes rows 0..K-1
      // only), zeroed by the image too (codegen). Float activations must have
      // zero padding lanes as well, since 0 x inf or NaN is NaN: from the image
      // (zero-padded), from ops that keep zeros zero (Tensor::pad_zero), or K whole blocks.
      const bool image = x.kind != TensorKind::Value;
      if (isa::dtype_desc(x.dtype).is_float && !x.pad_zero && !image && x.shape.back() % cfg.lanes)
        throw node_error(g, n,
                         fmt::format("float activations '{}' computed on the chip need K a multiple of {} "
                                     "(their padding lanes are not known to be zero)",
                                     x.name, cfg.lanes));
      if (kind == OpKind::LaneSum && w.shape[0] != x.shape.back() && w.shape[0] != cfg.mxm_dim)
        throw node_error(g, n,
                         fmt::format("ones of {} rows for {} columns: one MXM block of them is {} rows", w.shape[0],
                                     x.shape.back(), cfg.mxm_dim));
      ++mxm_act[n.inputs[0]];
      for (size_t i = 1; i < n.inputs.size(); ++i) {
        out.pad_rows[n.inputs[i]] = cfg.mxm_dim;
        out.stripes[n.inputs[i]] = weight_stripes(cfg, isa::dtype_desc(w.dtype).bytes);
      }
      other_use[n.inputs[0]] = true;
      k.mxm = matmul_kernels(g, n, cfg.mxm_acc_slots);
    } else if (kind == OpKind::Alias) {
      const Tensor& x = g.tensor(n.inputs[0]);
      if (x.shape.back() != o.shape.back() && !(product(leading(x.shape)) == 1 && product(leading(o.shape)) == 1))
        throw node_error(g, n,
                         fmt::format("reshape changes the last dimension ({} to {}): values would move across "
                                     "lanes (not yet)",
                                     x.shape.back(), o.shape.back()));
      out.root[n.output] = out.root[n.inputs[0]];
      other_use[n.inputs[0]] = true;
      ++other[n.inputs[0]];
      k.alias = n.inputs[0];
    } else if (kind == OpKind::Permute) {
      for (TensorId t : n.inputs) other_use[t] = true, ++other[t];
      const Tensor& x = g.tensor(n.inputs[0]);
      const Tensor& m = g.tensor(n.inputs[1]);
      if (n.attrs.offset % cfg.lanes || o.shape.back() > cfg.lanes ||
          *std::max_element(m.data.begin(), m.data.end()) >= cfg.lanes)
        throw node_error(
            g, n, fmt::format("a permute reads one lane block (offset a multiple of {}) and writes one", cfg.lanes));
      const uint32_t bx = layout_of(x, cfg.lanes).blocks;
      k.sxm = PermuteKernel{n.inputs[0], n.inputs[1], n.output, n.attrs.offset / cfg.lanes, bx};
    } else if (kind == OpKind::GatherRows) {
      k.gather = GatherKernel{n.inputs[0], n.inputs[1], n.output};
      for (TensorId t : n.inputs) other_use[t] = true;
    } else if (kind == OpKind::VecOp) {  // one kernel per result plane, on its group of inputs
      out.near_sxm[n.output] = true;
      const uint8_t gsz = n.vec->group;
      for (size_t p = 0; p * gsz < n.inputs.size(); ++p) {
        VecKernel v{{}, {}, n.output, static_cast<uint8_t>(p), n.vec};
        for (size_t i = 0; i < gsz; ++i) {
          v.in.push_back(n.inputs[p * gsz + i]);
          v.plane.push_back(n.vec->plane[p * gsz + i]);
        }
        k.vec.push_back(std::move(v));
      }
      for (TensorId t : n.inputs) other_use[t] = true;
    } else if (kind == OpKind::Collective) {
      const auto& bounds = n.attrs.bounds;
      const bool by_rows = !n.attrs.axes.empty();  // AllGather of a row axis: blocks of whole rows
      for (size_t i = 1; i + 1 < bounds.size() && !by_rows; ++i)
        if (bounds[i] % cfg.lanes)
          throw node_error(g, n,
                           fmt::format("a column block starts at column {}: blocks must start on whole vectors "
                                       "of {} lanes",
                                       bounds[i], cfg.lanes));
      other_use[n.inputs[0]] = true;
      k.collective = CollectiveKernel{n.op, n.inputs[0], n.output, bounds, n.attrs.step, n.attrs.shift};
      if (by_rows) {
        const auto& shape = g.tensor(n.output).shape;
        k.collective->rows_per_index = 1;
        for (size_t d = size_t(n.attrs.axes[0]) + 1; d + 1 < shape.size(); ++d) k.collective->rows_per_index *= shape[d];
      }
    } else if (kind == OpKind::Composite) {
      throw node_error(g, n, "composite op reached lowering unexpanded (run expand() first)");
    } else {  // Unary, Binary, Select, Fold: one VXM op
      VxmKernel v;
      const bool fold = kind == OpKind::Fold;
      v.op = vxm_opcode(fold ? n.attrs.fold_op : n.op);
      v.type = o.dtype;
      const bool sel = kind == OpKind::Select;
      v.a = n.inputs[sel ? 1 : 0];
      v.from = g.tensor(v.a).dtype;
      if (n.inputs.size() > 1) v.b = n.inputs[sel ? 2 : 1];
      if (sel) v.c = n.inputs[0];
      v.out = n.output;
      const Layout lo = layout_of(o, cfg.lanes);
      std::vector<std::function<uint32_t(uint32_t, uint32_t)>> maps;
      for (std::optional<TensorId> x : {std::optional<TensorId>(v.a), v.b, v.c}) {
        if (!x) continue;
        const Tensor& t = g.tensor(*x);
        const Layout lx = layout_of(t, cfg.lanes);
        const bool is_x_of_fold = fold && *x == n.inputs[1];
        const bool block_fold = is_x_of_fold && n.attrs.axes.back() == int64_t(t.shape.size() - 1);
        if (block_fold && (o.shape.back() % cfg.lanes || n.attrs.offset % cfg.lanes))
          throw node_error(g, n,
                           fmt::format("a fold of lane blocks needs an accumulator of whole {}-lane blocks from a "
                                       "whole block",
                                       cfg.lanes));
        if (t.shape.back() != o.shape.back() && !t.splat && !block_fold)
          throw node_error(g, n,
                           fmt::format("'{}' [..., 1] is broadcast across lanes but is computed on the chip "
                                       "without its value in every lane (only reductions over the last axis and "
                                       "image data provide that)",
                                       t.name));
        const bool lane_bcast = t.shape.back() != o.shape.back();
        const auto orows = leading(o.shape), xrows = leading(t.shape);
        maps.push_back([=, &n](uint32_t r, uint32_t b) -> uint32_t {
          uint64_t row;
          if (block_fold) return uint32_t(r * lx.blocks + n.attrs.offset / lx.lanes + n.attrs.step * lo.blocks + b);
          if (is_x_of_fold)
            row = fold_index(xrows, n.attrs.axes, n.attrs.step, r);
          else
            row = xrows.empty() ? 0 : broadcast_index(xrows, orows, r);
          return uint32_t(row * lx.blocks + (lane_bcast ? 0 : b));
        });
      }
      v.runs = make_runs(lo.rows, lo.blocks, maps);
      // One slice cannot feed two READ runs in lockstep: operands sharing storage must read the same vectors.
      const std::optional<TensorId> ops[] = {v.a, v.b, v.c};
      for (size_t i = 0; i < maps.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          for (const VectorRun& r : v.runs)
            if (out.root[*ops[i]] == out.root[*ops[j]] &&
                (r.in0[i] != r.in0[j] || (r.n > 1 && r.in_stride[i] != r.in_stride[j])))
              throw node_error(g, n,
                               fmt::format("'{}' and '{}' share storage but are read in different orders (not yet)",
                                           g.tensor(*ops[i]).name, g.tensor(*ops[j]).name));
      for (const VectorRun& r : v.runs)
        for (size_t i = 0; i < maps.size(); ++i)
          v.row = v.row || (r.n > 1 && r.in_stride[i] != r.out_stride) || r.in0[i] != r.out0;
      for (TensorId t : n.inputs) other_use[t] = true, ++other[t];
      k.vxm = v;
    }
    out.kernels.push_back(k);
  }
  for (size_t t = 0; t < nt; ++t) {
    const Tensor& ten = g.tensors()[t];
    // Striping would break the plain layout other readers, and the producer of a
    // computed weight, expect.
    if (other_use[t] || ten.output || ten.kind == TensorKind::Value) out.stripes[t] = 1;
    // Image data of last dimension 1 is stored in every lane, but MatMul activations need zero padding.
    if (ten.kind != TensorKind::Value && ten.splat) {
      out.splat_store[t] = !mxm_act[t];
      if (mxm_act[t] && (other[t] || ten.output))
        throw Error(
            fmt::format("{}: error: tensor '{}' [..., 1] is both MatMul activations and read elsewhere "
                        "(it cannot be stored both zero-padded and in every lane; not yet)",
                        ten.where.str(), ten.name));
    }
  }
  mark_streams(g, out);
  return out;
}

}  // namespace tsp::compiler
