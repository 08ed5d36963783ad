#include "firmware/compiler/lower.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "firmware/compiler/layout.hpp"
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
  // most, leaving room for other flows) and S x bytes slices (a quarter of the
  // chip's at most); S divides the MXM dimension so every LW run is whole.
  uint32_t s = 1;
  while (2 * s * bytes <= cfg.streams_per_direction / 2 && 2 * s * bytes <= cfg.mem_slices / 4 &&
         cfg.mxm_dim % (2 * s) == 0 && 2 * s <= 16)
    s *= 2;
  return s;
}

Lowered lower(const Graph& g, const isa::Config& cfg) {
  Lowered out;
  out.pad_rows.assign(g.tensors().size(), 1);
  out.stripes.assign(g.tensors().size(), 1);
  out.near_sxm.assign(g.tensors().size(), false);
  std::vector<bool> other_use(g.tensors().size(), false);  // read by anything but a MatMul as weights
  // A MatMul's K block is one vector of activations: the MXM's side must be the lane count.
  if (cfg.mxm_dim != cfg.lanes)
    throw Error(fmt::format("configuration {}: MXM dimension {} differs from the {} lanes; not supported", cfg.name,
                            cfg.mxm_dim, cfg.lanes));
  for (const Node& n : g.nodes()) {
    Kernel k;
    k.node = &n;
    if (n.op == GraphOp::MatMul) {
      const Tensor& x = g.tensor(n.inputs[0]);
      const Tensor& w = g.tensor(n.inputs[1]);
      if (x.shape[0] > cfg.mxm_acc_slots)
        throw node_error(g, n,
                         fmt::format("{} rows need {} accumulator slots; a plane has {} (M blocking: not yet)",
                                     x.shape[0], x.shape[0], cfg.mxm_acc_slots));
      // The MXM multiplies whole mxm_dim-row weight blocks: rows past K must be
      // zero, so the weights must come from the image, padded there.
      // gathered from image data: whole data vectors (zero lanes past N),
      // and the padding rows of the block are never written, so read as zero.
      // Weights computed on the chip qualify when they write only their own rows
      // (the block's padding rows are never written, so read zero) and their
      // padding lanes are zero: gathered from image data, or transposed.
      const Node* wp = g.producer(n.inputs[1]);
      const bool computed = w.kind == TensorKind::Value;
      if (computed && !(w.pad_zero && wp && (wp->op == GraphOp::GatherRows || wp->op == GraphOp::VecOp)))
        throw node_error(g, n,
                         fmt::format("weights '{}' are computed on the chip; only input or const weights, or "
                                     "weights gathered from them or transposed, are supported (zero-padded to "
                                     "whole MXM blocks)",
                                     w.name));
      if (computed) other_use[n.inputs[1]] = true;  // written plainly: no stripes
      // Float activations: lanes past K meet zero weights, but 0 x inf or NaN is NaN, so
      // those lanes must be zero too: from the image (zero-padded), or K whole blocks.
      if (isa::dtype_desc(x.dtype).is_float && !x.pad_zero && x.shape[1] % cfg.lanes)
        throw node_error(g, n,
                         fmt::format("float activations '{}' computed on the chip need K a multiple of {} "
                                     "(their padding lanes are not known to be zero)",
                                     x.name, cfg.lanes));
      out.pad_rows[n.inputs[1]] = cfg.mxm_dim;
      out.stripes[n.inputs[1]] = weight_stripes(cfg, isa::dtype_desc(w.dtype).bytes);
      other_use[n.inputs[0]] = true;
      k.mxm = MatMulKernel{n.inputs[0], n.inputs[1], n.output};
    } else if (n.op == GraphOp::GatherRows) {
      k.gather = GatherKernel{n.inputs[0], n.inputs[1], n.output};
      for (TensorId t : n.inputs) other_use[t] = true;
    } else if (n.op == GraphOp::VecOp) {  // one kernel per result plane, on its group of inputs
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
    } else {
      if (n.op == GraphOp::RmsNorm || n.op == GraphOp::LayerNorm || n.op == GraphOp::Transpose ||
          n.op == GraphOp::Gather)
        throw node_error(g, n, "composite op reached lowering unexpanded (run expand() first)");
      VxmKernel v;
      v.op = vxm_opcode(n.op);
      v.type = g.tensor(n.output).dtype;
      const bool sel = n.op == GraphOp::Sel;
      v.a = n.inputs[sel ? 1 : 0];
      v.from = g.tensor(v.a).dtype;
      if (n.inputs.size() > 1) v.b = n.inputs[sel ? 2 : 1];
      if (sel) v.c = n.inputs[0];
      v.row = n.op == GraphOp::MulRow || n.op == GraphOp::SubRow;
      if (v.row && g.tensor(*v.b).shape[1] != cfg.lanes)
        throw node_error(
            g, n,
            fmt::format("row values '{}' must be [rows, {}] (one vector per row)", g.tensor(*v.b).name, cfg.lanes));
      v.out = n.output;
      for (TensorId t : n.inputs) other_use[t] = true;
      k.vxm = v;
    }
    out.kernels.push_back(k);
  }
  for (size_t t = 0; t < g.tensors().size(); ++t)  // striping would break the plain layout other readers expect
    if (other_use[t] || g.tensors()[t].output) out.stripes[t] = 1;
  return out;
}

}  // namespace tsp::compiler
