#include "firmware/compiler/layers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/layer_ops.hpp"

namespace tsp::compiler {

using isa::DType;

// Elements of one tensor (the text format's limit for declared tensors): checked before any data is made.
constexpr uint64_t kMaxElements = 1u << 24;
constexpr uint32_t kMaxMoeChunks = 256;  // tsp1_moe.txt has 6

TensorId add_decoder(Graph& g, const DecoderSpec& s, const Where& where) {
  const uint32_t D = s.dim, H = s.heads, T = s.cache, S = s.share, KV = s.kv_heads ? s.kv_heads : s.heads;
  if (!H || D % H || (D / H) % 2 || !s.ffn || !D)
    throw Error(fmt::format("{}: error: decoder: dim {} must split into {} heads of an even size", where.str(), D, H));
  if (!KV || H % KV || !S || KV % S || s.ffn % S)
    throw Error(
        fmt::format("{}: error: decoder: {} heads must group over {} kv heads, and kv heads and ffn {} split "
                    "{} ways",
                    where.str(), H, KV, s.ffn, S));
  // Local sizes: this chip's heads, K/V heads and MLP columns; G query heads share one K/V head.
  const uint32_t HL = H / S, F = s.ffn / S, G = H / KV;
  const uint32_t dh = D / H, P = T + 1;
  if (!s.any_size && (uint64_t(D) * std::max(D / S, F) > kMaxElements || uint64_t(dh) * P > kMaxElements))
    throw Error(fmt::format("{}: error: decoder: dim {}, ffn {}, cache {}: larger than any chip holds", where.str(), D,
                            s.ffn, T));
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
  // Query head h uses K/V head h / G (named by that head's first query head when G > 1).
  std::vector<TensorId> q(HL), qr(HL), k(HL), kr(HL), v(HL), qz(HL), kt_new(HL), v_new(HL), p16(HL), o(HL);
  std::vector<Linear> wo(HL);
  for (uint32_t h = 0; h < HL; ++h) {
    const std::string hs = fmt::format(".h{}", h);
    const bool kv_head = h % G == 0;
    // q and k about 2 in size so that softmax is far from uniform; v about 1.
    const Linear wq = b.linear("wq" + hs, D, dh, 2.0);
    const Linear wk = kv_head ? b.linear("wk" + hs, D, dh, 2.0) : Linear{};
    const Linear wv = kv_head ? b.linear("wv" + hs, D, dh, 1.0) : Linear{};
    wo[h] = b.linear_with_scale("wo" + hs, dh, D, wo_s);
    q[h] = b.apply("q" + hs, xq, wq), qr[h] = b.apply("qr" + hs, xq, b.rotate_half(wq));
    if (!kv_head) continue;
    k[h] = b.apply("k" + hs, xq, wk), kr[h] = b.apply("kr" + hs, xq, b.rotate_half(wk));
    v[h] = b.apply("v" + hs, xq, wv);
  }
  for (uint32_t h = 0; h < HL; ++h) {
    const std::string hs = fmt::format(".h{}", h);
    const bool kv_head = h % G == 0;
    const TensorId qrot = b.add2("qrot" + hs, b.mul("qc" + hs, q[h], cq), b.mul("qs" + hs, qr[h], sq));
    const TensorId krot =
        kv_head ? b.add2("krot" + hs, b.mul("kc" + hs, k[h], ck), b.mul("ks" + hs, kr[h], sk)) : TensorId{0};
    // The MatMul's activations need zero padding lanes: sel against a [dh] mask whose padding is zero.
    qz[h] = b.op(GraphOp::Sel, "qz" + hs, {ones_dh, b.cast("q16" + hs, qrot, DType::f16), ones_dh});
    if (!kv_head) continue;
    const TensorId kdiag = b.mul("kdiag" + hs, eye16, b.cast("k16" + hs, krot, DType::f16));
    const TensorId kcol = b.reduce(GraphOp::ReduceSum, "kcol" + hs, kdiag);  // [dh, 1] in every lane, exact
    const TensorId kt = b.cache("cache.k" + hs, {dh, P}, 2.0, /*zero_col=*/T, /*zero_row=*/-1);
    kt_new[h] = b.op(GraphOp::Sel, "cache.k.new" + hs, {lane_mask, kcol, kt});
    const TensorId vc = b.cache("cache.v" + hs, {P, dh}, 1.0, /*zero_col=*/-1, /*zero_row=*/T);
    v_new[h] = b.op(GraphOp::Sel, "cache.v.new" + hs, {row_mask, b.cast("v16" + hs, v[h], DType::f16), vc});
    g.mark_output(kt_new[h]);
    g.mark_output(v_new[h]);
  }
  std::vector<TensorId> scores(HL);
  for (uint32_t h = 0; h < HL; ++h)
    scores[h] = b.op(GraphOp::MatMul, fmt::format("scores.h{}", h), {qz[h], kt_new[h - h % G]});
  for (uint32_t h = 0; h < HL; ++h) {
    const std::string hs = fmt::format(".h{}", h);
    const TensorId p = b.softmax("p" + hs, scores[h]);
    p16[h] = b.op(GraphOp::Sel, "pz" + hs, {ones_p, b.cast("p16" + hs, p, DType::f16), ones_p});
  }
  for (uint32_t h = 0; h < HL; ++h) o[h] = b.op(GraphOp::MatMul, fmt::format("o.h{}", h), {p16[h], v_new[h - h % G]});
  std::vector<Quant> oq(HL);
  for (uint32_t h = 0; h < HL; ++h) oq[h] = b.quantise(fmt::format("o.h{}", h), o[h]);
  TensorId attn = 0;
  for (uint32_t h = 0; h < HL; ++h) {
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

TensorId add_moe(Graph& g, const MoeSpec& s, const Where& where) {
  const uint32_t D = s.dim, F = s.ffn, E = s.experts;
  if (!D || !F || E < 2 || (s.chunk && F % s.chunk))
    throw Error(fmt::format("{}: error: moe: needs dim, ffn, at least 2 experts and ffn a multiple of chunk {}",
                            where.str(), s.chunk));
  if (uint64_t(E) * D * (s.chunk ? s.chunk : F) > kMaxElements)
    throw Error(fmt::format("{}: error: moe: a stacked weight [{}, {}, {}] is larger than any chip holds", where.str(),
                            E, D, s.chunk ? s.chunk : F));
  // All three stacked weights together, not only each chunk: small chunks of a
  // huge dim once passed the check above and made gigabytes (fuzz_graph,
  // 2026-12-07: dim 800008, chunk 2).
  if (3 * uint64_t(E) * D * F > 4 * kMaxElements)
    throw Error(fmt::format("{}: error: moe: {} experts' weights of dim {} and ffn {} ({} int8 values) are more than "
                            "the layer builder makes ({})",
                            where.str(), E, D, F, 3 * uint64_t(E) * D * F, 4 * kMaxElements));
  // Each chunk is its own weights, gathers and MatMuls: tens of thousands of
  // chunks made millions of tensors (fuzz_graph, 2026-12-08: ffn 60356 chunk 1).
  if (s.chunk && F / s.chunk > kMaxMoeChunks)
    throw Error(fmt::format("{}: error: moe: ffn {} in chunks of {} is {} chunks; the layer builder makes at most {}",
                            where.str(), F, s.chunk, F / s.chunk, kMaxMoeChunks));
  LayerBuilder bx(g, where, s.input_seed), b(g, where, s.seed);
  // Stacked expert weights and scales, gathered by the run-time indices into
  // two fixed slots. W1/W3 in column chunks and W2 in row chunks of `chunk`
  // (a tensor lives in one slice's addresses); W2's chunks sum in i32. Made
  // first: placement goes in tensor order, and a chunk of E x dim vectors
  // may need a whole slice.
  const uint32_t C = s.chunk ? s.chunk : F, NC = F / C;
  std::vector<Linear> w1s, w3s, w2s;
  for (uint32_t c = 0; c < NC; ++c) {
    const std::string cs = NC > 1 ? fmt::format(".c{}", c) : "";
    w1s.push_back(b.stacked("w1" + cs, E, D, C, 1.5));
    w3s.push_back(b.stacked("w3" + cs, E, D, C, 1.0));
  }
  const Linear w2_scale = b.stacked_scales("w2.scale", E, F, D, 0.5);
  for (uint32_t c = 0; c < NC; ++c) w2s.push_back(b.stacked(NC > 1 ? fmt::format("w2.c{}", c) : "w2", E, C, D, 0.0));
  const TensorId x = bx.input_f32("x", {1, D}, 1.0);
  const TensorId gain = b.const_f32("g", {D}, b.gains(D));
  const TensorId hn = b.op(GraphOp::RmsNorm, "hn", {x, gain}, s.epsilon);
  const Quant hq = b.quantise("hn", hn);
  const TensorId logits = b.apply("logits", hq, b.linear("wg", D, E, 2.0));

  // Top-2 as run-time values, in f16 (f32 values need four slices each, and
  // an f32 lane max with its i16 permute map and result needs more slice
  // groups than mini has): the lowest lane holding the max, then the same
  // with that lane masked. Indicators by arithmetic: t = min((l - m) *
  // -65504, 1) is 0 where l == m and 1 elsewhere (a normal f16 difference
  // times 65504 is at least 3; subnormals flush), the index is
  // -max(-iota - 1024 t).
  const DType h = DType::f16;
  std::vector<double> iota(E), neg_iota(E);
  for (uint32_t e = 0; e < E; ++e) iota[e] = e, neg_iota[e] = -double(e);
  const TensorId iota_t = b.const_f16("moe.iota", {E}, iota), neg_iota_t = b.const_f16("moe.neg_iota", {E}, neg_iota);
  auto half = [&](const std::string& n, double v) { return b.const_f16(n, {1}, {v}); };
  const TensorId one = half("moe.one", 1.0), minus1 = half("moe.m1", -1.0);
  const TensorId l16 = b.cast("moe.l16", logits, h);
  auto argmax = [&](const std::string& n, TensorId l, TensorId m) {
    const TensorId d = b.op(GraphOp::Sub, n + ".d", {l, m});
    const TensorId t = b.op(GraphOp::Min, n + ".t", {b.mul(n + ".ds", d, half(n + ".huge", -65504.0)), one});
    const TensorId c = b.add2(n + ".c", neg_iota_t, b.mul(n + ".tb", t, half(n + ".big", -1024.0)));
    return b.mul(n, b.reduce(GraphOp::ReduceMax, n + ".n", c), minus1);
  };
  const TensorId m1 = b.reduce(GraphOp::ReduceMax, "moe.m1v", l16);
  const TensorId i1 = argmax("moe.i1", l16, m1);
  // u = 1 - min(|iota - i1|, 1): 1 at the chosen lane only; rest = l16 - 30000 u.
  const TensorId e1 = b.op(GraphOp::Sub, "moe.e1", {iota_t, i1});
  const TensorId a1 = b.op(GraphOp::Max, "moe.a1", {e1, b.mul("moe.ne1", e1, minus1)});
  const TensorId u = b.op(GraphOp::Sub, "moe.u", {one, b.op(GraphOp::Min, "moe.a1c", {a1, one})});
  const TensorId rest = b.op(GraphOp::Sub, "moe.rest", {l16, b.mul("moe.ub", u, half("moe.masked", 30000.0))});
  const TensorId m2 = b.reduce(GraphOp::ReduceMax, "moe.m2v", rest);
  const TensorId i2 = argmax("moe.i2", rest, m2);
  // Renormalised softmax of the two (f32): w1 = 1 / (1 + exp(m2 - m1)), w2 = exp(m2 - m1) w1.
  const TensorId d21 = b.cast("moe.d21", b.op(GraphOp::Sub, "moe.d21h", {m2, m1}), DType::f32);
  const TensorId e21 = b.op(GraphOp::Exp, "moe.e21", {d21});
  const TensorId w1 = b.recip("moe.w1", b.add2("moe.den", e21, b.scalar("moe.onef", 1.0)));
  const TensorId w2 = b.mul("moe.w2", e21, w1);

  const TensorId w[2] = {w1, w2};
  std::vector<TensorId> idx(2);
  for (uint32_t slot = 0; slot < 2; ++slot) {
    const std::string p = fmt::format("moe.s{}", slot);
    const TensorId chosen = b.cast(p + ".i", slot ? i2 : i1, isa::DType::i32);
    g.mark_output(chosen);
    idx[slot] = b.reshape(p + ".idx", chosen, {1});
  }
  // The chosen expert's piece of a stacked tensor [E, ...], as `shape`.
  auto pick = [&](uint32_t slot, const std::string& n, TensorId stacked, std::vector<uint32_t> shape) {
    return b.reshape(n, g.add_gather(n + ".g", stacked, idx[slot], 0, where), std::move(shape));
  };
  auto pick_linear = [&](uint32_t slot, const Linear& l, uint32_t k, uint32_t cols) {
    Linear r;
    r.name = fmt::format("moe.s{}.{}", slot, l.name);
    r.k = k, r.n = cols;
    r.w = pick(slot, r.name, l.w, {k, cols});
    r.scale = pick(slot, r.name + ".scale", l.scale, {cols});
    return r;
  };
  // Graph order is the MXM planes' order: every slot's W1/W3 MatMuls first, then the W2 ones.
  std::vector<std::vector<TensorId>> act(2);
  for (uint32_t slot = 0; slot < 2; ++slot)
    for (uint32_t c = 0; c < NC; ++c) {
      const std::string p = fmt::format("moe.s{}", slot) + (NC > 1 ? fmt::format(".c{}", c) : "");
      const TensorId gate = b.apply(p + ".gate", hq, pick_linear(slot, w1s[c], D, C));
      const TensorId up = b.apply(p + ".up", hq, pick_linear(slot, w3s[c], D, C));
      act[slot].push_back(b.mul(p + ".act", b.silu(p + ".silu", gate), up));
    }
  std::vector<Quant> aq(2);
  std::vector<std::vector<TensorId>> aqs(2);
  for (uint32_t slot = 0; slot < 2; ++slot) {
    const auto [pieces, scale] = b.quantise_pieces(fmt::format("moe.s{}.act", slot), act[slot]);
    aqs[slot] = pieces;
    aq[slot].scale = scale;
  }
  TensorId moe = 0;
  for (uint32_t slot = 0; slot < 2; ++slot) {
    const std::string p = fmt::format("moe.s{}", slot);
    TensorId acc = 0;
    for (uint32_t c = 0; c < NC; ++c) {
      const std::string n = fmt::format("{}.{}", p, w2s[c].name);
      const TensorId part = b.op(GraphOp::MatMul, n + ".acc", {aqs[slot][c], pick(slot, n, w2s[c].w, {C, D})});
      acc = c ? b.add2(fmt::format("{}.down.acc{}", p, c), acc, part) : part;
    }
    const TensorId s2 = pick(slot, p + ".w2.scale", w2_scale.scale, {D});
    const TensorId f = b.cast(p + ".down.f", acc, isa::DType::f32);
    const TensorId down = b.mul(p + ".down", b.mul(p + ".down.ws", f, s2), aq[slot].scale);
    const TensorId weighted = b.mul(p + ".weighted", down, w[slot]);
    moe = slot ? b.add2("moe", moe, weighted) : weighted;
  }
  const TensorId y = b.add2("y", x, moe);
  g.mark_output(y);
  return y;
}

}  // namespace tsp::compiler
