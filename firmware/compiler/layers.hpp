#pragma once
// Transformer layers for one decode step (M = 1 token), built from graph ops
// with int8 weights and f32/f16 activations (docs/compiler.md, "Layers").
//
// Quantisation (W8A8): every linear layer y = x . W takes int8 weights with a
// per-output-channel f32 scale ws[n] (y = x . (Wq * ws)); its f32 input row is
// quantised on the chip per token: s = max|x| / 127 (lane max), xq =
// i8(round(x / s)) (CVT saturates), the int8 MatMul runs on the MXM at full
// rate into i32, and y = f32(acc) * ws * s. Attention's output is quantised
// per head (each head's row has its own s).
//
// The decoder layer (Llama-style):
//   xn = rmsnorm(x) * g1; q, k, v per head (weights split by head at build time)
//   RoPE rotate-half: rh(q) = [-q2, q1] comes from a second MatMul with the
//     weight columns permuted and negated at build time; q' = q cos + rh(q) sin
//     (1/sqrt(dh) folded into q's cos/sin tables)
//   KV cache in SRAM, T previous tokens: K stored transposed per head as
//     [dh, T+1] (tokens across lanes), V as [T+1, dh]; the new token goes into
//     column / row T: k's row becomes a column with diag(k) summed over lanes
//     (eye * k, reducesum), then sel(lane T mask, k column, cache); v by
//     sel(row T mask, v, cache). The updated caches are outputs.
//   scores = q' . Kt (MatMul with the cache as computed weights), softmax over
//     the last axis, o = p . V, out = sum_h quant(o_h) . Wo_h
//   h = x + out; y = h + W2(silu(W1 hn) * W3 hn), hn = rmsnorm(h) * g2,
//     silu(g) = g * recip(1 + exp(-g)) (the graph op silu, activation.hpp)
// The MoE MLP: experts' W1/W3/W2 stacked, top-2 of the gate's logits on the
// chip, the chosen experts' weights gathered into two fixed schedule slots.
#include <string>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

struct DecoderSpec {
  uint32_t dim = 64;    // d_model
  uint32_t heads = 2;   // head dimension dim / heads (even)
  uint32_t ffn = 176;   // SwiGLU hidden size
  uint32_t cache = 31;  // T tokens already in the KV cache; this token is position T
  // Grouped-query attention: kv_heads K/V heads (0: one per head), each
  // serving heads / kv_heads query heads with one cache.
  uint32_t kv_heads = 0;
  // One chip's share of a layer split `share` ways by tensor parallelism:
  // heads / share query heads, kv_heads / share K/V heads and ffn / share of the
  // MLP (Q, K, V, W1, W3 by columns, Wo and W2 by rows); the two partial sums
  // (attention out, MLP down) are added to the residual as if all-reduced
  // (the all-reduce itself, over C2C, is not built).
  uint32_t share = 1;
  // Build sizes beyond the per-tensor limit (which guards compiling): for a
  // bound only (bound.hpp), never placed on a chip.
  bool any_size = false;
  uint64_t seed = 1;  // inputs and weights from this seed
  double epsilon = 1e-5;
  double rope_theta = 10000;
};

// Adds the layer's inputs (x f32 [1, dim], the caches), constants and nodes to
// `g` and marks its outputs: `y` [1, dim] f32 and per head `cache.k.new.h<i>`,
// `cache.v.new.h<i>`. Names of the weights (tests read them back): `x`, `g1`, `g2`,
// `wq.h<i>`, `wk.h<i>`, `wv.h<i>` (i8 [dim, dh]) with `.scale` f32 [dh],
// `wo.h<i>` i8 [dh, dim] with `wo.scale` [dim], `w1`, `w3` [dim, ffn], `w2`
// [ffn, dim] with `.scale`, caches `cache.k.h<i>` f16 [dh, T+1] and `cache.v.h<i>` f16
// [T+1, dh] (column / row T zero: the new token's slot). Throws tsp::Error on
// sizes it cannot build.
TensorId add_decoder(Graph& g, const DecoderSpec& s, const Where& where = {});

struct MoeSpec {
  uint32_t dim = 32;
  uint32_t ffn = 64;        // each expert's SwiGLU hidden size
  uint32_t experts = 8;     // top-2 of these
  uint64_t seed = 1;        // weights
  uint64_t input_seed = 1;  // x (other inputs choose other experts; the schedule stays the same)
  // W1/W3 columns and W2 rows per gathered piece (0: ffn): one tensor lives in
  // one slice's addresses, so [E, dim, chunk] must fit them (tsp1: 8192 vectors).
  uint32_t chunk = 0;
  double epsilon = 1e-5;
};

// y = x + sum over the top-2 experts e of w_e * W2_e(silu(W1_e hn) * W3_e hn),
// hn = rmsnorm(x) * g, logits = hn . Wg (W8A8 like the decoder), w the
// softmax of the two chosen logits. Top-2 on the chip: m1 = lane max,
// idx1 = the lowest lane holding it (lane max of -iota pushed down where
// logits != m1), the chosen lane masked to -2^100, the same again; the indices (i32)
// gather each chosen expert's weights and scales out of the stacked `w1`,
// `w3` [E, dim, ffn], `w2` [E, ffn, dim] (with `.scale` [E, N]) into two fixed
// slots, so the schedule does not depend on the choice. With `chunk`, W1/W3
// are stacked per column chunk `w1.c<j>` [E, dim, chunk] and W2 per row chunk
// `w2.c<j>` [E, chunk, dim] (W2's scales `w2.scale` [E, dim]); the act's
// int8 scale is shared by the chunks and W2's chunks sum in i32. Outputs `y` [1, dim]
// f32 and the chosen experts `moe.s0.i`, `moe.s1.i` (i32 [1, 1]). Names: `x`, `g`, `wg`,
// `wg.scale` as in add_decoder.
TensorId add_moe(Graph& g, const MoeSpec& s, const Where& where = {});

}  // namespace tsp::compiler
