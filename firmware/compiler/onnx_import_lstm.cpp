// LSTM (ONNX) with known weights, forward, unrolled over the sequence: the
// chip runs a static schedule, so every step is its own ops. The input
// projections of all steps are four MatMuls up front (one per gate, the
// weights [input, hidden] stationary in the MXM, every step's rows streaming
// through); each step then adds h_{t-1} times the gate's recurrent weights
// (four MatMuls of [batch, hidden]), the biases and peepholes, and runs the
// gates on the VXM. Per-gate weights keep every gate's values in lanes 0..H-1,
// so no step moves values across lanes (docs/compiler.md, "LSTM").
#include <fmt/format.h>

#include <algorithm>

#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/onnx_import_movement.hpp"
#include "firmware/compiler/onnx_importer.hpp"

namespace tsp::compiler {
namespace {

using onnx::NodeProto;

// ONNX's gate order in W, R and B: input, output, forget, cell.
enum Gate { kI = 0, kO = 1, kF = 2, kC = 3 };

}  // namespace

void import_lstm(Importer& im, const NodeProto& n) {
  if (n.input_size() < 3 || n.input_size() > 8)
    im.fail(n, fmt::format("takes 3 to 8 inputs, {} given", n.input_size()));
  if (n.output_size() < 1 || n.output_size() > 3)
    im.fail(n, fmt::format("has 1 to 3 outputs (Y, Y_h, Y_c), {} given", n.output_size()));
  im.attributes(n, {"activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size",
                    "input_forget", "layout"});
  if (im.has_attr(n, "activations") || im.has_attr(n, "activation_alpha") || im.has_attr(n, "activation_beta"))
    im.fail(n, "activations other than the default (Sigmoid, Tanh, Tanh) are not supported");
  if (im.has_attr(n, "clip")) im.fail(n, "'clip' is not supported");
  if (im.int_attr(n, "input_forget", 0) != 0) im.fail(n, "input_forget 1 is not supported");
  if (const auto* d = im.attr(n, "direction"); d && d->s() != "forward")
    im.fail(n, fmt::format("direction '{}' is not supported (forward)", d->s()));
  const bool batch_first = im.int_attr(n, "layout", 0) != 0;
  Graph& g = im.graph();
  const std::string y = n.output_size() > 1 && !n.output(1).empty() ? im.out_name(n, 1) : im.out_name(n, 0);
  TensorId x = im.in(n, 0);
  const Tensor xt = g.tensor(x);  // a copy: adding ops moves the graph's tensors
  const isa::DType dtype = xt.dtype;
  if (!isa::dtype_desc(dtype).is_float) im.fail(n, "an integer input: LSTM takes floats");
  if (xt.shape.size() != 3) im.fail(n, fmt::format("input {}: [seq, batch, input] is needed", shape_str(xt.shape)));
  const int64_t seq = batch_first ? xt.shape[1] : xt.shape[0], batch = batch_first ? xt.shape[0] : xt.shape[1];
  const int64_t in_size = xt.shape[2];
  auto known = [&](int i, const char* what, std::vector<int64_t> shape) -> const HostValue* {
    if (!Importer::present(n, i)) return nullptr;
    const HostValue* v = im.known(n, i, true);  // a graph input's data too: the image is compiled for it
    if (!v || !v->is_float()) im.fail(n, fmt::format("'{}' is computed on the chip: it must be known", what));
    if (v->shape != shape)
      im.fail(n, fmt::format("'{}' has shape {}, {} is needed", what, shape_str(v->shape), shape_str(shape)));
    return v;
  };
  const HostValue* w0 = im.known(n, 1, true);
  if (!w0 || w0->shape.size() != 3) im.fail(n, "'W' must be known, [1, 4 x hidden, input]");
  const int64_t h = im.int_attr(n, "hidden_size", w0->shape[1] / 4);
  const HostValue* w = known(1, "W", {1, 4 * h, in_size});
  const HostValue* r = known(2, "R", {1, 4 * h, h});
  const HostValue* b = known(3, "B", {1, 8 * h});
  if (const HostValue* lens = Importer::present(n, 4) ? im.known(n, 4, true) : nullptr) {
    for (uint64_t k = 0; k < lens->size(); ++k)
      if (lens->integer(k) != seq)
        im.fail(n, fmt::format("sequence_lens[{}] = {}: sequences shorter than the input's {} steps are not supported",
                               k, lens->integer(k), seq));
  } else if (Importer::present(n, 4)) {
    im.fail(n, "'sequence_lens' is computed on the chip: it must be known");
  }
  const std::vector<int64_t> state_shape =
      batch_first ? std::vector<int64_t>{batch, 1, h} : std::vector<int64_t>{1, batch, h};
  // An initial state of zeros (PyTorch's exporter writes one) is left out like an absent one: its terms are 0.
  const auto unless_zero = [](const HostValue* v) -> const HostValue* {
    return v && std::any_of(v->floats.begin(), v->floats.end(), [](double e) { return e != 0; }) ? v : nullptr;
  };
  const HostValue* h0 = unless_zero(known(5, "initial_h", state_shape));
  const HostValue* c0 = unless_zero(known(6, "initial_c", state_shape));
  const HostValue* p = known(7, "P", {1, 3 * h});
  const Where at = im.where();

  // Every step's input rows, step-major: [seq x batch, input].
  if (batch_first) x = g.add_transpose(y + ".seq_major", x, {1, 0, 2}, at);
  const TensorId rows = onnx_reshape(g, y + ".x", x, {seq * batch, in_size}, false, at);
  auto gate_weights = [&](const HostValue& m, int gate, int64_t cols, const std::string& name) {
    std::vector<double> v(size_t(cols * h));  // [cols, H]: the gate's rows of m, transposed
    for (int64_t j = 0; j < h; ++j)
      for (int64_t k = 0; k < cols; ++k) v[size_t(k * h + j)] = m.floats[size_t((gate * h + j) * cols + k)];
    return float_constant(g, name, dtype, {cols, h}, v, at);
  };
  auto per_hidden = [&](const std::vector<double>& v, const std::string& name) {
    return float_constant(g, name, dtype, {h}, v, at);
  };
  // int8 (ImportOptions::matmul): every step's rows are quantised once for the
  // four gates, and each step's h once, with its bound (|o tanh(c)| <= 1).
  const bool int8 = im.options().matmul == MatmulPrecision::Int8 && dtype == isa::DType::f32;
  const std::optional<QuantisedRows> xq = int8 ? std::optional(im.quantised_rows(rows)) : std::nullopt;
  auto product = [&](const std::string& name, TensorId a, const std::optional<QuantisedRows>& aq, TensorId weights) {
    return aq ? int8_matmul(g, name, *aq, weights, at) : matmul2d(im, n, name, a, weights);
  };
  TensorId xw[4];
  for (int gate = 0; gate < 4; ++gate) {
    const std::string gn = fmt::format("{}.xw{}", y, gate);
    xw[gate] = product(gn, rows, xq, gate_weights(*w, gate, in_size, gn + ".w"));
    if (b) {
      std::vector<double> bias(static_cast<size_t>(h));
      for (int64_t j = 0; j < h; ++j)
        bias[size_t(j)] = b->floats[size_t(gate * h + j)] + b->floats[size_t((4 + gate) * h + j)];
      xw[gate] = g.add(GraphOp::Add, gn + ".b", {xw[gate], per_hidden(bias, gn + ".bias")}, at);
    }
  }
  TensorId rw[4];
  for (int gate = 0; gate < 4; ++gate) rw[gate] = gate_weights(*r, gate, h, fmt::format("{}.r{}", y, gate));
  std::optional<TensorId> peep[3];  // i, o, f
  if (p)
    for (int k = 0; k < 3; ++k)
      peep[k] = per_hidden(std::vector<double>(p->floats.begin() + k * h, p->floats.begin() + (k + 1) * h),
                           fmt::format("{}.p{}", y, k));
  auto state = [&](const HostValue* v, const char* name) -> std::optional<TensorId> {
    if (!v) return std::nullopt;  // zeros: the terms it takes part in are left out
    return float_constant(g, fmt::format("{}.{}", y, name), dtype, {batch, h}, v->floats, at);
  };
  // At the published systems' precisions (f16 products, int8) a gate is
  // 0.5 + 0.5 tanh(x / 2): four VXM ops, one fused chain, within about 1e-7 of
  // sigmoid, far under the products' error; it gives up sigmoid's relative
  // accuracy far in the tail (activation.hpp), which the gates' sums never see.
  // At f32 precision the gate is Sigmoid itself (docs/compiler.md, "LSTM").
  const std::optional<TensorId> half =
      im.options().matmul != MatmulPrecision::F16Parts
          ? std::optional(float_constant(g, y + ".half", dtype, {1}, {0.5}, at))
          : std::nullopt;
  auto sigmoid = [&](const std::string& name, TensorId v) {
    if (!half) return g.add(GraphOp::Sigmoid, name, {v}, at);
    const TensorId t = g.add(GraphOp::Tanh, name + ".t", {g.add(GraphOp::Mul, name + ".x2", {v, *half}, at)}, at);
    return g.add(GraphOp::Add, name, {g.add(GraphOp::Mul, name + ".th", {t, *half}, at), *half}, at);
  };
  std::optional<TensorId> hs = state(h0, "h0"), cs = state(c0, "c0");
  std::vector<TensorId> outs;
  for (int64_t t = 0; t < seq; ++t) {
    const std::string s = fmt::format("{}.t{}", y, t);
    std::optional<QuantisedRows> hq;  // a given initial h has no bound: its rows' max is found on the chip
    if (int8 && hs) hq = quantise_rows(g, s + ".hq", *hs, at, t > 0 ? std::optional(1.0) : std::nullopt);
    auto pre = [&](int gate) {
      TensorId v =
          onnx_slice(g, fmt::format("{}.xw{}", s, gate), xw[gate], {t * batch}, {(t + 1) * batch}, {0}, {}, at);
      if (hs)
        v = g.add(GraphOp::Add, fmt::format("{}.a{}", s, gate),
                  {v, product(fmt::format("{}.hr{}", s, gate), *hs, hq, rw[gate])}, at);
      return v;
    };
    auto with_peephole = [&](TensorId v, int k, std::optional<TensorId> c, const std::string& name) {
      if (!peep[k] || !c) return v;
      return g.add(GraphOp::Add, name, {v, g.add(GraphOp::Mul, name + ".pc", {*peep[k], *c}, at)}, at);
    };
    const TensorId i = sigmoid(s + ".i", with_peephole(pre(kI), 0, cs, s + ".ip"));
    const TensorId f = sigmoid(s + ".f", with_peephole(pre(kF), 2, cs, s + ".fp"));
    const TensorId cand = g.add(GraphOp::Tanh, s + ".g", {pre(kC)}, at);
    TensorId c = g.add(GraphOp::Mul, s + ".ig", {i, cand}, at);
    if (cs) c = g.add(GraphOp::Add, s + ".c", {g.add(GraphOp::Mul, s + ".fc", {f, *cs}, at), c}, at);
    const TensorId o = sigmoid(s + ".o", with_peephole(pre(kO), 1, c, s + ".op"));
    hs = g.add(GraphOp::Mul, s + ".h", {o, g.add(GraphOp::Tanh, s + ".tc", {c}, at)}, at);
    cs = c;
    outs.push_back(*hs);
  }
  // Outputs: Y [seq, 1, batch, H] ([batch, seq, 1, H] batch-first), Y_h and Y_c [1, batch, H] ([batch, 1, H]).
  const std::vector<int64_t> one_step =
      batch_first ? std::vector<int64_t>{batch, 1, 1, h} : std::vector<int64_t>{1, 1, batch, h};
  for (int k = 0; k < n.output_size(); ++k) {
    if (n.output(k).empty()) continue;
    if (k == 0) {
      std::vector<TensorId> steps;
      for (size_t t = 0; t < outs.size(); ++t)
        steps.push_back(onnx_reshape(g, fmt::format("{}.y{}", y, t), outs[t], one_step, false, at));
      im.define(n, onnx_concat(g, im.out_name(n, 0), steps, batch_first ? 1 : 0, at), 0);
    } else {
      const TensorId last = k == 1 ? *hs : *cs;
      im.define(n, onnx_reshape(g, im.out_name(n, k), last, state_shape, false, at), k);
    }
  }
}

}  // namespace tsp::compiler
