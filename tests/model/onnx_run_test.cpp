// Imported ONNX graphs on the engine, for paths the installed node tests do not
// reach: Gemm with alpha, beta, a matrix C and transB on an initializer, and an
// f16 MatMul. Expected values are computed here in double precision; the run
// must also match the host reference bit for bit and the predicted cycles.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <random>

#include "common/numerics/float_format.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/onnx_check.hpp"
#include "firmware/compiler/onnx_import.hpp"
#include "firmware/compiler/reference.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "tests/model/exact_run.hpp"

namespace tsp::compiler {
namespace {

using TP = onnx::TensorProto;

// Runs the import on `config`; returns output 0's elements after checking cycles and bits.
std::vector<uint32_t> run(const OnnxImport& imp, const std::string& config) {
  return run_exact_outputs(imp.graph, config).at(imp.graph.tensor(imp.outputs[0].tensor).name);
}

std::vector<float> randn(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d;
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

TP tensor(const std::string& name, std::vector<int64_t> dims, const std::vector<float>& v) {
  TP t;
  t.set_name(name);
  t.set_data_type(TP::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float x : v) t.add_float_data(x);
  return t;
}

void attr_f(onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

TEST(OnnxRun, GemmWithAlphaBetaMatrixBiasAndConstantTransposedB) {
  const uint32_t M = 5, K = 37, N = 6;
  const auto a = randn(M * K, 1), bt = randn(N * K, 2), c = randn(M * N, 3);  // bt: B^T, [N, K]
  onnx::ModelProto m;
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  auto* n = g->add_node();
  n->set_op_type("Gemm");
  for (const char* i : {"a", "b", "c"}) n->add_input(i);
  n->add_output(std::string("y"));  // the const char* overload trips GCC 12's -Wrestrict false positive at -O3
  attr_f(n, "alpha", 0.5f);
  attr_f(n, "beta", -2.0f);
  auto* tb = n->add_attribute();
  tb->set_name("transB");
  tb->set_type(onnx::AttributeProto::INT);
  tb->set_i(1);
  for (const char* i : {"a", "c"}) {
    auto* vi = g->add_input();
    vi->set_name(i);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(TP::FLOAT);
  }
  *g->add_initializer() = tensor("b", {N, K}, bt);
  g->add_output()->set_name("y");
  const std::vector<OnnxTensor> in = {read_tensor(tensor("a", {M, K}, a), "a"),
                                      read_tensor(tensor("c", {M, N}, c), "c")};
  const OnnxImport imp = import_onnx(m, in, "gemm");
  const std::vector<uint32_t> y = run(imp, "mini");
  std::vector<float> want(M * N);
  for (uint32_t i = 0; i < M; ++i)
    for (uint32_t j = 0; j < N; ++j) {
      double s = 0;
      for (uint32_t k = 0; k < K; ++k) s += double(a[i * K + k]) * double(bt[j * K + k]);
      want[i * N + j] = float(0.5 * s - 2.0 * c[i * N + j]);
    }
  const ToleranceReport r =
      check_tolerance(imp.graph.tensor(imp.outputs[0].tensor), y, read_tensor(tensor("y", {M, N}, want), "y"));
  EXPECT_TRUE(r.pass) << r.why;
  fmt::print("gemm: max relative error {:.3g}\n", r.max_rel);
  EXPECT_LT(r.max_rel, 7e-6);  // measured 2.4e-6
}

TEST(OnnxRun, Float16MatMulRoundsTheF32SumBackToF16) {
  const uint32_t M = 3, K = 40, N = 4;
  auto h = [](float v) { return num::from_double<num::kF16>(v); };
  std::vector<uint32_t> a, b;
  for (float v : randn(M * K, 4)) a.push_back(h(v));
  for (float v : randn(K * N, 5)) b.push_back(h(v));
  onnx::ModelProto m;
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  auto* n = g->add_node();
  n->set_op_type("MatMul");
  for (const char* i : {"a", "b"}) n->add_input(i);
  n->add_output()->assign(1, 'y');  // (a string literal here trips GCC 12 -Wrestrict)
  for (const char* i : {"a", "b"}) {
    auto* vi = g->add_input();
    vi->set_name(i);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(TP::FLOAT16);
  }
  g->add_output()->set_name("y");
  auto f16 = [](const std::string& name, std::vector<int64_t> dims, const std::vector<uint32_t>& v) {
    TP t;
    t.set_name(name);
    t.set_data_type(TP::FLOAT16);
    for (int64_t d : dims) t.add_dims(d);
    for (uint32_t x : v) t.add_int32_data(int32_t(x));
    return read_tensor(t, name);
  };
  const OnnxImport imp = import_onnx(m, {f16("a", {M, K}, a), f16("b", {K, N}, b)}, "mm16");
  EXPECT_EQ(imp.graph.tensor(imp.outputs[0].tensor).dtype, isa::DType::f16);
  const std::vector<uint32_t> y = run(imp, "mini");
  double worst = 0;  // in f16 ulps of the exact sum
  for (uint32_t i = 0; i < M; ++i)
    for (uint32_t j = 0; j < N; ++j) {
      double s = 0;
      for (uint32_t k = 0; k < K; ++k)
        s += num::to_double<num::kF16>(a[i * K + k]) * num::to_double<num::kF16>(b[k * N + j]);
      const double got = num::to_double<num::kF16>(y[i * N + j]);
      EXPECT_LE(std::fabs(got - s), std::ldexp(std::fabs(s), -10) + 1e-6) << i << "," << j;  // one f16 rounding
      worst = std::max(worst, std::fabs(got - s) / std::ldexp(std::fabs(s), -10));
    }
  fmt::print("f16 matmul: max error {:.3g} ulp of the exact sum\n", worst);
}

// One pooling node `op` on x[2, 3, 5, 4] (a graph input), with `setup` adding attributes.
onnx::ModelProto pool_model(const std::string& op, const std::function<void(onnx::NodeProto*)>& setup = {}) {
  onnx::ModelProto m;
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name("pool");
  n->add_input(std::string("x"));
  n->add_output(std::string("y"));
  if (setup) setup(n);
  auto* vi = g->add_input();
  vi->set_name("x");
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(TP::FLOAT);
  g->add_output()->set_name("y");
  return m;
}

// PyTorch exports no GlobalMaxPool (tests/onnx/torch_models.py covers the others).
TEST(OnnxRun, GlobalMaxPoolIsTheMaximumOverEverySpatialAxis) {
  const auto x = randn(2 * 3 * 5 * 4, 4);
  const OnnxImport imp =
      import_onnx(pool_model("GlobalMaxPool"), {read_tensor(tensor("x", {2, 3, 5, 4}, x), "x")}, "gmp");
  EXPECT_EQ(imp.graph.tensor(imp.outputs[0].tensor).shape, (std::vector<uint32_t>{2, 3, 1, 1}));
  const std::vector<uint32_t> y = run(imp, "mini");
  ASSERT_EQ(y.size(), 6u);
  for (size_t c = 0; c < 6; ++c)
    EXPECT_EQ(std::bit_cast<float>(y[c]),
              *std::max_element(x.begin() + ptrdiff_t(c * 20), x.begin() + ptrdiff_t(c * 20 + 20)))
        << "channel " << c;  // a maximum is exact
}

// A window whose views would move more values than the compiler takes is a
// located error at import, not a compile that runs for minutes.
TEST(OnnxRun, APoolTooLargeToDecomposeIsRefusedByName) {
  const auto m = pool_model("MaxPool", [](onnx::NodeProto* n) {
    auto* k = n->add_attribute();
    k->set_name("kernel_shape");
    k->set_type(onnx::AttributeProto::INTS);
    k->add_ints(1);
    k->add_ints(1);
  });
  const auto x = randn(2 * 3 * 5 * 4, 5);
  EXPECT_NO_THROW(import_onnx(m, {read_tensor(tensor("x", {2, 3, 5, 4}, x), "x")}, "small"));
  const std::vector<float> big(size_t(1) << 22, 1.0f);
  try {
    import_onnx(m, {read_tensor(tensor("x", {1, 1, 2048, 2048}, big), "x")}, "big");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'pool' (MaxPool): 1 kernel positions x 4194304 outputs"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tsp::compiler
