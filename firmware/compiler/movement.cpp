#include "firmware/compiler/movement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/layout.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

// Lanes [lo, hi) of a result vector come from input vector `vector` of input
// `input`, moved `shift` lanes up (negative: down).
struct Piece {
  uint32_t input = 0, vector = 0;
  int32_t shift = 0;
  uint32_t lo = 0, hi = 0;
};

uint64_t product(const std::vector<uint32_t>& s, size_t from, size_t to) {
  uint64_t n = 1;
  for (size_t d = from; d < to; ++d) n *= s[d];
  return n;
}

// Pad's constant as an element of `t`: floats rounded to nearest, integers wrapped to the width.
uint32_t value_bits(isa::DType t, double v) {
  if (t == isa::DType::f16) return num::from_double<num::kF16>(v);
  if (t == isa::DType::bf16) return num::from_double<num::kBF16>(v);
  if (t == isa::DType::f32) return num::from_double<num::kF32>(v);
  const unsigned bits = 8 * isa::dtype_desc(t).bytes;
  const auto i = uint64_t(int64_t(v));
  return uint32_t(bits == 32 ? i : i & ((uint64_t(1) << bits) - 1));
}

VecRow shift_row(uint32_t out, const Piece& p, uint8_t operand) {
  return {out,
          p.shift >= 0 ? isa::Op::SHIFTUP : isa::Op::SHIFTDN,
          static_cast<uint16_t>(p.shift >= 0 ? p.shift : -p.shift),
          {{{operand, p.vector}}}};
}

}  // namespace

TensorId expand_move(Graph& g, const std::vector<TensorId>& inputs, isa::DType dtype, std::vector<uint32_t> shape,
                     const MoveMap& map, uint32_t fill, const std::string& name, const Where& where,
                     const isa::Config& cfg) {
  const uint32_t L = cfg.lanes;
  Tensor yt;
  yt.shape = shape;
  const Layout ly = layout_of(yt, L);
  std::vector<Layout> lx;
  bool pad_zero = true;
  for (TensorId t : inputs) {
    lx.push_back(layout_of(g.tensor(t), L));
    pad_zero = pad_zero && g.tensor(t).pad_zero;
    if (g.tensor(t).dtype != dtype) throw Error("internal error: a movement mixes element types");
  }
  const unsigned bytes = isa::dtype_desc(dtype).bytes;
  // The pieces of every result vector.
  std::vector<std::vector<Piece>> pieces(ly.vectors());
  bool copies = true;  // every vector one whole unshifted input vector
  for (uint32_t r = 0; r < ly.rows; ++r)
    for (uint32_t b = 0; b < ly.blocks; ++b) {
      const uint32_t v = r * ly.blocks + b, valid = std::min(L, ly.cols - b * L);
      auto& ps = pieces[v];
      for (uint32_t l = 0; l < valid; ++l) {
        const MoveSource s = map(r, b * L + l);
        if (s.input < 0) continue;
        const Layout& li = lx.at(size_t(s.input));
        if (s.row >= li.rows || s.col >= li.cols) throw Error("internal error: a movement reads past its input");
        const Piece p{uint32_t(s.input), li.vector_of(s.row, s.col), int32_t(l) - int32_t(li.lane_of(s.col)), l, l + 1};
        if (!ps.empty() && ps.back().input == p.input && ps.back().vector == p.vector && ps.back().shift == p.shift &&
            ps.back().hi == l)
          ps.back().hi = l + 1;
        else
          ps.push_back(p);
      }
      const Layout* li = ps.size() == 1 ? &lx[ps[0].input] : nullptr;
      copies = copies && li && ps[0].shift == 0 && ps[0].lo == 0 && ps[0].hi == valid &&
               std::min(L, li->cols - (ps[0].vector % li->blocks) * L) == valid;
    }
  const auto n_in = static_cast<uint8_t>(inputs.size());
  if (copies) {  // whole vectors: one SXM copy each (their padding lanes come along)
    VecSpec s;
    std::vector<TensorId> ins;
    for (unsigned p = 0; p < bytes; ++p)
      for (TensorId t : inputs) {
        ins.push_back(t);
        s.plane.push_back(static_cast<uint8_t>(p));
      }
    s.group = n_in;
    for (uint32_t v = 0; v < ly.vectors(); ++v)
      s.rows.push_back(shift_row(v, pieces[v][0], uint8_t(pieces[v][0].input)));
    return g.add_vecop(name, std::move(ins), dtype, std::move(shape), std::move(s), where, pad_zero);
  }
  size_t stages = 0;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> mask_of;  // lane range -> mask vector
  for (const auto& ps : pieces) {
    stages = std::max(stages, ps.size());
    for (const Piece& p : ps) mask_of.try_emplace({p.lo, p.hi}, uint32_t(mask_of.size()));
  }
  std::vector<uint32_t> maskv(mask_of.size() * L, 0);
  for (const auto& [range, i] : mask_of)
    for (uint32_t l = range.first; l < range.second; ++l) maskv[size_t(i) * L + l] = 0xFF;
  VecSpec fin;
  std::vector<TensorId> fin_in;
  for (unsigned p = 0; p < bytes; ++p) {
    // Per plane its own mask and fill constants: the planes run side by side.
    const TensorId mask =
        g.add_const(fmt::format("{}.p{}.mask", name, p), isa::DType::u8, {uint32_t(mask_of.size()), L}, maskv, where);
    std::vector<uint32_t> fillv(size_t(ly.blocks) * L, 0);
    for (uint32_t b = 0; b < ly.blocks; ++b)
      for (uint32_t l = 0; l < std::min(L, ly.cols - b * L); ++l) fillv[size_t(b) * L + l] = (fill >> (8 * p)) & 0xFF;
    TensorId prev = g.add_const(fmt::format("{}.p{}.fill", name, p), isa::DType::u8, {ly.blocks, L}, fillv, where);
    bool prev_is_fill = true;
    for (size_t st = 0; st < stages; ++st) {
      VecSpec sh;
      std::vector<uint32_t> local(ly.vectors(), 0);
      uint32_t n = 0;
      for (uint32_t v = 0; v < ly.vectors(); ++v)
        if (pieces[v].size() > st) {
          local[v] = n;
          sh.rows.push_back(shift_row(n++, pieces[v][st], uint8_t(pieces[v][st].input)));
        }
      std::vector<TensorId> sin(inputs);
      sh.group = n_in;
      sh.plane.assign(inputs.size(), static_cast<uint8_t>(p));
      const TensorId moved = g.add_vecop(fmt::format("{}.p{}.s{}", name, p, st), std::move(sin), isa::DType::u8, {n, L},
                                         std::move(sh), where);
      VecSpec m;
      m.group = 3;
      m.plane = {0, 0, 0};
      for (uint32_t v = 0; v < ly.vectors(); ++v) {
        const VecOperand before{1, prev_is_fill ? v % ly.blocks : v};
        if (pieces[v].size() > st) {
          const Piece& pc = pieces[v][st];
          m.rows.push_back(
              {v, isa::Op::SELECT, 0, {VecOperand{0, local[v]}, before, VecOperand{2, mask_of.at({pc.lo, pc.hi})}}});
        } else {
          m.rows.push_back({v, isa::Op::SHIFTUP, 0, {before}});
        }
      }
      // Runs: the SELECTs first, then the copies (each kind's indices advance together).
      std::stable_sort(m.rows.begin(), m.rows.end(), [](const VecRow& a, const VecRow& b) {
        return a.op == isa::Op::SELECT && b.op != isa::Op::SELECT;
      });
      if (st + 1 == stages) {
        fin_in.insert(fin_in.end(), {moved, prev, mask});
        fin.plane.insert(fin.plane.end(), {0, 0, 0});
        if (fin.rows.empty()) fin.rows = std::move(m.rows);
        break;
      }
      prev = g.add_vecop(fmt::format("{}.p{}.m{}", name, p, st), {moved, prev, mask}, isa::DType::u8, {ly.vectors(), L},
                         std::move(m), where);
      prev_is_fill = false;
    }
  }
  fin.group = 3;
  return g.add_vecop(name, std::move(fin_in), dtype, std::move(shape), std::move(fin), where, true);
}

TensorId expand_concat(Graph& g, const std::vector<TensorId>& inputs, uint32_t axis, const std::string& name,
                       const Where& where, const isa::Config& cfg) {
  const Tensor& x0 = g.tensor(inputs[0]);
  std::vector<uint32_t> shape = x0.shape;
  const size_t rank = shape.size();
  std::vector<uint32_t> start;  // each input's first index on `axis`
  uint32_t n = 0;
  for (TensorId t : inputs) {
    start.push_back(n);
    n += g.tensor(t).shape[axis];
  }
  shape[axis] = n;
  const isa::DType dt = x0.dtype;
  // Result row r, column c: split the row into (outer, index on axis, inner) when axis is a leading one.
  const uint64_t inner = axis + 1 < rank ? product(shape, axis + 1, rank - 1) : 1;
  std::vector<uint32_t> dims;  // per input: its size on axis
  for (TensorId t : inputs) dims.push_back(g.tensor(t).shape[axis]);
  const bool last = axis + 1 == rank;
  const MoveMap map = [=](uint32_t r, uint32_t c) -> MoveSource {
    const uint32_t i = last ? c : uint32_t(r / inner % n);
    const size_t k = size_t(std::upper_bound(start.begin(), start.end(), i) - start.begin()) - 1;
    if (last) return {int32_t(k), r, c - start[k]};
    const uint64_t outer = r / inner / n, in = r % inner;
    return {int32_t(k), uint32_t((outer * dims[k] + (i - start[k])) * inner + in), c};
  };
  return expand_move(g, inputs, dt, shape, map, 0, name, where, cfg);
}

TensorId expand_slice(Graph& g, TensorId x, const Attrs& at, const std::string& name, const Where& where,
                      const isa::Config& cfg) {
  const Tensor& t = g.tensor(x);
  const size_t rank = t.shape.size();
  std::vector<int64_t> start(rank, 0), step(rank, 1);
  std::vector<uint32_t> shape = t.shape;
  for (size_t i = 0; i < at.axes.size(); ++i) {
    const size_t d = size_t(at.axes[i]);
    start[d] = at.starts[i];
    step[d] = at.steps[i];
    const int64_t s = at.steps[i];
    shape[d] = uint32_t(s > 0 ? (at.ends[i] - at.starts[i] + s - 1) / s : (at.starts[i] - at.ends[i] - s - 1) / -s);
  }
  const std::vector<uint32_t> xs = t.shape;
  const MoveMap map = [=](uint32_t r, uint32_t c) -> MoveSource {
    uint64_t xr = 0, rest = r;
    for (size_t d = 0; d + 1 < rank; ++d) {
      const uint64_t below = product(shape, d + 1, rank - 1);
      const int64_t i = int64_t(rest / below);
      rest %= below;
      xr = xr * xs[d] + uint64_t(start[d] + i * step[d]);
    }
    return {0, uint32_t(xr), uint32_t(start[rank - 1] + int64_t(c) * step[rank - 1])};
  };
  return expand_move(g, {x}, t.dtype, shape, map, 0, name, where, cfg);
}

TensorId expand_pad(Graph& g, TensorId x, const Attrs& at, const std::string& name, const Where& where,
                    const isa::Config& cfg) {
  const Tensor& t = g.tensor(x);
  const size_t rank = t.shape.size();
  std::vector<uint32_t> shape = t.shape;
  for (size_t d = 0; d < rank; ++d) shape[d] += uint32_t(at.pads[d] + at.pads[rank + d]);
  const std::vector<uint32_t> xs = t.shape;
  const std::vector<int64_t> pads = at.pads;
  const MoveMap map = [=](uint32_t r, uint32_t c) -> MoveSource {
    uint64_t xr = 0, rest = r;
    for (size_t d = 0; d + 1 < rank; ++d) {
      const uint64_t below = product(shape, d + 1, rank - 1);
      const int64_t i = int64_t(rest / below) - pads[d];
      rest %= below;
      if (i < 0 || i >= int64_t(xs[d])) return {};
      xr = xr * xs[d] + uint64_t(i);
    }
    const int64_t col = int64_t(c) - pads[rank - 1];
    if (col < 0 || col >= int64_t(xs[rank - 1])) return {};
    return {0, uint32_t(xr), uint32_t(col)};
  };
  const uint32_t fill = value_bits(t.dtype, at.value);
  return expand_move(g, {x}, t.dtype, shape, map, fill, name, where, cfg);
}

bool reshape_moves(const std::vector<uint32_t>& from, const std::vector<uint32_t>& to) {
  return from.back() != to.back() && !(product(from, 0, from.size() - 1) == 1 && product(to, 0, to.size() - 1) == 1);
}

TensorId expand_reshape(Graph& g, TensorId x, std::vector<uint32_t> shape, const std::string& name, const Where& where,
                        const isa::Config& cfg) {
  const Tensor& t = g.tensor(x);
  const uint32_t xc = t.shape.back(), yc = shape.back();
  const MoveMap map = [=](uint32_t r, uint32_t c) -> MoveSource {
    const uint64_t e = uint64_t(r) * yc + c;
    return {0, uint32_t(e / xc), uint32_t(e % xc)};
  };
  return expand_move(g, {x}, t.dtype, std::move(shape), map, 0, name, where, cfg);
}

TensorId expand_batch_matmul(Graph& g, TensorId x, TensorId w, const std::string& name, const Where& where,
                             const isa::Config& cfg) {
  const std::vector<uint32_t> xs = g.tensor(x).shape, ws = g.tensor(w).shape;
  const std::vector<uint32_t> xb(xs.begin(), xs.end() - 2), wb(ws.begin(), ws.end() - 2);
  if (wb.empty()) return g.add(GraphOp::MatMul, name, {x, w}, where);  // x's rows stack: one MatMul
  std::vector<uint32_t> batch = xb.empty() ? wb : *broadcast_shape(xb, wb);
  const uint32_t K = ws[ws.size() - 2], N = ws.back(), M = xs[xs.size() - 2];
  const uint64_t B = product(batch, 0, batch.size());
  Attrs at;
  at.shape = batch;
  at.shape.push_back(M);
  at.shape.push_back(N);
  std::vector<TensorId> ins{x};
  std::map<uint64_t, uint32_t> input_of;  // w's batch element -> input
  const Tensor wt = g.tensor(w);  // a copy: adding tensors moves the graph's
  for (uint64_t b = 0; b < B; ++b) {
    const uint64_t xi = xb.empty() ? 0 : broadcast_index(xb, batch, b), wi = broadcast_index(wb, batch, b);
    auto it = input_of.find(wi);
    if (it == input_of.end()) {
      const std::string wname = fmt::format("{}.w{}", name, wi);
      TensorId part;
      if (wt.kind == TensorKind::Const) {  // split on the host: a weight like any other (striped)
        const auto first = wt.data.begin() + int64_t(wi * K * N);
        part = g.add_const(wname, wt.dtype, {K, N}, std::vector<uint32_t>(first, first + int64_t(K) * N), where);
      } else {  // computed on the chip (or an input): its rows copied into a weight of their own
        const uint32_t row0 = uint32_t(wi * K);
        part = expand_move(
            g, {w}, wt.dtype, {K, N},
            [=](uint32_t r, uint32_t c) {
              return MoveSource{0, row0 + r, c};
            },
            0, wname, where, cfg);
      }
      it = input_of.emplace(wi, uint32_t(ins.size())).first;
      ins.push_back(part);
    }
    at.batch_x.push_back(uint32_t(xi));
    at.batch_w.push_back(it->second);
  }
  return g.add(GraphOp::BatchMatMul, name, std::move(ins), where, std::nullopt, std::move(at));
}

}  // namespace tsp::compiler
