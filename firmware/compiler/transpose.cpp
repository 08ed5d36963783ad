#include "firmware/compiler/transpose.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "firmware/compiler/layout.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {
namespace {

// Row-major strides of the leading dimensions (the last one counts lanes, not rows).
std::vector<uint64_t> row_strides(const std::vector<uint32_t>& s) {
  std::vector<uint64_t> st(s.size(), 0);
  uint64_t m = 1;
  for (size_t d = s.size() - 1; d-- > 0;) {
    st[d] = m;
    m *= s[d];
  }
  return st;
}

// With one tile per output vector, the butterfly's groups still run in up to
// this many parts side by side (each part needs three slices of its own),
// each of at least kPartVectors vectors (below, latency dominates: no gain).
constexpr uint32_t kMaxParts = 4, kPartVectors = 128;

uint32_t pow2_at_least(uint32_t n) {
  uint32_t k = 1;
  while (k < n) k *= 2;
  return k;
}

// Where a vector program reads its source: x itself (plane p, vector of an
// internal index by `map`) or an internal tensor (plane 0, index = vector).
struct Source {
  TensorId t = 0;
  uint8_t plane = 0;
  const std::vector<uint32_t>* map = nullptr;
  uint32_t at(uint32_t i) const { return map ? (*map)[i] : i; }
};

class TransposeExpander {
 public:
  TransposeExpander(Graph& g, TensorId x, const std::vector<uint32_t>& perm, const std::string& name, const Where& w,
                    const isa::Config& cfg)
      : g_(g),
        x_(x),
        X_(g.tensor(x)),
        perm_(perm),
        name_(name),
        w_(w),
        L_(cfg.lanes),
        max_parts_(cfg.mem_slices >= 8 * kMaxParts ? kMaxParts : 1) {
    for (uint32_t p : perm) ys_.push_back(X_.shape[p]);
    Tensor y;
    y.shape = ys_;
    ly_ = layout_of(y, L_);
    lx_ = layout_of(X_, L_);
    bytes_ = isa::dtype_desc(X_.dtype).bytes;
  }

  TensorId run() {
    const size_t n = X_.shape.size();
    VecSpec fin;
    std::vector<TensorId> ins;
    if (perm_[n - 1] == n - 1) {
      rows_only();
      for (unsigned p = 0; p < bytes_; ++p) {
        ins.push_back(x_);
        fin.plane.push_back(static_cast<uint8_t>(p));
      }
      for (uint32_t v = 0; v < ly_.vectors(); ++v) fin.rows.push_back({v, isa::Op::SHIFTUP, 0, {{{0, copy_[v]}}}});
      fin.group = 1;
      return g_.add_vecop(name_, ins, X_.dtype, ys_, std::move(fin), w_, X_.pad_zero);
    }
    tiles();
    for (unsigned p = 0; p < bytes_; ++p) plane(p, ins, fin);
    fin.group = static_cast<uint8_t>(ins.size() / bytes_);
    if (R_ % L_ == 0) return g_.add_vecop(name_, ins, X_.dtype, ys_, std::move(fin), w_, true);
    // Lanes past R hold whatever rows past R carried: one more SELECT per
    // vector zeroes them, so the result can be MatMul activations or weights.
    const TensorId pre = g_.add_vecop(name_ + ".pre", ins, X_.dtype, ys_, std::move(fin), w_);
    std::vector<uint32_t> keep, zero(L_, 0);
    for (uint32_t b = 0; b < YB_; ++b)
      for (uint32_t l = 0; l < L_; ++l) keep.push_back(b * L_ + l < R_ ? 0xFF : 0);
    VecSpec pad;
    std::vector<TensorId> pins;
    for (unsigned p = 0; p < bytes_; ++p) {  // a mask and a zero vector per plane: planes run side by side
      pins.push_back(pre);
      pins.push_back(g_.add_const(fmt::format("{}.p{}.keep", name_, p), isa::DType::u8, {YB_, L_}, keep, w_));
      pins.push_back(g_.add_const(fmt::format("{}.p{}.zero", name_, p), isa::DType::u8, {1, L_}, zero, w_));
      pad.plane.insert(pad.plane.end(), {static_cast<uint8_t>(p), 0, 0});
    }
    pad.group = 3;
    for (uint32_t v = 0; v < ly_.vectors(); ++v)
      pad.rows.push_back({v, isa::Op::SELECT, 0, {VecOperand{0, v}, VecOperand{2, 0}, VecOperand{1, v % YB_}}});
    return g_.add_vecop(name_, pins, X_.dtype, ys_, std::move(pad), w_, true);
  }

 private:
  // The last dimension stays: output vector v is input vector copy_[v].
  void rows_only() {
    const auto xst = row_strides(X_.shape), yst = row_strides(ys_);
    copy_.resize(ly_.vectors());
    for (uint32_t yr = 0; yr < ly_.rows; ++yr) {
      uint64_t xr = 0, rest = yr;
      for (size_t d = 0; d + 1 < ys_.size(); ++d) {
        xr += (rest / yst[d]) * xst[perm_[d]];
        rest %= yst[d];
      }
      for (uint32_t b = 0; b < ly_.blocks; ++b) copy_[yr * ly_.blocks + b] = uint32_t(xr) * lx_.blocks + b;
    }
  }

  // The 2-D sub-blocks and the tile geometry.
  void tiles() {
    const size_t n = X_.shape.size();
    a_ = perm_[n - 1];
    q_ = size_t(std::find(perm_.begin(), perm_.end(), n - 1) - perm_.begin());
    R_ = X_.shape[a_];
    C_ = X_.shape[n - 1];
    const uint32_t max_k = L_ & (~L_ + 1);  // largest power of two dividing the lanes
    // Tiles as tall as the rows, however many columns: a wide R x C (a head's
    // 9 x 128 K^T) then runs its butterfly on groups of 16 vectors in 4 stages
    // where groups of 64 took 6, and step 2 shifts its C / K tiles into place
    // (8 heads: 4,949 -> 3,423 cycles). Tiles as wide as a tall one's columns
    // would leave step 2 many pieces per vector ([320, 2] f32: 2,857 -> 8,734).
    K_ = std::min(pow2_at_least(R_), max_k);
    TPL_ = L_ / K_;
    CB_ = lx_.blocks;
    YB_ = ly_.blocks;
    RG_ = (R_ + K_ - 1) / K_;
    per_sb_ = RG_ * CB_ * K_;
    // Sub-blocks: every index of x's leading dimensions other than a_ (x rows
    // xrow + r * xst[a]); the output row of column c is yrow + c * yst[q].
    const auto xst = row_strides(X_.shape), yst = row_strides(ys_);
    std::vector<uint32_t> idx(n, 0);
    for (;;) {
      uint64_t xr = 0, yr = 0;
      for (size_t d = 0; d + 1 < n; ++d) xr += idx[d] * xst[d];
      for (size_t d = 0; d + 1 < n; ++d)
        if (d != q_) yr += idx[perm_[d]] * yst[d];
      xrow0_.push_back(uint32_t(xr));
      yrow0_.push_back(uint32_t(yr));
      size_t d = 0;
      for (; d + 1 < n; ++d) {
        if (d == a_) continue;
        if (++idx[d] < X_.shape[d]) break;
        idx[d] = 0;
      }
      if (d + 1 >= n) break;
    }
    xstride_ = uint32_t(xst[a_]);
    ystride_ = uint32_t(yst[q_]);
    const uint32_t vi = uint32_t(xrow0_.size()) * per_sb_;
    // Internal vector i = (sub-block, row group g, column block cb, row jj in the group).
    xmap_.resize(vi);
    for (uint32_t i = 0; i < vi; ++i) {
      const uint32_t sb = i / per_sb_, rem = i % per_sb_;
      const uint32_t g = rem / (CB_ * K_), cb = (rem / K_) % CB_, jj = rem % K_;
      uint32_t r = g * K_ + jj;
      if (r >= R_) r = 0;  // a row past the data: any vector does, it only reaches padding
      xmap_[i] = (xrow0_[sb] + r * xstride_) * CB_ + cb;
    }
    if (K_ > 1) {
      std::vector<uint32_t> m;
      for (uint32_t k = K_ / 2; k >= 1; k /= 2)
        for (uint32_t l = 0; l < L_; ++l) m.push_back((l % K_) & k ? 0xFF : 0);
      bvals_ = std::move(m);  // one copy per plane and part (bmask()): they run side by side
    }
    if (std::min(TPL_, RG_) > 1) {
      std::vector<uint32_t> m;
      for (uint32_t a = 0; a < TPL_; ++a)
        for (uint32_t l = 0; l < L_; ++l) m.push_back(l / K_ == a ? 0xFF : 0);
      for (unsigned p = 0; p < bytes_; ++p)
        tmask_.push_back(g_.add_const(fmt::format("{}.p{}.tmask", name_, p), isa::DType::u8, {TPL_, L_}, m, w_));
    }
  }

  TensorId internal(const std::string& tag, unsigned p, std::vector<TensorId> in, std::vector<uint8_t> planes,
                    VecSpec s, uint32_t vectors) {
    s.group = static_cast<uint8_t>(in.size());
    s.plane = std::move(planes);
    return g_.add_vecop(fmt::format("{}.p{}.{}", name_, p, tag), std::move(in), isa::DType::u8, {vectors, L_},
                        std::move(s), w_);
  }
  // The last program writes every plane of the result: plane p's group of
  // inputs (and the planes read) go to `ins`/`fin`, its rows once.
  void last(std::vector<TensorId> in, std::vector<uint8_t> planes, VecSpec s, std::vector<TensorId>& ins,
            VecSpec& fin) {
    ins.insert(ins.end(), in.begin(), in.end());
    fin.plane.insert(fin.plane.end(), planes.begin(), planes.end());
    if (fin.rows.empty()) fin.rows = std::move(s.rows);
  }

  // Step 2's rows for tile a, reading the butterfly's result through `src`
  // (indexed by `local` when the butterfly ran in parts, part a holding row groups g = a mod parts).
  VecSpec pieces(uint32_t a, const Source& src, const std::vector<uint32_t>* local = nullptr) const {
    VecSpec s;
    for (uint32_t sb = 0; sb < xrow0_.size(); ++sb)
      for (uint32_t yb = 0; yb < YB_; ++yb)
        for (uint32_t c = 0; c < C_; ++c) {
          uint32_t g = yb * TPL_ + a;
          if (g >= RG_) g = a;  // no such rows: garbage lands in padding lanes (a < RG: a row of part a)
          const uint32_t ct = c / K_, jj = c % K_, cb = ct / TPL_, t = ct % TPL_;
          const int64_t delta = (int64_t(a) - int64_t(t)) * K_;
          const uint32_t i = sb * per_sb_ + (g * CB_ + cb) * K_ + jj;
          s.rows.push_back({(yrow0_[sb] + c * ystride_) * YB_ + yb,
                            delta >= 0 ? isa::Op::SHIFTUP : isa::Op::SHIFTDN,
                            uint16_t(delta >= 0 ? delta : -delta),
                            {{{0, src.at(local ? (*local)[i] : i)}}}});
        }
    return s;
  }

  // The butterfly mask constant of plane p, part q.
  TensorId bmask(unsigned p, uint32_t q) {
    return g_.add_const(fmt::format("{}.p{}.q{}.bmask", name_, p, q), isa::DType::u8,
                        {uint32_t(bvals_.size()) / L_, L_}, bvals_, w_);
  }

  void plane(unsigned p, std::vector<TensorId>& ins, VecSpec& fin) {
    const uint32_t vi = uint32_t(xmap_.size());
    const uint32_t A = std::min(TPL_, RG_);
    // One tile per output vector, never shifted: step 2 only renumbers vectors,
    // so the last butterfly stage writes the result directly.
    bool fold = A == 1 && K_ > 1;
    const VecSpec direct = pieces(0, Source{});
    for (const VecRow& r : direct.rows) fold = fold && r.lanes == 0;
    // The butterfly runs in parts side by side, each on slices of its own:
    // with A > 1 pieces, part a on the row groups g = a mod A, so that piece a
    // reads part a alone; with one, groups of K vectors dealt round up to kMaxParts.
    const uint32_t P = A > 1 ? A : K_ > 1 ? std::max(1u, std::min({vi / K_, max_parts_, vi / kPartVectors})) : 1;
    std::vector<std::vector<uint32_t>> part(P);
    std::vector<uint32_t> local(vi), part_of(vi);
    for (uint32_t i = 0; i < vi; ++i) {
      part_of[i] = A > 1 ? (i % per_sb_) / (CB_ * K_) % A : i / K_ % P;
      local[i] = uint32_t(part[part_of[i]].size());
      part[part_of[i]].push_back(i);
    }
    std::vector<Source> done(P);
    std::vector<std::vector<VecRow>> last_sel(P);  // fold: each part's last SELECTs, by local index
    std::vector<TensorId> fold_in;
    std::vector<uint8_t> fold_planes;
    for (uint32_t q = 0; q < P; ++q) {
      const uint32_t n = uint32_t(part[q].size());
      auto& xm = xmaps_.emplace_back(n);
      for (uint32_t li = 0; li < n; ++li) xm[li] = xmap_[part[q][li]];
      Source src{x_, static_cast<uint8_t>(p), &xm};
      const TensorId mask = K_ > 1 ? bmask(p, q) : 0;
      uint32_t stage = 0;
      for (uint32_t k = K_ / 2; k >= 1; k /= 2, ++stage) {
        // Rows with bit k clear take their partner shifted up, rows with it set
        // shifted down; ordered by residue mod 2k so runs have one stride.
        VecSpec sh, sel;
        for (uint32_t cls = 0; cls < 2; ++cls)
          for (uint32_t res = 0; res < k; ++res)
            for (uint32_t i = res + cls * k; i < n; i += 2 * k) {
              sh.rows.push_back({i, cls ? isa::Op::SHIFTDN : isa::Op::SHIFTUP, uint16_t(k), {{{0, src.at(i ^ k)}}}});
              const VecOperand own{0, src.at(i)}, moved{1, i};
              sel.rows.push_back({i, isa::Op::SELECT, 0, {cls ? own : moved, cls ? moved : own, VecOperand{2, stage}}});
            }
        const std::string tag = P > 1 ? fmt::format("q{}.", q) : "";
        const TensorId s = internal(fmt::format("{}s{}", tag, k), p, {src.t}, {src.plane}, std::move(sh), n);
        if (fold && k == 1) {
          last_sel[q].resize(n);
          for (VecRow r : sel.rows) {
            for (auto& o : r.in) o.input = static_cast<uint8_t>(o.input + 3 * q);
            last_sel[q][r.out] = r;
          }
          fold_in.insert(fold_in.end(), {src.t, s, mask});
          fold_planes.insert(fold_planes.end(), {src.plane, 0, 0});
          break;
        }
        const TensorId b =
            internal(fmt::format("{}b{}", tag, k), p, {src.t, s, mask}, {src.plane, 0, 0}, std::move(sel), n);
        src = Source{b, 0, nullptr};
      }
      done[q] = src;
    }
    if (fold) {  // the last stage of every part writes the result
      VecSpec out;
      for (const VecRow& r : direct.rows) {
        const uint32_t i = r.in[0].vector;
        out.rows.push_back(last_sel[part_of[i]].at(local[i]));
        out.rows.back().out = r.out;
      }
      return last(fold_in, fold_planes, std::move(out), ins, fin);
    }
    if (A == 1) {  // one piece: each row from its part
      VecSpec out = pieces(0, Source{});
      std::vector<TensorId> in;
      std::vector<uint8_t> planes;
      for (uint32_t q = 0; q < P; ++q) {
        in.push_back(done[q].t);
        planes.push_back(done[q].plane);
      }
      for (VecRow& r : out.rows) {
        const uint32_t i = r.in[0].vector;
        r.in[0] = VecOperand{static_cast<uint8_t>(part_of[i]), done[part_of[i]].at(local[i])};
      }
      return last(in, planes, std::move(out), ins, fin);
    }
    // Tiles to their places: output vector (c, yb) takes tile a from row group g = yb * TPL + a.
    TensorId acc = 0;
    for (uint32_t a = 0; a < A; ++a) {
      VecSpec s = pieces(a, done[a], &local);
      const TensorId piece =
          internal(fmt::format("t{}", a), p, {done[a].t}, {done[a].plane}, std::move(s), ly_.vectors());
      if (a == 0) {
        acc = piece;
        continue;
      }
      VecSpec m;
      for (uint32_t v = 0; v < ly_.vectors(); ++v)
        m.rows.push_back({v, isa::Op::SELECT, 0, {VecOperand{0, v}, VecOperand{1, v}, VecOperand{2, a}}});
      if (a + 1 == A) return last({piece, acc, tmask_[p]}, {0, 0, 0}, std::move(m), ins, fin);
      acc = internal(fmt::format("m{}", a), p, {piece, acc, tmask_[p]}, {0, 0, 0}, std::move(m), ly_.vectors());
    }
  }

  Graph& g_;
  TensorId x_;
  Tensor X_;  // a copy: adding tensors moves the graph's
  std::vector<uint32_t> perm_, ys_;
  std::string name_;
  Where w_;
  uint32_t L_;
  uint32_t max_parts_;
  Layout lx_, ly_;
  unsigned bytes_ = 1;
  std::vector<uint32_t> copy_;
  size_t a_ = 0, q_ = 0;
  uint32_t R_ = 1, C_ = 1, K_ = 1, TPL_ = 1, CB_ = 1, YB_ = 1, RG_ = 1, per_sb_ = 1, xstride_ = 0, ystride_ = 0;
  std::vector<uint32_t> xrow0_, yrow0_, xmap_;
  std::vector<uint32_t> bvals_;              // the butterfly masks, one row per stage
  std::vector<TensorId> tmask_;              // per plane
  std::deque<std::vector<uint32_t>> xmaps_;  // per part: x's vector of each part-local index (Sources point here)
};

}  // namespace

TensorId expand_transpose(Graph& out, TensorId x, const std::vector<uint32_t>& perm, const std::string& name,
                          const Where& where, const isa::Config& cfg) {
  return TransposeExpander(out, x, perm, name, where, cfg).run();
}

}  // namespace tsp::compiler
