#pragma once
// Building blocks of the layers (layers.hpp): deterministic data, int8 linear
// layers with per-token activation quantisation, SiLU and the reciprocal, each
// a few graph ops. One LayerBuilder adds to one graph; names must be unique.
#include <cstdint>
#include <string>
#include <vector>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// A quantised activation row: xq i8 [M, C] and its f32 scale s [M, 1] (x ~ xq * s).
struct Quant {
  TensorId q = 0, scale = 0;
};

// y = x . (w * scale): w i8 [K, N], scale f32 [N] (per output channel).
struct Linear {
  std::string name;
  uint32_t k = 0, n = 0;
  TensorId w = 0, scale = 0;  // w's values are made when first read, in [-127, 127]
  std::vector<double> scale_data;
};

class LayerBuilder {
 public:
  LayerBuilder(Graph& g, Where where, uint64_t seed) : g_(g), where_(std::move(where)), state_(seed * 2 + 1) {}

  // Deterministic data (splitmix64; normals by Box-Muller).
  double uniform();  // [0, 1)
  double normal();
  std::vector<double> gains(uint32_t n);  // 1 + 0.1 N(0, 1)
  // Per-output-channel scales that give outputs of about `size` from inputs of about 1 over K.
  std::vector<double> scales(uint32_t n, uint32_t k, double size);

  TensorId input_f32(const std::string& name, std::vector<uint32_t> shape, double size);
  // An f16 cache of N(0, size) values with column `zero_col` / row `zero_row` zero (-1: none).
  TensorId cache(const std::string& name, std::vector<uint32_t> shape, double size, int64_t zero_col, int64_t zero_row);
  TensorId const_f32(const std::string& name, std::vector<uint32_t> shape, const std::vector<double>& v);
  TensorId const_f16(const std::string& name, std::vector<uint32_t> shape, const std::vector<double>& v);
  // Uniform integers in [-127, 127] (symmetric: -w fits), made when first read
  // and the same as if drawn here: a big layer's weights cost nothing until used.
  TensorId random_i8(const std::string& name, std::vector<uint32_t> shape);

  Linear linear(const std::string& name, uint32_t k, uint32_t n, double size);
  Linear linear_with_scale(const std::string& name, uint32_t k, uint32_t n, TensorId scale);
  // E matrices [K, N] stacked as w [E, K, N] with scales [E, N] (MoE experts).
  // size 0: no scales (w.scale stays 0); stacked_scales makes scales only, [E, N] for K inputs.
  Linear stacked(const std::string& name, uint32_t e, uint32_t k, uint32_t n, double size);
  Linear stacked_scales(const std::string& name, uint32_t e, uint32_t k, uint32_t n, double size);
  // The columns of rotate_half(x . w) = [-y2, y1]: w's (and the scale's) halves swapped, the first negated.
  Linear rotate_half(const Linear& l);

  // s = max|x| / 127 over the last axis, q = i8(x * (127 / max|x|)) (x f32 [M, C]).
  Quant quantise(const std::string& name, TensorId x);
  // The same for the concatenation of rows xs[i] [M, C_i] (one scale, the max over all).
  std::pair<std::vector<TensorId>, TensorId> quantise_pieces(const std::string& name, const std::vector<TensorId>& xs);
  // f32(xq . w) * w.scale * xq.scale
  TensorId apply(const std::string& name, const Quant& x, const Linear& w);

  TensorId op(GraphOp o, const std::string& name, std::vector<TensorId> in, double epsilon = 1e-5);
  TensorId mul(const std::string& name, TensorId a, TensorId b) { return op(GraphOp::Mul, name, {a, b}); }
  TensorId add2(const std::string& name, TensorId a, TensorId b) { return op(GraphOp::Add, name, {a, b}); }
  TensorId cast(const std::string& name, TensorId a, isa::DType to);
  TensorId reduce(GraphOp o, const std::string& name, TensorId x, std::vector<int64_t> axes = {-1});
  TensorId softmax(const std::string& name, TensorId x, int64_t axis = -1);
  TensorId scalar(const std::string& name, double v);
  TensorId reshape(const std::string& name, TensorId x, std::vector<uint32_t> shape);  // f32 [1]
  // 1/s for f32 s >= a tiny positive: r = rsqrt(s)^2, then r (2 - s r) (activation.hpp's float_recip).
  TensorId recip(const std::string& name, TensorId s);
  // The graph op silu: g * sigmoid(g), expanded by activation.hpp's float_silu.
  TensorId silu(const std::string& name, TensorId g);

  Graph& graph() { return g_; }

 private:
  Graph& g_;
  Where where_;
  uint64_t state_;
  std::vector<double> scale_data_;  // the last stacked_scales' values
};

}  // namespace tsp::compiler
