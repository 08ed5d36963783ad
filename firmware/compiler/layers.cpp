#include "firmware/compiler/layers.hpp"

#include <fmt/format.h>

#include <cmath>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/layer_ops.hpp"

namespace tsp::compiler {

using isa::DType;

TensorId add_decoder(Graph& g, const DecoderSpec& s, const Where& where) {
  const uint32_t D = s.dim, H = s.heads, F = s.ffn, T = s.cache;
  if (!H || D % H || (D / H) % 2 || !F || !D)
    throw Error(fmt::format("{}: error: decoder: dim {} must split into {} heads of an even size", where.str(), D, H));
  const uint32_t dh = D / H, P = T + 1;
  LayerBuilder b(g, where, s.seed);

  const TensorId x = b.input_f32("x", {1, D}, 1.0);
  const TensorId g1 = b.const_f32("g1", {D}, b.gains(D));
  const TensorId g2 = b.const_f32("g2", {D}, b.gains(D));

  // Attention: one quantised xn feeds every head's projections.
  const TensorId xn = b.op(GraphOp::RmsNorm, "xn", {x, g1}, s.epsilon);
  const Quant xq = b.quantise("xn", xn);

  // RoPE tables for position T; q's carry 1/sqrt(dh) (the score scale).
  std::vector<double> cos_t(dh), sin_t(dh), cos_q(dh), sin_q(dh);
  for (uint32_t i = 0; i < dh; ++i) {
    const double freq = std::pow(s.rope_theta, -2.0 * (i % (dh / 2)) / dh);
    cos_t[i] = std::cos(T * freq);
    sin_t[i] = std::sin(T * freq);
    cos_q[i] = cos_t[i] / std::sqrt(double(dh));
    sin_q[i] = sin_t[i] / std::sqrt(double(dh));
  }
  const TensorId cq = b.const_f32("rope.cos.q", {dh}, cos_q), sq = b.const_f32("rope.sin.q", {dh}, sin_q);
  const TensorId ck = b.const_f32("rope.cos", {dh}, cos_t), sk = b.const_f32("rope.sin", {dh}, sin_t);

  std::vector<double> eye(size_t(dh) * dh, 0.0), lane_t(P, 0.0), row_t(P, 0.0);
  for (uint32_t i = 0; i < dh; ++i) eye[size_t(i) * dh + i] = 1.0;
  lane_t[T] = row_t[T] = 1.0;
  const TensorId eye16 = b.const_f16("eye", {dh, dh}, eye);
  const TensorId lane_mask = b.const_f16("mask.col_t", {1, P}, lane_t);
  const TensorId row_mask = b.const_f16("mask.row_t", {P, 1}, row_t);
  const TensorId ones_dh = b.const_f16("mask.dh", {1, dh}, std::vector<double>(dh, 1.0));
  const TensorId ones_p = b.const_f16("mask.p", {1, P}, std::vector<double>(P, 1.0));

  // Wo's per-output-channel scale is one vector for all heads (row blocks of one [D, D] matrix).
  const std::vector<double> wo_scale = b.scales(D, dh, 1.0);
  const TensorId wo_s = b.const_f32("wo.scale", {D}, wo_scale);
  // Graph order is the order of MatMuls on the MXM planes (and of chains in
  // the scheduler), so the heads advance phase by phase: a head's softmax
  // never holds up the next head's projections.
  std::vector<TensorId> q(H), qr(H), k(H), kr(H), v(H), qz(H), kt_new(H), v_new(H), p16(H), o(H);
  std::vector<Linear> wo(H);
  for (uint32_t h = 0; h < H; ++h) {
    const std::string hs = fmt::format(".h{}", h);
    // q and k about 2 in size so that softmax is far from uniform; v about 1.
    const Linear wq = b.linear("wq" + hs, D, dh, 2.0), wk = b.linear("wk" + hs, D, dh, 2.0);
    const Linear wv = b.linear("wv" + hs, D, dh, 1.0);
    wo[h] = b.linear_with_scale("wo" + hs, dh, D, wo_s);
    q[h] = b.apply("q" + hs, xq, wq), qr[h] = b.apply("qr" + hs, xq, b.rotate_half(wq));
    k[h] = b.apply("k" + hs, xq, wk), kr[h] = b.apply("kr" + hs, xq, b.rotate_half(wk));
    v[h] = b.apply("v" + hs, xq, wv);
  }
  for (uint32_t h = 0; h < H; ++h) {
    const std::string hs = fmt::format(".h{}", h);
    const TensorId qrot = b.add2("qrot" + hs, b.mul("qc" + hs, q[h], cq), b.mul("qs" + hs, qr[h], sq));
    const TensorId krot = b.add2("krot" + hs, b.mul("kc" + hs, k[h], ck), b.mul("ks" + hs, kr[h], sk));
    // The MatMul's activations need zero padding lanes: sel against a [dh] mask whose padding is zero.
    qz[h] = b.op(GraphOp::Sel, "qz" + hs, {ones_dh, b.cast("q16" + hs, qrot, DType::f16), ones_dh});
    const TensorId kdiag = b.mul("kdiag" + hs, eye16, b.cast("k16" + hs, krot, DType::f16));
    const TensorId kcol = b.reduce(GraphOp::ReduceSum, "kcol" + hs, kdiag);  // [dh, 1] in every lane, exact
    const TensorId kt = b.cache("cache.k" + hs, {dh, P}, 2.0, /*zero_col=*/T, /*zero_row=*/-1);
    kt_new[h] = b.op(GraphOp::Sel, "cache.k.new" + hs, {lane_mask, kcol, kt});
    const TensorId vc = b.cache("cache.v" + hs, {P, dh}, 1.0, /*zero_col=*/-1, /*zero_row=*/T);
    v_new[h] = b.op(GraphOp::Sel, "cache.v.new" + hs, {row_mask, b.cast("v16" + hs, v[h], DType::f16), vc});
    g.mark_output(kt_new[h]);
    g.mark_output(v_new[h]);
  }
  std::vector<TensorId> scores(H);
  for (uint32_t h = 0; h < H; ++h) scores[h] = b.op(GraphOp::MatMul, fmt::format("scores.h{}", h), {qz[h], kt_new[h]});
  for (uint32_t h = 0; h < H; ++h) {
    const std::string hs = fmt::format(".h{}", h);
    const TensorId p = b.softmax("p" + hs, scores[h]);
    p16[h] = b.op(GraphOp::Sel, "pz" + hs, {ones_p, b.cast("p16" + hs, p, DType::f16), ones_p});
  }
  for (uint32_t h = 0; h < H; ++h) o[h] = b.op(GraphOp::MatMul, fmt::format("o.h{}", h), {p16[h], v_new[h]});
  std::vector<Quant> oq(H);
  for (uint32_t h = 0; h < H; ++h) oq[h] = b.quantise(fmt::format("o.h{}", h), o[h]);
  TensorId attn = 0;
  for (uint32_t h = 0; h < H; ++h) {
    const std::string hs = fmt::format(".h{}", h);
    const TensorId y = b.apply("attn" + hs, oq[h], wo[h]);
    attn = h ? b.add2("attn.sum" + hs, attn, y) : y;
  }
  const TensorId h1 = b.add2("h1", x, attn);

  // SwiGLU MLP.
  const TensorId hn = b.op(GraphOp::RmsNorm, "hn", {h1, g2}, s.epsilon);
  const Quant hq = b.quantise("hn", hn);
  const Linear w1 = b.linear("w1", D, F, 1.5), w3 = b.linear("w3", D, F, 1.0), w2 = b.linear("w2", F, D, 0.5);
  const TensorId gate = b.apply("gate", hq, w1), up = b.apply("up", hq, w3);
  const TensorId act = b.mul("act", b.silu("silu", gate), up);
  const TensorId down = b.apply("down", b.quantise("act", act), w2);
  const TensorId y = b.add2("y", h1, down);
  g.mark_output(y);
  return y;
}

}  // namespace tsp::compiler
