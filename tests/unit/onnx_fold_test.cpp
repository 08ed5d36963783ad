// The ONNX importer's compile-time folding (onnx_fold.cpp) and its
// elementwise compositions (onnx_import_elementwise.cpp): shape arithmetic as
// PyTorch exports it vanishes before the chip; Div, Pow and Erf through the
// expansion and the host reference (the chip's exact arithmetic) against
// double precision; planted errors (a folded shape off by one, a reciprocal a
// few ulps off) are caught.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/activation.hpp"
#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/onnx_check.hpp"
#include "firmware/compiler/onnx_import.hpp"
#include "firmware/compiler/reference.hpp"

namespace tsp::compiler {
namespace {

using TP = onnx::TensorProto;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A model built node by node; graph inputs f32 unless given.
struct ModelBuilder {
  onnx::ModelProto m;
  explicit ModelBuilder(int64_t opset = 17) {
    m.set_ir_version(8);
    auto* os = m.add_opset_import();
    os->set_domain("");
    os->set_version(opset);
  }
  onnx::GraphProto& g() { return *m.mutable_graph(); }
  ModelBuilder& input(const std::string& name, int32_t type = TP::FLOAT) {
    auto* vi = g().add_input();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(type);
    return *this;
  }
  ModelBuilder& output(const std::string& name) {
    g().add_output()->set_name(name);
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, std::vector<std::string> ins, const std::string& out) {
    auto* n = g().add_node();
    n->set_op_type(op);
    n->set_name(out + "_node");
    for (const auto& i : ins) n->add_input(i);
    n->add_output(out);
    return *n;
  }
  // A Constant node of int64 values (a 1-D tensor, or a scalar when `scalar`).
  void ints(const std::string& out, std::vector<int64_t> v, bool scalar = false) {
    auto* a = node("Constant", {}, out).add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(TP::INT64);
    if (!scalar) t->add_dims(int64_t(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
  }
  void floats(const std::string& out, std::vector<float> v) {
    auto* a = node("Constant", {}, out).add_attribute();
    a->set_name("value_floats");
    a->set_type(onnx::AttributeProto::FLOATS);
    for (float x : v) a->add_floats(x);
  }
};

void int_attr(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

OnnxTensor f32(std::vector<uint32_t> shape, std::vector<float> v) {
  OnnxTensor t;
  t.onnx_type = TP::FLOAT;
  t.dtype = isa::DType::f32;
  t.shape = std::move(shape);
  for (float x : v) t.bits.push_back(std::bit_cast<uint32_t>(x));
  return t;
}

std::vector<int64_t> ints_of(const Tensor& t) {
  std::vector<int64_t> v;
  for (uint32_t b : t.data) v.push_back(int32_t(b));
  return v;
}

// Shape arithmetic the way torch.onnx exports x.view(x.shape[0] * 3, -1):
// Shape, Gather, Mul, Unsqueeze, Concat fold, leaving one chip node.
ModelBuilder view_model() {
  ModelBuilder b;
  b.input("x").output("y");
  b.node("Shape", {"x"}, "s");
  b.ints("i0", {0}, true);
  b.node("Gather", {"s", "i0"}, "d0");
  b.ints("three", {3}, true);
  b.node("Mul", {"d0", "three"}, "d0x3");
  b.ints("ax0", {0});
  b.node("Unsqueeze", {"d0x3", "ax0"}, "u");
  b.node("Shape", {"x"}, "s2");
  b.ints("last", {-1});
  b.ints("big", {std::numeric_limits<int64_t>::max()});
  b.node("Slice", {"s2", "last", "big"}, "dl");  // [4]: the last dimension
  b.node("Concat", {"u", "dl"}, "shape");
  int_attr(*b.g().mutable_node(b.g().node_size() - 1), "axis", 0);
  b.node("Reshape", {"x", "shape"}, "y");
  return b;
}

TEST(OnnxFold, ShapeArithmeticVanishesBeforeTheChip) {
  const ModelBuilder b = view_model();
  std::vector<float> x(2 * 3 * 4, 1.0f);
  const OnnxImport imp = import_onnx(b.m, {f32({2, 3, 4}, x)}, "m");
  ASSERT_EQ(imp.graph.nodes().size(), 1u);  // only the reshape
  EXPECT_EQ(imp.graph.nodes()[0].op, GraphOp::Reshape);
  EXPECT_EQ(imp.graph.tensor(imp.outputs[0].tensor).shape, (std::vector<uint32_t>{6, 4}));
  for (const Tensor& t : imp.graph.tensors()) EXPECT_NE(t.kind, TensorKind::Const) << t.name;  // nothing left over
}

TEST(OnnxFold, APlantedOffByOneInAFoldedShapeIsCaught) {
  const ModelBuilder b = view_model();
  std::vector<float> x(2 * 3 * 4, 1.0f);
  // A Shape folded one too large: the reshape's element count no longer matches, named at the node.
  const FoldHook plant = [](const std::string& op, HostValue& v) {
    if (op == "Shape") ++v.ints[0];
  };
  EXPECT_EQ(error_of([&] {
              import_onnx(b.m, {f32({2, 3, 4}, x)}, "m.onnx", plant);
            }),
            "m.onnx: error: node 'y_node' (Reshape): cannot reshape [2,3,4] to [9,4]");
  // A folded graph output (Shape of x) against ONNX's expected values: the tolerance check catches it.
  ModelBuilder s;
  s.input("x").output("y");
  s.node("Shape", {"x"}, "y");
  const OnnxImport good = import_onnx(s.m, {f32({2, 3, 4}, x)}, "m");
  const OnnxImport bad = import_onnx(s.m, {f32({2, 3, 4}, x)}, "m", plant);
  OnnxTensor want;
  want.onnx_type = TP::INT64;
  want.dtype = isa::DType::i32;
  want.shape = {3};
  want.bits = {2, 3, 4};
  const Tensor& tg = good.graph.tensor(good.outputs[0].tensor);
  const Tensor& tb = bad.graph.tensor(bad.outputs[0].tensor);
  EXPECT_TRUE(check_tolerance(tg, tg.data, want).pass);
  EXPECT_FALSE(check_tolerance(tb, tb.data, want).pass);
}

// The causal-mask pattern of a decoder export: ConstantOfShape, Equal, Where,
// Expand, Range, Less, Cast on known values, one constant at the end.
TEST(OnnxFold, MaskPatternFoldsToAConstant) {
  ModelBuilder b;
  b.output("mask");
  b.ints("n", {3});
  b.node("ConstantOfShape", {"n"}, "ones");
  auto* v = b.g().mutable_node(b.g().node_size() - 1)->add_attribute();
  v->set_name("value");
  v->set_type(onnx::AttributeProto::TENSOR);
  v->mutable_t()->set_data_type(TP::INT64);
  v->mutable_t()->add_dims(1);
  v->mutable_t()->add_int64_data(1);
  b.ints("m1", {-1});
  b.node("Equal", {"ones", "m1"}, "eq");  // all false
  b.ints("zero3", {0, 0, 0});
  b.node("Where", {"eq", "zero3", "ones"}, "w");  // [1,1,1]
  b.ints("start", {0}, true);
  b.ints("lim", {3}, true);
  b.ints("one", {1}, true);
  b.node("Range", {"start", "lim", "one"}, "r");  // [0,1,2]
  b.ints("ax1", {1});
  b.node("Unsqueeze", {"r", "ax1"}, "col");  // [3,1]
  b.node("Less", {"r", "col"}, "lt");        // lt[i][j] = j < i
  b.node("Cast", {"lt"}, "ltf");
  int_attr(*b.g().mutable_node(b.g().node_size() - 1), "to", TP::FLOAT);
  b.ints("shape", {3, 3});
  b.node("Expand", {"w", "shape"}, "wx");
  b.node("Cast", {"wx"}, "wxf");
  int_attr(*b.g().mutable_node(b.g().node_size() - 1), "to", TP::FLOAT);
  b.floats("neg", {-2.0f});
  b.node("Mul", {"ltf", "neg"}, "ltn");
  b.node("Add", {"ltn", "wxf"}, "mask");  // 1 on and above the diagonal, -1 below
  const OnnxImport imp = import_onnx(b.m, {}, "m");
  EXPECT_TRUE(imp.graph.nodes().empty());
  const Tensor& t = imp.graph.tensor(imp.outputs[0].tensor);
  EXPECT_EQ(t.kind, TensorKind::Const);
  EXPECT_EQ(t.shape, (std::vector<uint32_t>{3, 3}));
  const float want[] = {1, 1, 1, -1, 1, 1, -1, -1, 1};
  for (size_t i = 0; i < 9; ++i) EXPECT_EQ(t.data[i], std::bit_cast<uint32_t>(want[i])) << i;
}

// torch.full((T, T), -inf).triu(1) with T from a shape: ConstantOfShape, Trilu (k = 1) fold.
TEST(OnnxFold, TriluOfAKnownValueFolds) {
  ModelBuilder b;
  b.output("y");
  b.ints("n", {2, 3});
  b.node("ConstantOfShape", {"n"}, "ones");
  auto* v = b.g().mutable_node(b.g().node_size() - 1)->add_attribute();
  v->set_name("value");
  v->set_type(onnx::AttributeProto::TENSOR);
  v->mutable_t()->set_data_type(TP::FLOAT);
  v->mutable_t()->add_dims(1);
  v->mutable_t()->add_float_data(-5.0f);
  b.ints("k", {1}, true);
  b.node("Trilu", {"ones", "k"}, "y");
  const OnnxImport imp = import_onnx(b.m, {}, "m");
  const Tensor& t = imp.graph.tensor(imp.outputs[0].tensor);
  const float want[] = {0, -5, -5, 0, 0, -5};
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(t.data[i], std::bit_cast<uint32_t>(want[i])) << i;
}

TEST(OnnxFold, SliceSqueezeAndNarrowingFollowOnnx) {
  ModelBuilder b;
  b.output("y").output("z");
  b.ints("v", {10, 11, 12, 13, 14});
  b.ints("st", {-1});
  b.ints("en", {std::numeric_limits<int64_t>::min()});
  b.ints("ax", {0});
  b.ints("sp", {-2});
  b.node("Slice", {"v", "st", "en", "ax", "sp"}, "y");  // [14, 12, 10]
  b.ints("big", {int64_t{1} << 40});
  b.node("Identity", {"big"}, "z");
  EXPECT_EQ(error_of([&] { import_onnx(b.m, {}, "m.onnx"); }),
            "m.onnx: error: graph output known value 'z': int64 element 0 = 1099511627776 does not fit int32 (the "
            "chip's widest integer)");
  b.g().mutable_output()->RemoveLast();
  const OnnxImport imp = import_onnx(b.m, {}, "m");
  EXPECT_EQ(ints_of(imp.graph.tensor(imp.outputs[0].tensor)), (std::vector<int64_t>{14, 12, 10}));
}

TEST(OnnxFold, CompileTimeOnlyOpsNameTheNodeWhenAnInputIsComputed) {
  ModelBuilder b;
  b.input("x").output("y");
  b.node("Relu", {"x"}, "r");
  b.node("ConstantOfShape", {"r"}, "y");
  EXPECT_EQ(error_of([&] {
              import_onnx(b.m, {f32({2}, {1, 2})}, "m.onnx");
            }),
            "m.onnx: error: node 'y_node' (ConstantOfShape): input 'r' is computed on the chip: ConstantOfShape is "
            "only evaluated at compile time");
}

// --- elementwise compositions against double precision ---

struct NodeRun {
  std::vector<double> got;
};

// One ONNX node `op` with f32 inputs a (and b), through import, expansion and the host reference.
NodeRun run_node(const std::string& op, const std::vector<float>& a, const std::vector<float>& b,
                 const std::function<void(ModelBuilder&)>& extra = {}) {
  ModelBuilder m;
  m.input("a").output("y");
  std::vector<std::string> ins = {"a"};
  std::vector<OnnxTensor> data = {f32({uint32_t(a.size())}, a)};
  if (!b.empty()) {
    m.input("b");
    ins.push_back("b");
    data.push_back(f32({uint32_t(b.size())}, b));
  }
  if (extra) extra(m);  // defines "b" as a Constant
  if (b.empty() && extra) ins.push_back("b");
  m.node(op, ins, "y");
  const OnnxImport imp = import_onnx(m.m, data, "m");
  const Graph e = expand(imp.graph, *isa::find_config("mini"));
  const auto v = run_reference(e, 32);
  NodeRun r;
  for (uint32_t bits : v[*e.find(imp.graph.tensor(imp.outputs[0].tensor).name)])
    r.got.push_back(num::to_double<num::kF32>(bits));
  return r;
}

double max_rel(const std::vector<double>& got, const std::vector<double>& want) {
  double m = 0;
  for (size_t i = 0; i < got.size(); ++i) m = std::max(m, std::fabs(got[i] - want[i]) / std::fabs(want[i]));
  return m;
}

std::vector<float> wide_positive(size_t n, uint32_t seed) {  // magnitudes 1e-18 .. 1e18, normal results
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> e(-18, 18), m(1, 10);
  std::vector<float> v;
  for (size_t i = 0; i < n; ++i) v.push_back(float(m(rng) * std::pow(10.0, e(rng))));
  return v;
}

// x / y as x * recip(y): within 2.5e-7 relative (about 2 ulps) of the double quotient.
constexpr double kDivBound = 2.5e-7;

TEST(OnnxElementwise, DivIsWithinTwoUlpsAndAPlantedReciprocalErrorIsCaught) {
  std::vector<float> x = wide_positive(400, 1), y = wide_positive(400, 2);
  for (size_t i = 0; i < x.size(); i += 3) x[i] = -x[i];
  for (size_t i = 0; i < y.size(); i += 2) y[i] = -y[i];
  std::vector<double> want;
  for (size_t i = 0; i < x.size(); ++i) want.push_back(double(x[i]) / double(y[i]));
  const double err = max_rel(run_node("Div", x, y).got, want);
  EXPECT_LE(err, kDivBound);
  std::printf("div: max rel err %.3g\n", err);
  // A known divisor: the reciprocal is rounded on the host.
  const NodeRun k = run_node("Div", x, {}, [&](ModelBuilder& m) { m.floats("b", {3.0f}); });
  std::vector<double> want3;
  for (float v : x) want3.push_back(double(v) / 3.0);
  const double err3 = max_rel(k.got, want3);
  std::printf("div by a known 3: max rel err %.3g\n", err3);
  EXPECT_LE(err3, kDivBound);
  // Planted: the reciprocal four ulps off (y * (1 + 2^-21)); the same check must fail.
  std::vector<float> yp;
  for (float v : y) yp.push_back(float(double(v) * (1 + 0x1p-21)));
  EXPECT_GT(max_rel(run_node("Div", x, yp).got, want), kDivBound);
}

TEST(OnnxElementwise, IntegerDivIsANamedError) {
  ModelBuilder m;
  m.input("a", TP::INT32).input("b", TP::INT32).output("y");
  m.node("Div", {"a", "b"}, "y");
  OnnxTensor t;
  t.onnx_type = TP::INT32;
  t.dtype = isa::DType::i32;
  t.shape = {1};
  t.bits = {7};
  EXPECT_EQ(error_of([&] {
              import_onnx(m.m, {t, t}, "m.onnx");
            }),
            "m.onnx: error: node 'y_node' (Div): integer division (i32) is not supported: the VXM has no divide, and a "
            "float reciprocal does not truncate exactly");
}

TEST(OnnxElementwise, PowWithAKnownExponentAgainstDouble) {
  std::vector<float> x = wide_positive(200, 3);
  struct Case {
    float p;
    double bound;
  };
  // Products round once per multiply; 0.5 is the sqrt composition; -0.5 RSQRT (docs/numerics.md).
  for (const Case c : {Case{1, 0}, Case{2, 6.0e-8}, Case{3, 1.2e-7}, Case{5, 2.4e-7}, Case{-1, 1.0e-7},
                       Case{-2, 2.5e-7}, Case{0.5, 1.2e-7}, Case{-0.5, 2.4e-7}, Case{0, 0}}) {
    std::vector<float> xs;  // keep x^p a normal f32; negative bases for integer exponents
    for (size_t i = 0; i < x.size(); ++i)
      if (std::fabs(std::log10(double(x[i])) * c.p) < 36) xs.push_back(i % 2 && c.p == std::floor(c.p) ? -x[i] : x[i]);
    const NodeRun r = run_node("Pow", xs, {}, [&](ModelBuilder& m) { m.floats("b", {c.p}); });
    std::vector<double> want;
    for (float v : xs) want.push_back(std::pow(double(v), double(c.p)));
    const double err = max_rel(r.got, want);
    std::printf("pow %g: max rel err %.3g over %zu values\n", double(c.p), err, xs.size());
    EXPECT_LE(err, c.bound) << "p = " << c.p;
  }
  EXPECT_EQ(error_of([&] {
              run_node("Pow", {1, 2}, {2, 2});
            }),
            "m: error: node 'y_node' (Pow): the exponent 'b' is computed on the chip: only a known exponent is "
            "supported");
  EXPECT_EQ(error_of([&] {
              run_node("Pow", {1, 2}, {}, [](ModelBuilder& m) { m.floats("b", {1.5f}); });
            }),
            "m: error: node 'y_node' (Pow): exponent 1.5 is not supported (integers up to 64 in magnitude, 0.5, -0.5)");
}

// Not has only opset-1 node tests (below the importer's 7): 1 - x on u8 0/1.
TEST(OnnxElementwise, NotOfBools) {
  ModelBuilder m;
  m.input("a", TP::BOOL).output("y");
  m.node("Not", {"a"}, "y");
  OnnxTensor t;
  t.onnx_type = TP::BOOL;
  t.dtype = isa::DType::u8;
  t.shape = {4};
  t.bits = {0, 1, 1, 0};
  const OnnxImport imp = import_onnx(m.m, {t}, "m");
  const Graph e = expand(imp.graph, *isa::find_config("mini"));
  EXPECT_EQ(run_reference(e, 32)[*e.find("y")], (std::vector<uint32_t>{1, 0, 0, 1}));
}

// HardSigmoid's node tests are opset 6 (below the importer's 7): max(0, min(1, alpha x + beta)) against double.
TEST(OnnxElementwise, HardSigmoidAgainstDouble) {
  ModelBuilder m;
  m.input("a").output("y");
  auto& nd = m.node("HardSigmoid", {"a"}, "y");
  auto* al = nd.add_attribute();
  al->set_name("alpha");
  al->set_type(onnx::AttributeProto::FLOAT);
  al->set_f(0.5f);
  const std::vector<float> x = {-3, -1, -0.25f, 0, 0.3f, 0.9f, 1, 2.5f};
  const OnnxImport imp = import_onnx(m.m, {f32({uint32_t(x.size())}, x)}, "m");
  const Graph e = expand(imp.graph, *isa::find_config("mini"));
  const auto got = run_reference(e, 32)[*e.find("y")];
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = std::clamp(0.5 * double(x[i]) + 0.5, 0.0, 1.0);
    EXPECT_NEAR(num::to_double<num::kF32>(got[i]), want, 1e-7) << x[i];
  }
}

TEST(OnnxElementwise, ErfAgainstDouble) {
  std::vector<float> x;
  for (int i = -2000; i <= 2000; ++i) x.push_back(float(i * 0.003));  // [-6, 6]
  for (float v : {1e-30f, -1e-20f, 1e-6f, 0.4999f, 0.5f, 0.5001f, 9.99f, 10.0f, 1e30f, -1e30f}) x.push_back(v);
  const NodeRun r = run_node("Erf", x, {});
  double worst_abs = 0, worst_ratio = 0, worst_rel = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = std::erf(double(x[i]));
    const double err = std::fabs(r.got[i] - want);
    worst_abs = std::max(worst_abs, err);
    worst_ratio = std::max(worst_ratio, err / (kOnnxAtol + kOnnxRtol * std::fabs(want)));
    if (want != 0) worst_rel = std::max(worst_rel, err / std::fabs(want));
  }
  std::printf("erf: max abs err %.3g, max rel err %.3g, ONNX ratio %.3g\n", worst_abs, worst_rel, worst_ratio);
  EXPECT_LE(worst_rel, 4e-7);
  EXPECT_LE(worst_ratio, 0.01);
}

}  // namespace
}  // namespace tsp::compiler
