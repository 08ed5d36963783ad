#include "firmware/compiler/reference.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "common/error.hpp"
#include "common/numerics/mxm.hpp"
#include "common/numerics/vxm.hpp"
#include "firmware/compiler/layout.hpp"
#include "firmware/compiler/lower.hpp"
#include "firmware/compiler/ops.hpp"
#include "firmware/compiler/vecop.hpp"

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

ReferenceRun::ReferenceRun(const Graph& g, uint32_t mxm_dim, uint32_t lanes)
    : g_(g), mxm_dim_(mxm_dim), lanes_(lanes ? lanes : mxm_dim), v_(g.tensors().size()) {
  for (size_t i = 0; i < g.tensors().size(); ++i) v_[i] = g.tensors()[i].data.copy();
}

size_t ReferenceRun::run_to_collective() {
  for (; next_ < g_.nodes().size(); ++next_) {
    if (op_info(g_.nodes()[next_].op).kind == OpKind::Collective) return next_;
    step(g_.nodes()[next_]);
  }
  return next_;
}

void ReferenceRun::set(std::vector<uint32_t> value) {
  const Node& n = g_.nodes().at(next_++);
  if (value.size() != g_.tensor(n.output).elements())
    throw Error("internal error: a collective's reference value of '" + g_.tensor(n.output).name + "' has " +
                std::to_string(value.size()) + " elements");
  v_[n.output] = std::move(value);
}

std::vector<std::vector<uint32_t>> run_reference(const Graph& g, uint32_t mxm_dim, uint32_t lanes) {
  ReferenceRun run(g, mxm_dim, lanes);
  if (run.run_to_collective() != g.nodes().size())
    throw Error("run_reference: " + g.tensor(g.nodes()[run.next()].output).name +
                " gathers other chips' values: one chip's graph has no reference of its own (system.hpp)");
  return std::move(run.values());
}

void ReferenceRun::step(const Node& n) {
  const Graph& g = g_;
  const uint32_t mxm_dim = mxm_dim_, lanes = lanes_;
  auto& v = v_;
  const Tensor& out = g.tensor(n.output);
  const OpKind kind = op_info(n.op).kind;
  if (kind == OpKind::Composite) throw Error("run_reference: expand() the graph first (" + out.name + ")");
  if (kind == OpKind::VecOp) {  // on vector images, lane by lane as the SXM does, plane by plane
    std::vector<uint32_t> r(out.elements(), 0);
    const uint8_t gsz = n.vec->group;
    for (size_t p = 0; p * gsz < n.inputs.size(); ++p) {
      std::vector<std::vector<uint8_t>> in, hi;  // hi: the next plane (PERMUTE's maps are i16)
      for (size_t i = p * gsz; i < (p + 1) * gsz; ++i) {
        const Tensor& t = g.tensor(n.inputs[i]);
        in.push_back(vector_image(t, v[n.inputs[i]], n.vec->plane[i], lanes));
        hi.push_back(isa::dtype_desc(t.dtype).bytes > 1u + n.vec->plane[i]
                         ? vector_image(t, v[n.inputs[i]], n.vec->plane[i] + 1u, lanes)
                         : std::vector<uint8_t>());
      }
      std::vector<uint8_t> img(size_t(layout_of(out, lanes).vectors()) * lanes, 0);
      for (const VecRow& row : n.vec->rows) {
        std::array<const uint8_t*, 4> src{};
        for (unsigned o = 0; o < row.operands(); ++o)
          src[o] = &in.at(row.in[o].input).at(size_t(row.in[o].vector) * lanes);
        if (row.op == isa::Op::PERMUTE) src[3] = &hi.at(row.in[1].input).at(size_t(row.in[1].vector) * lanes);
        apply_vec_row(row, src, &img.at(size_t(row.out) * lanes), lanes);
      }
      const auto bytes = from_image(out, img, lanes);
      for (size_t e = 0; e < r.size(); ++e) r[e] |= bytes[e] << (8 * p);
    }
    v[n.output] = std::move(r);
    return;
  }
  if (kind == OpKind::GatherRows) {  // the vector at map's address - base (every lane holds it)
    const Tensor& d = g.tensor(n.inputs[0]);
    const Layout ld = layout_of(d, lanes), ly = layout_of(out, lanes);
    const auto& map = v[n.inputs[1]];
    const uint32_t base = v[n.inputs[2]].at(0);
    std::vector<uint32_t> r(out.elements(), 0);
    for (unsigned p = 0; p < isa::dtype_desc(d.dtype).bytes; ++p) {
      const auto src = vector_image(d, v[n.inputs[0]], p, lanes);
      std::vector<uint8_t> img(size_t(ly.vectors()) * lanes, 0);
      for (uint32_t k = 0; k < ly.vectors(); ++k) {
        const uint32_t at = map.at(size_t(k) * lanes) - base;
        for (uint32_t l = 0; l < lanes; ++l)
          if (map.at(size_t(k) * lanes + l) != map.at(size_t(k) * lanes) || at >= ld.vectors())
            throw Error("internal error: gather map of '" + out.name + "' is not one address in its data");
        std::copy_n(&src[size_t(at) * lanes], lanes, &img[size_t(k) * lanes]);
      }
      const auto bytes = from_image(out, img, lanes);
      for (size_t e = 0; e < r.size(); ++e) r[e] |= bytes[e] << (8 * p);
    }
    v[n.output] = std::move(r);
    return;
  }
  auto in = [&](size_t i) -> const std::vector<uint32_t>& { return v[n.inputs.at(i)]; };
  auto tin = [&](size_t i) -> const Tensor& { return g.tensor(n.inputs.at(i)); };
  std::vector<uint32_t> r(out.elements());
  num::VxmOp op;
  op.op = vxm_opcode(n.op);
  op.type = out.dtype;
  op.from = tin(0).dtype;
  switch (kind) {
    case OpKind::MatMul: {  // x's leading dimensions stack into rows
      const uint32_t K = tin(0).shape.back();
      r = matmul(tin(0).dtype, tin(1).dtype, uint32_t(tin(0).elements() / K), K, tin(1).shape[1], in(0), in(1),
                 tin(1).shape[1], mxm_dim);
      break;
    }
    case OpKind::BatchMatMul: {  // batch element b: x's batch_x[b] times input batch_w[b]
      const uint32_t K = tin(0).shape.back(), M = tin(0).shape[tin(0).shape.size() - 2], N = out.shape.back();
      for (size_t b = 0; b < n.attrs.batch_x.size(); ++b) {
        const auto x0 = in(0).begin() + int64_t(n.attrs.batch_x[b]) * M * K;
        const std::vector<uint32_t> xb(x0, x0 + int64_t(M) * K);
        const auto y =
            matmul(tin(0).dtype, tin(n.attrs.batch_w[b]).dtype, M, K, N, xb, in(n.attrs.batch_w[b]), N, mxm_dim);
        std::copy(y.begin(), y.end(), r.begin() + int64_t(b) * M * N);
      }
      break;
    }
    case OpKind::LaneSum: {  // one column of ones: every column's sum is the same
      const uint32_t K = tin(0).shape.back(), rows = tin(1).shape[0], cols = tin(1).shape[1];
      std::vector<uint32_t> ones(K);  // column 0, its rows repeated for every K block (lower.cpp)
      for (uint32_t k = 0; k < K; ++k) ones[k] = in(1)[size_t(k % rows) * cols];
      r = matmul(tin(0).dtype, tin(1).dtype, uint32_t(tin(0).elements() / K), K, 1, in(0), ones, 1, mxm_dim);
      break;
    }
    case OpKind::Alias:
      r = in(0);
      break;
    case OpKind::Permute: {
      const uint32_t C = tin(0).shape.back(), N = out.shape.back();
      for (size_t e = 0; e < r.size(); ++e) r[e] = in(0)[e / N * C + n.attrs.offset + in(1)[e % N]];
      break;
    }
    case OpKind::Fold:
      op.op = vxm_opcode(n.attrs.fold_op);
      if (n.attrs.axes.back() == int64_t(tin(1).shape.size() - 1)) {  // lane blocks
        const uint64_t L = out.shape.back(), C = tin(1).shape.back();
        for (size_t e = 0; e < r.size(); ++e)
          r[e] = num::apply(op, in(0)[e], in(1)[e / L * C + n.attrs.offset + n.attrs.step * L + e % L]);
      } else {
        for (size_t e = 0; e < r.size(); ++e)
          r[e] = num::apply(op, in(0)[e], in(1)[fold_index(tin(1).shape, n.attrs.axes, n.attrs.step, e)]);
      }
      break;
    case OpKind::Select:
      for (size_t e = 0; e < r.size(); ++e) {
        auto at = [&](size_t i) { return in(i)[broadcast_index(tin(i).shape, out.shape, e)]; };
        r[e] = num::apply(op, at(1), at(2), at(0));
      }
      break;
    case OpKind::Binary:
      for (size_t e = 0; e < r.size(); ++e)
        r[e] = num::apply(op, in(0)[broadcast_index(tin(0).shape, out.shape, e)],
                          in(1)[broadcast_index(tin(1).shape, out.shape, e)]);
      break;
    case OpKind::Unary:
      for (size_t e = 0; e < r.size(); ++e) r[e] = num::apply(op, in(0)[e], 0);
      break;
    case OpKind::Composite:
    case OpKind::VecOp:
    case OpKind::GatherRows:  // handled above
    case OpKind::Collective:
      throw Error("internal error: run_reference reached " + std::string(op_name(n.op)));
  }
  v[n.output] = std::move(r);
}

double ieee_value(isa::DType t, uint32_t bits) {
  switch (t) {
    case isa::DType::f32:
      return double(std::bit_cast<float>(bits));
    case isa::DType::bf16:
      return double(std::bit_cast<float>(bits << 16));
    case isa::DType::f16: {
      const int e = int(bits >> 10) & 0x1F;
      const double frac = double(bits & 0x3FF);
      const double mag =
          e == 0    ? std::ldexp(frac, -24)
          : e == 31 ? (frac ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity())
                    : std::ldexp(1024.0 + frac, e - 25);
      return (bits & 0x8000) ? -mag : mag;
    }
    case isa::DType::i8:
      return double(int8_t(bits));
    case isa::DType::i16:
      return double(int16_t(bits));
    case isa::DType::i32:
      return double(int32_t(bits));
    default:
      return double(bits);
  }
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
