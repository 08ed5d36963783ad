#include "firmware/compiler/reference.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/numerics/mxm.hpp"
#include "common/numerics/vxm.hpp"
#include "firmware/compiler/layout.hpp"
#include "firmware/compiler/lower.hpp"

namespace tsp::compiler {
namespace {

// y[M,N] = x[M,K] . w[K,N] in the MXM's blocks of `dim` (see run_reference).
std::vector<uint32_t> matmul(isa::DType xt, isa::DType wt, uint32_t M, uint32_t K, uint32_t N,
                             const std::vector<uint32_t>& x, const std::vector<uint32_t>& w, uint32_t wcols,
                             uint32_t dim) {
  const bool fl = isa::dtype_desc(xt).is_float;
  const bool xs = isa::dtype_desc(xt).is_signed, ws = isa::dtype_desc(wt).is_signed;
  std::vector<uint32_t> y(size_t(M) * N);
  for (uint32_t m = 0; m < M; ++m)
    for (uint32_t c = 0; c < N; ++c) {
      uint32_t slot = 0;
      for (uint32_t k0 = 0; k0 < K; k0 += dim) {
        uint32_t dot = 0;
        for (uint32_t k = k0; k < std::min(K, k0 + dim); ++k) {
          const uint32_t a = x[size_t(m) * K + k], b = w[size_t(k) * wcols + c];
          dot = fl ? num::mac_float(dot, xt, a, wt, b) : uint32_t(num::mac_int(int32_t(dot), a, xs, b, ws));
        }
        const auto mode = k0 == 0 ? num::AccMode::set : num::AccMode::add;
        slot = fl ? num::accumulate_float(slot, dot, mode)
                  : uint32_t(num::accumulate_int(int32_t(slot), int32_t(dot), mode));
      }
      y[size_t(m) * N + c] = slot;
    }
  return y;
}

}  // namespace

std::vector<std::vector<uint32_t>> run_reference(const Graph& g, uint32_t mxm_dim) {
  std::vector<std::vector<uint32_t>> v(g.tensors().size());
  for (size_t i = 0; i < g.tensors().size(); ++i) v[i] = g.tensors()[i].data;
  for (const Node& n : g.nodes()) {
    const Tensor& out = g.tensor(n.output);
    auto in = [&](size_t i) -> const std::vector<uint32_t>& { return v[n.inputs.at(i)]; };
    auto tin = [&](size_t i) -> const Tensor& { return g.tensor(n.inputs.at(i)); };
    std::vector<uint32_t> r(out.elements());
    num::VxmOp op;
    op.op = vxm_opcode(n.op);
    op.type = out.dtype;
    op.from = tin(0).dtype;
    switch (n.op) {
      case GraphOp::MatMul:
        r = matmul(tin(0).dtype, tin(1).dtype, tin(0).shape[0], tin(0).shape[1], tin(1).shape[1], in(0), in(1),
                   tin(1).shape[1], mxm_dim);
        break;
      case GraphOp::LaneSum: {  // one column of ones: every column's sum is the same
        const uint32_t K = tin(0).shape.back();
        r = matmul(tin(0).dtype, tin(1).dtype, uint32_t(tin(0).elements() / K), K, 1, in(0), in(1), tin(1).shape[1],
                   mxm_dim);
        break;
      }
      case GraphOp::Reshape:
        r = in(0);
        break;
      case GraphOp::Permute: {
        const uint32_t C = tin(0).shape.back(), N = out.shape.back();
        for (size_t e = 0; e < r.size(); ++e) r[e] = in(0)[e / N * C + n.attrs.offset + in(1)[e % N]];
        break;
      }
      case GraphOp::Fold:
        op.op = vxm_opcode(n.attrs.fold_op);
        if (n.attrs.axes.back() == int64_t(tin(1).shape.size() - 1)) {  // lane blocks
          const uint64_t L = out.shape.back(), C = tin(1).shape.back();
          for (size_t e = 0; e < r.size(); ++e)
            r[e] = num::apply(op, in(0)[e], in(1)[e / L * C + n.attrs.step * L + e % L]);
        } else {
          for (size_t e = 0; e < r.size(); ++e)
            r[e] = num::apply(op, in(0)[e], in(1)[fold_index(tin(1).shape, n.attrs.axes, n.attrs.step, e)]);
        }
        break;
      case GraphOp::Sel:
        for (size_t e = 0; e < r.size(); ++e) {
          auto at = [&](size_t i) { return in(i)[broadcast_index(tin(i).shape, out.shape, e)]; };
          r[e] = num::apply(op, at(1), at(2), at(0));
        }
        break;
      default:
        if (is_binary(n.op)) {
          for (size_t e = 0; e < r.size(); ++e)
            r[e] = num::apply(op, in(0)[broadcast_index(tin(0).shape, out.shape, e)],
                              in(1)[broadcast_index(tin(1).shape, out.shape, e)]);
        } else if (n.op <= GraphOp::Cast) {
          for (size_t e = 0; e < r.size(); ++e) r[e] = num::apply(op, in(0)[e], 0);
        } else {
          throw Error("run_reference: expand() the graph first (" + out.name + ")");
        }
    }
    v[n.output] = std::move(r);
  }
  return v;
}

const image::Symbol& symbol_of(const image::Image& img, const Tensor& t) {
  for (const auto& s : img.symbols)
    if (s.name == t.name) return s;
  throw Error("internal error: no manifest symbol for tensor '" + t.name + "'");
}

std::vector<uint32_t> unpack(const Tensor& t, uint32_t lanes, const std::vector<uint32_t>& raw) {
  const Layout l = layout_of(t, lanes);
  std::vector<uint32_t> out(size_t(l.rows) * l.cols);
  for (uint32_t r = 0; r < l.rows; ++r)
    for (uint32_t c = 0; c < l.cols; ++c) {
      const size_t at = size_t(l.vector_of(r, c)) * lanes + l.lane_of(c);
      if (at >= raw.size()) throw Error("unpack: tensor '" + t.name + "' read back shorter than its layout");
      out[size_t(r) * l.cols + c] = raw[at];
    }
  return out;
}

std::vector<Mismatch> compare_outputs(const Graph& g, const std::vector<std::vector<uint32_t>>& reference,
                                      const std::vector<std::vector<uint32_t>>& got) {
  std::vector<Mismatch> out;
  for (size_t i = 0; i < g.tensors().size(); ++i) {
    if (!g.tensors()[i].output) continue;
    const auto& want = reference[i];
    for (size_t e = 0; e < want.size(); ++e)
      if (e >= got[i].size() || got[i][e] != want[e]) {
        out.push_back({g.tensors()[i].name, e, e < got[i].size() ? got[i][e] : 0, want[e]});
        break;
      }
  }
  return out;
}

}  // namespace tsp::compiler
