#include "firmware/compiler/layer_ops.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/activation.hpp"

namespace tsp::compiler {

using isa::DType;

namespace {

uint64_t count(const std::vector<uint32_t>& shape) {
  uint64_t n = 1;
  for (uint32_t d : shape) n *= d;
  return n;
}

// Standard deviation of the integers -127..127 drawn uniformly.
constexpr double kInt8Std = 73.6;

// splitmix64: a draw adds kGamma to the state, so n draws can be skipped at once.
constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ull;

double unit(uint64_t state) {
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return double(z >> 11) * 0x1.0p-53;
}

uint32_t i8_bits(int32_t v) { return uint32_t(v) & 0xFFu; }

}  // namespace

double LayerBuilder::uniform() { return unit(state_ += kGamma); }

double LayerBuilder::normal() {
  const double u = 1.0 - uniform(), v = uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
}

std::vector<double> LayerBuilder::gains(uint32_t n) {
  std::vector<double> v(n);
  for (double& x : v) x = 1.0 + 0.1 * normal();
  return v;
}

std::vector<double> LayerBuilder::scales(uint32_t n, uint32_t k, double size) {
  std::vector<double> v(n);
  for (double& x : v) x = size * (0.75 + 0.5 * uniform()) / (kInt8Std * std::sqrt(double(k)));
  return v;
}

TensorId LayerBuilder::input_f32(const std::string& name, std::vector<uint32_t> shape, double size) {
  std::vector<uint32_t> bits(count(shape));
  for (uint32_t& b : bits) b = num::from_double<num::kF32>(size * normal());
  return g_.add_input(name, DType::f32, std::move(shape), std::move(bits), where_);
}

TensorId LayerBuilder::cache(const std::string& name, std::vector<uint32_t> shape, double size, int64_t zero_col,
                             int64_t zero_row) {
  const uint32_t cols = shape.back();
  std::vector<uint32_t> bits(count(shape));
  for (size_t i = 0; i < bits.size(); ++i) {
    const bool zero = int64_t(i % cols) == zero_col || int64_t(i / cols) == zero_row;
    bits[i] = zero ? 0 : num::from_double<num::kF16>(size * normal());
  }
  return g_.add_input(name, DType::f16, std::move(shape), std::move(bits), where_);
}

TensorId LayerBuilder::const_f32(const std::string& name, std::vector<uint32_t> shape, const std::vector<double>& v) {
  std::vector<uint32_t> bits(v.size());
  for (size_t i = 0; i < v.size(); ++i) bits[i] = num::from_double<num::kF32>(v[i]);
  return g_.add_const(name, DType::f32, std::move(shape), std::move(bits), where_);
}

TensorId LayerBuilder::const_f16(const std::string& name, std::vector<uint32_t> shape, const std::vector<double>& v) {
  std::vector<uint32_t> bits(v.size());
  for (size_t i = 0; i < v.size(); ++i) bits[i] = num::from_double<num::kF16>(v[i]);
  return g_.add_const(name, DType::f16, std::move(shape), std::move(bits), where_);
}

TensorId LayerBuilder::random_i8(const std::string& name, std::vector<uint32_t> shape) {
  const uint64_t n = count(shape), first = state_;
  state_ += n * kGamma;  // the n draws the rule makes
  LazyData bits = LazyData::deferred(n, [n, first] {
    std::vector<uint32_t> v(n);
    uint64_t state = first;
    for (uint32_t& b : v) b = i8_bits(int32_t(unit(state += kGamma) * 255.0) - 127);
    return v;
  });
  return g_.add_const(name, DType::i8, std::move(shape), std::move(bits), where_);
}

Linear LayerBuilder::linear_with_scale(const std::string& name, uint32_t k, uint32_t n, TensorId scale) {
  return Linear{name, k, n, random_i8(name, {k, n}), scale, {}};
}

Linear LayerBuilder::linear(const std::string& name, uint32_t k, uint32_t n, double size) {
  std::vector<double> s = scales(n, k, size);
  Linear l = linear_with_scale(name, k, n, const_f32(name + ".scale", {n}, s));
  l.scale_data = std::move(s);
  return l;
}

Linear LayerBuilder::stacked(const std::string& name, uint32_t e, uint32_t k, uint32_t n, double size) {
  Linear l{name, k, n, random_i8(name, {e, k, n}), 0, {}};
  if (size > 0) l.scale = stacked_scales(name + ".scale", e, k, n, size).scale, l.scale_data = scale_data_;
  return l;
}

Linear LayerBuilder::stacked_scales(const std::string& name, uint32_t e, uint32_t k, uint32_t n, double size) {
  Linear l;
  l.name = name;
  for (uint32_t i = 0; i < e; ++i) {
    const std::vector<double> s = scales(n, k, size);
    l.scale_data.insert(l.scale_data.end(), s.begin(), s.end());
  }
  l.scale = const_f32(name, {e, n}, l.scale_data);
  scale_data_ = l.scale_data;
  return l;
}

Linear LayerBuilder::rotate_half(const Linear& l) {
  const uint32_t half = l.n / 2;
  const auto from = [half](uint32_t c) { return c < half ? c + half : c - half; };
  Linear r{l.name + ".rh", l.k, l.n, 0, 0, std::vector<double>(l.n)};
  for (uint32_t c = 0; c < l.n; ++c) r.scale_data[c] = l.scale_data[from(c)];
  const LazyData source = g_.tensor(l.w).data;
  const uint32_t rows = l.k, cols = l.n;
  r.w = g_.add_const(r.name, DType::i8, {rows, cols},
                     LazyData::deferred(uint64_t(rows) * cols, [source, rows, cols, half, from] {
                       const std::vector<uint32_t>& w = source.values();
                       std::vector<uint32_t> v(w.size());
                       for (uint32_t k = 0; k < rows; ++k)
                         for (uint32_t c = 0; c < cols; ++c) {
                           const int32_t x = int8_t(w[size_t(k) * cols + from(c)]);
                           v[size_t(k) * cols + c] = i8_bits(c < half ? -x : x);
                         }
                       return v;
                     }),
                     where_);
  r.scale = const_f32(r.name + ".scale", {l.n}, r.scale_data);
  return r;
}

TensorId LayerBuilder::op(GraphOp o, const std::string& name, std::vector<TensorId> in, double epsilon) {
  Attrs a;
  a.epsilon = epsilon;
  return g_.add(o, name, std::move(in), where_, std::nullopt, a);
}

TensorId LayerBuilder::cast(const std::string& name, TensorId a, DType to) {
  return g_.add(GraphOp::Cast, name, {a}, where_, to);
}

TensorId LayerBuilder::reduce(GraphOp o, const std::string& name, TensorId x, std::vector<int64_t> axes) {
  Attrs a;
  a.axes = std::move(axes);
  a.keepdims = true;
  return g_.add(o, name, {x}, where_, std::nullopt, a);
}

TensorId LayerBuilder::softmax(const std::string& name, TensorId x, int64_t axis) {
  Attrs a;
  a.axes = {axis};
  return g_.add(GraphOp::Softmax, name, {x}, where_, std::nullopt, a);
}

TensorId LayerBuilder::scalar(const std::string& name, double v) { return const_f32(name, {1}, {v}); }

TensorId LayerBuilder::reshape(const std::string& name, TensorId x, std::vector<uint32_t> shape) {
  Attrs a;
  a.shape = std::move(shape);
  return g_.add(GraphOp::Reshape, name, {x}, where_, std::nullopt, a);
}

TensorId LayerBuilder::recip(const std::string& name, TensorId s) { return float_recip(g_, name, s, where_); }

TensorId LayerBuilder::silu(const std::string& name, TensorId g) { return op(GraphOp::Silu, name, {g}); }

Quant LayerBuilder::quantise(const std::string& name, TensorId x) {
  const auto [q, scale] = quantise_pieces(name, {x});
  return {q[0], scale};
}

std::pair<std::vector<TensorId>, TensorId> LayerBuilder::quantise_pieces(const std::string& name,
                                                                         const std::vector<TensorId>& xs) {
  const std::string p = name + ".q";
  const TensorId m1 = scalar(p + ".m1", -1.0);
  TensorId m = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const std::string pi = xs.size() > 1 ? fmt::format("{}{}", p, i) : p;
    const TensorId ax = op(GraphOp::Max, pi + ".abs", {xs[i], mul(pi + ".neg", xs[i], m1)});
    const TensorId mi = reduce(GraphOp::ReduceMax, pi + ".amax", ax);
    m = i ? op(GraphOp::Max, pi + ".amaxs", {m, mi}) : mi;
  }
  const TensorId mc = op(GraphOp::Max, p + ".amaxc", {m, scalar(p + ".tiny", 0x1p-100)});
  const TensorId inv = mul(p + ".inv", recip(p + ".r", mc), scalar(p + ".127", 127.0));
  std::vector<TensorId> q;
  for (size_t i = 0; i < xs.size(); ++i) {
    const std::string pi = xs.size() > 1 ? fmt::format("{}{}", p, i) : p;
    q.push_back(cast(pi, mul(pi + ".xs", xs[i], inv), DType::i8));
  }
  return {q, mul(p + ".s", mc, scalar(p + ".1_127", 1.0 / 127.0))};
}

TensorId LayerBuilder::apply(const std::string& name, const Quant& x, const Linear& w) {
  const TensorId acc = op(GraphOp::MatMul, name + ".acc", {x.q, w.w});
  const TensorId f = cast(name + ".f", acc, DType::f32);
  return mul(name, mul(name + ".ws", f, w.scale), x.scale);
}

}  // namespace tsp::compiler
