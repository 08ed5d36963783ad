// The ONNX front end: TensorProto reading, import (ops, attributes and their
// errors, which must name the node), and the tolerance check. Models are built
// here with the protobuf API; expected values are written out by hand.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>

#include "common/error.hpp"
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

TP f32_tensor(const std::string& name, std::vector<int64_t> dims, std::vector<float> v) {
  TP t;
  t.set_name(name);
  t.set_data_type(TP::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float x : v) t.add_float_data(x);
  return t;
}

TEST(OnnxTensor, ReadsRawAndTypedFields) {
  const OnnxTensor a = read_tensor(f32_tensor("a", {2}, {1.5f, -2.0f}), "t");
  EXPECT_EQ(a.dtype, isa::DType::f32);
  EXPECT_EQ(a.shape, (std::vector<uint32_t>{2}));
  EXPECT_EQ(a.bits, (std::vector<uint32_t>{0x3FC00000u, 0xC0000000u}));

  TP raw;  // int16 little-endian raw bytes: 1, -2
  raw.set_data_type(TP::INT16);
  raw.add_dims(2);
  raw.set_raw_data(std::string("\x01\x00\xFE\xFF", 4));
  EXPECT_EQ(read_tensor(raw, "t").bits, (std::vector<uint32_t>{1u, 0xFFFEu}));

  TP h;  // float16 bit patterns travel in int32_data
  h.set_data_type(TP::FLOAT16);
  h.add_dims(1);
  h.add_int32_data(0x3C00);
  EXPECT_EQ(read_tensor(h, "t").dtype, isa::DType::f16);
  EXPECT_EQ(read_tensor(h, "t").bits[0], 0x3C00u);

  TP l;  // int64 narrowed to i32
  l.set_data_type(TP::INT64);
  l.add_dims(2);
  l.add_int64_data(-3);
  l.add_int64_data(7);
  EXPECT_EQ(read_tensor(l, "t").dtype, isa::DType::i32);
  EXPECT_EQ(read_tensor(l, "t").bits, (std::vector<uint32_t>{0xFFFFFFFDu, 7u}));

  TP b;  // bool: u8 0/1
  b.set_data_type(TP::BOOL);
  b.add_dims(2);
  b.set_raw_data(std::string("\x00\x01", 2));
  EXPECT_EQ(read_tensor(b, "t").dtype, isa::DType::u8);
  EXPECT_EQ(read_tensor(b, "t").bits, (std::vector<uint32_t>{0u, 1u}));
}

TEST(OnnxTensor, ErrorsNameTheTensorAndWhy) {
  TP l;
  l.set_name("idx");
  l.set_data_type(TP::INT64);
  l.add_dims(1);
  l.add_int64_data(int64_t{1} << 40);
  EXPECT_EQ(error_of([&] { read_tensor(l, "in.pb"); }),
            "in.pb: error: tensor 'idx': int64 element 0 = 1099511627776 does not fit int32 (the chip's widest "
            "integer)");
  TP d;
  d.set_name("x");
  d.set_data_type(TP::DOUBLE);
  EXPECT_NE(error_of([&] { read_tensor(d, "in.pb"); }).find("tensor 'x': element type DOUBLE is not supported"),
            std::string::npos);
  TP s = f32_tensor("y", {3}, {1, 2});
  EXPECT_EQ(error_of([&] { read_tensor(s, "in.pb"); }),
            "in.pb: error: tensor 'y': shape needs 3 elements, the tensor holds 2");
  TP r;
  r.set_name("z");
  r.set_data_type(TP::FLOAT);
  r.add_dims(2);
  r.set_raw_data("abc");
  EXPECT_EQ(error_of([&] { read_tensor(r, "in.pb"); }),
            "in.pb: error: tensor 'z': raw_data holds 3 bytes, 2 elements of FLOAT need 8");
}

// Peak resident memory of this process so far, in bytes.
uint64_t peak_rss() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return uint64_t(u.ru_maxrss) * 1024;
}

// A shape is only a claim: 2^28 elements (1 GiB of element bits) backed by 4
// bytes must be an error before anything is allocated for the shape. The old
// reader allocated and zeroed first, then compared sizes: same message, but
// the peak grew by 1 GiB (and by 16 GiB for 2^32 elements).
TEST(OnnxTensor, HugeShapeWithFewBytesFailsBeforeAllocating) {
  const uint64_t before = peak_rss();
  TP r;
  r.set_name("big");
  r.set_data_type(TP::FLOAT);
  r.add_dims(16384);
  r.add_dims(16384);
  r.set_raw_data(std::string(4, '\0'));
  EXPECT_EQ(error_of([&] { read_tensor(r, "in.pb"); }),
            "in.pb: error: tensor 'big': raw_data holds 4 bytes, 268435456 elements of FLOAT need 1073741824");
  TP f = f32_tensor("big", {16384, 16384}, {1.0f});
  EXPECT_EQ(error_of([&] { read_tensor(f, "in.pb"); }),
            "in.pb: error: tensor 'big': shape needs 268435456 elements, the tensor holds 1");
  EXPECT_LT(peak_rss() - before, uint64_t{64} << 20);
}

TEST(OnnxTensor, IeeeValuesKeepSubnormals) {
  EXPECT_EQ(ieee_value(isa::DType::f16, 0x0001), std::ldexp(1.0, -24));
  EXPECT_EQ(ieee_value(isa::DType::f16, 0xC000), -2.0);
  EXPECT_EQ(ieee_value(isa::DType::f32, 0x00000001), double(std::bit_cast<float>(1u)));
  EXPECT_EQ(ieee_value(isa::DType::i8, 0xFF), -1.0);
  EXPECT_EQ(ieee_value(isa::DType::u8, 0xFF), 255.0);
}

// A model of one node on 2-D f32 inputs a, b (and c when the node takes three).
onnx::ModelProto model(const std::string& op, int inputs, int64_t opset = 13) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(opset);
  auto* g = m.mutable_graph();
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name("n1");
  for (int i = 0; i < inputs; ++i) {
    const std::string name(1, char('a' + i));
    n->add_input(name);
    auto* vi = g->add_input();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(TP::FLOAT);
  }
  n->add_output("y");
  g->add_output()->set_name("y");
  return m;
}

OnnxTensor data(std::vector<int64_t> dims, std::vector<float> v) { return read_tensor(f32_tensor("", dims, v), "t"); }

TEST(OnnxImport, ElementwiseOpsBecomeGraphNodes) {
  const OnnxImport imp = import_onnx(model("Add", 2), {data({2, 2}, {1, 2, 3, 4}), data({2, 2}, {1, 1, 1, 1})}, "m");
  ASSERT_EQ(imp.graph.nodes().size(), 1u);
  EXPECT_EQ(imp.graph.nodes()[0].op, GraphOp::Add);
  ASSERT_EQ(imp.outputs.size(), 1u);
  EXPECT_EQ(imp.outputs[0].onnx_name, "y");
  EXPECT_TRUE(imp.graph.tensor(imp.outputs[0].tensor).output);
  EXPECT_EQ(imp.opset, 13);
}

TEST(OnnxImport, ErrorsNameTheNodeAndOp) {
  const std::vector<OnnxTensor> one = {data({2, 2}, {1, 2, 3, 4})};
  EXPECT_EQ(error_of([&] { import_onnx(model("Frobnicate", 1), one, "m.onnx"); }),
            "m.onnx: error: node 'n1' (Frobnicate): unsupported op 'Frobnicate'");
  EXPECT_EQ(error_of([&] {
              import_onnx(model("Softmax", 1, 11), {data({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8})}, "m.onnx");
            }),
            "m.onnx: error: node 'n1' (Softmax): opset 11 flattens from axis 1 of a rank-3 input (opset 13 semantics "
            "or the last axis: supported)");
  auto m = model("Relu", 1);
  auto* at = m.mutable_graph()->mutable_node(0)->add_attribute();
  at->set_name("alpha");
  at->set_type(onnx::AttributeProto::FLOAT);
  EXPECT_EQ(error_of([&] { import_onnx(m, one, "m.onnx"); }),
            "m.onnx: error: node 'n1' (Relu): attribute 'alpha' is not supported");
  EXPECT_EQ(error_of([&] { import_onnx(model("Relu", 1, 18), one, "m.onnx"); }),
            "m.onnx: error: opset 18 is not supported (ai.onnx opsets 7 to 17)");
  EXPECT_EQ(error_of([&] {
              import_onnx(model("Add", 2), {one[0], data({3}, {1, 2, 3})}, "m.onnx");
            }),
            "m.onnx: error: node 'n1' (Add): operands a f32[2,2] and b f32[3] do not broadcast");
  EXPECT_EQ(error_of([&] { import_onnx(model("Relu", 1), {}, "m.onnx"); }),
            "m.onnx: error: the model has 1 data inputs, 0 tensors were given");
  // A type the op does not take: the graph builder's reason, under the ONNX node's name.
  TP i8;
  i8.set_data_type(TP::INT8);
  i8.add_dims(1);
  i8.add_int32_data(1);
  auto e = model("Exp", 1);
  e.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(TP::INT8);
  EXPECT_EQ(error_of([&] { import_onnx(e, {read_tensor(i8, "t")}, "m.onnx"); }),
            "m.onnx: error: node 'n1' (Exp): not supported on i8 (the VXM's EXP takes f16 bf16 f32)");
}

// Found by a fuzz_onnx campaign (tests/fuzz/corpus/onnx/split_without_outputs.onnx):
// the equal-parts split divided the dimension by the number of outputs, 0.
TEST(OnnxImport, SplitWithoutOutputsIsALocatedError) {
  auto m = model("Split", 1);
  m.mutable_graph()->mutable_node(0)->clear_output();
  EXPECT_EQ(error_of([&] {
              import_onnx(m, {data({2, 2}, {1, 2, 3, 4})}, "m.onnx");
            }),
            "m.onnx: error: node 'n1' (Split): has 0 outputs, output 0 is needed");
}

TEST(OnnxImport, MalformedModelFileIsAnErrorNamingTheFile) {
  const std::string path = testing::TempDir() + "/bad_model.onnx";
  std::ofstream(path) << "this is not a protobuf \xff\xff\xff";
  EXPECT_EQ(error_of([&] { load_model(path); }), path + ": error: not a serialized ONNX model (ModelProto)");
  EXPECT_EQ(error_of([&] { load_model(path + ".missing"); }), path + ".missing: error: cannot open");
}

TEST(OnnxImport, GemmTransposesAConstantOnTheHostAndAnInputOnTheChip) {
  auto m = model("Gemm", 1);
  auto* n = m.mutable_graph()->mutable_node(0);
  n->add_input("w");
  auto* t = n->add_attribute();
  t->set_name("transB");
  t->set_type(onnx::AttributeProto::INT);
  t->set_i(1);
  *m.mutable_graph()->add_initializer() = f32_tensor("w", {3, 2}, {1, 2, 3, 4, 5, 6});  // [N=3, K=2]
  const OnnxImport imp = import_onnx(m, {data({1, 2}, {1, 1})}, "m");
  const auto wt = imp.graph.find("w.T");
  ASSERT_TRUE(wt);
  EXPECT_EQ(imp.graph.tensor(*wt).shape, (std::vector<uint32_t>{2, 3}));
  const float want[] = {1, 3, 5, 2, 4, 6};
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(imp.graph.tensor(*wt).data[i], std::bit_cast<uint32_t>(want[i]));
  EXPECT_EQ(imp.graph.tensor(imp.outputs[0].tensor).shape, (std::vector<uint32_t>{1, 3}));

  auto m2 = model("Gemm", 2);
  auto* t2 = m2.mutable_graph()->mutable_node(0)->add_attribute();
  t2->set_name("transA");
  t2->set_type(onnx::AttributeProto::INT);
  t2->set_i(1);
  const OnnxImport imp2 = import_onnx(m2, {data({3, 2}, {1, 2, 3, 4, 5, 6}), data({3, 2}, {1, 2, 3, 4, 5, 6})}, "m");
  size_t transposes = 0;
  for (const Node& nd : imp2.graph.nodes()) transposes += nd.op == GraphOp::Transpose;
  EXPECT_EQ(transposes, 1u);  // a is a run-time input: transposed on the chip
  EXPECT_EQ(imp2.graph.tensor(imp2.outputs[0].tensor).shape, (std::vector<uint32_t>{2, 2}));
}

// x -> `op` (weights w, bias) -> c -> BatchNormalization (scale 2, 3; B 1,
// 1; mean 0.5, 0; var 1, 4; epsilon 0) -> y: its map a = 2, 1.5, b = 0, 1.
onnx::ModelProto batch_norm_after(const std::string& op, const TP& w, const TP& bias, bool c_is_output) {
  onnx::ModelProto m = model(op, 1);
  auto* g = m.mutable_graph();
  auto* node = g->mutable_node(0);
  node->add_input("w");
  node->add_input("bias");
  node->set_output(0, "c");
  *g->add_initializer() = w;
  *g->add_initializer() = bias;
  auto* bn = g->add_node();
  bn->set_op_type("BatchNormalization");
  bn->set_name("bn");
  for (const char* in : {"c", "scale", "B", "mean", "var"}) bn->add_input(in);
  bn->add_output("y");
  auto* eps = bn->add_attribute();
  eps->set_name("epsilon");
  eps->set_type(onnx::AttributeProto::FLOAT);
  eps->set_f(0);
  *g->add_initializer() = f32_tensor("scale", {2}, {2, 3});
  *g->add_initializer() = f32_tensor("B", {2}, {1, 1});
  *g->add_initializer() = f32_tensor("mean", {2}, {0.5f, 0});
  *g->add_initializer() = f32_tensor("var", {2}, {1, 4});
  if (c_is_output) g->add_output()->set_name("c");
  return m;
}

// x [1, 2, 1, 1] -> Conv (identity 1x1 weights, bias 0.5, -0.5) -> BatchNormalization.
onnx::ModelProto conv_batch_norm(bool conv_is_output) {
  return batch_norm_after("Conv", f32_tensor("w", {2, 2, 1, 1}, {1, 0, 0, 1}), f32_tensor("bias", {2}, {0.5f, -0.5f}),
                          conv_is_output);
}

TEST(OnnxImport, ConvFoldsTheBatchNormalizationAfterIt) {
  const OnnxImport imp = import_onnx(conv_batch_norm(false), {data({1, 2, 1, 1}, {1, 2})}, "m");
  // a = scale / sqrt(var) = 2, 1.5: the weights [C, M] scale per output
  // channel, and the bias becomes (bias - mean) * a + B.
  const auto w = imp.graph.find("y.w0"), b = imp.graph.find("y.b");
  ASSERT_TRUE(w && b);
  const float want_w[] = {2, 0, 0, 1.5f}, want_b[] = {1, 0.25f};
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(imp.graph.tensor(*w).data[i], std::bit_cast<uint32_t>(want_w[i])) << i;
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(imp.graph.tensor(*b).data[i], std::bit_cast<uint32_t>(want_b[i])) << i;
  EXPECT_FALSE(imp.graph.find("y.ax"));  // no multiply of its own
  EXPECT_EQ(imp.graph.tensor(imp.outputs[0].tensor).name, "y");

  // The Conv's output is wanted as well: the BatchNormalization stays two VXM ops.
  const OnnxImport kept = import_onnx(conv_batch_norm(true), {data({1, 2, 1, 1}, {1, 2})}, "m");
  EXPECT_TRUE(kept.graph.find("y.ax"));
  EXPECT_EQ(kept.outputs.size(), 2u);
  EXPECT_GT(kept.graph.nodes().size(), imp.graph.nodes().size());
}

TEST(OnnxImport, GemmFoldsTheBatchNormalizationAfterIt) {
  // Linear as PyTorch exports it: transB = 1, B [N, K] = [[1, 2], [3, 4]], C 0.5, -0.5.
  auto gemm_batch_norm = [](bool gemm_is_output) {
    onnx::ModelProto m = batch_norm_after("Gemm", f32_tensor("w", {2, 2}, {1, 2, 3, 4}),
                                          f32_tensor("bias", {2}, {0.5f, -0.5f}), gemm_is_output);
    auto* t = m.mutable_graph()->mutable_node(0)->add_attribute();
    t->set_name("transB");
    t->set_type(onnx::AttributeProto::INT);
    t->set_i(1);
    return m;
  };
  const OnnxImport imp = import_onnx(gemm_batch_norm(false), {data({1, 2}, {1, 1})}, "m");
  // Row j of B (output column j) scales by a[j] = 2, 1.5; C becomes (C - mean) * a + B.
  const auto b = imp.graph.find("y.B"), c = imp.graph.find("y.C");
  ASSERT_TRUE(b && c);
  const float want_b[] = {2, 4, 4.5f, 6}, want_c[] = {1, 0.25f};
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(imp.graph.tensor(*b).data[i], std::bit_cast<uint32_t>(want_b[i])) << i;
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(imp.graph.tensor(*c).data[i], std::bit_cast<uint32_t>(want_c[i])) << i;
  EXPECT_FALSE(imp.graph.find("y.ax"));
  EXPECT_EQ(imp.graph.tensor(imp.outputs[0].tensor).name, "y");

  const OnnxImport kept = import_onnx(gemm_batch_norm(true), {data({1, 2}, {1, 1})}, "m");
  EXPECT_TRUE(kept.graph.find("y.ax"));
  EXPECT_GT(kept.graph.nodes().size(), imp.graph.nodes().size());
}

TEST(OnnxImport, NamesBecomeIdentifiersWithoutCollisions) {
  auto m = model("Relu", 1);
  m.mutable_graph()->mutable_node(0)->set_input(0, "0:x");
  m.mutable_graph()->mutable_input(0)->set_name("0:x");
  m.mutable_graph()->mutable_node(0)->set_output(0, "y.hi");
  m.mutable_graph()->mutable_output(0)->set_name("y.hi");
  const OnnxImport imp = import_onnx(m, {data({1}, {1})}, "m");
  EXPECT_EQ(imp.graph.tensor(0).name, "t_0_x");
  EXPECT_EQ(imp.graph.tensor(imp.outputs[0].tensor).name, "y_hi");
  EXPECT_EQ(imp.outputs[0].onnx_name, "y.hi");
}

TEST(OnnxCheck, ToleranceIsAtolPlusRtolTimesExpected) {
  Tensor t;
  t.dtype = isa::DType::f32;
  t.shape = {3};
  const OnnxTensor want = data({3}, {1.0f, -100.0f, 0.0f});
  auto bits = [](float a, float b, float c) {
    return std::vector<uint32_t>{std::bit_cast<uint32_t>(a), std::bit_cast<uint32_t>(b), std::bit_cast<uint32_t>(c)};
  };
  const ToleranceReport ok = check_tolerance(t, bits(1.0009f, -100.09f, 0.0f), want);
  EXPECT_TRUE(ok.pass) << ok.why;
  EXPECT_EQ(ok.max_abs_index, 1u);
  EXPECT_NEAR(ok.max_abs, 0.09, 1e-5);
  EXPECT_NEAR(ok.max_rel, 9e-4, 1e-6);
  // Planted: just past 1e-7 + 1e-3 * 100 at element 1, and past atol at element 2.
  const ToleranceReport bad = check_tolerance(t, bits(1.0f, -100.11f, 2e-7f), want);
  EXPECT_FALSE(bad.pass);
  EXPECT_EQ(bad.bad, 2u);
  EXPECT_EQ(bad.why.substr(0, 11), "element 1: ");
  // NaN matches NaN only; a shape or type mismatch is a failure with a reason.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(check_tolerance(t, bits(nan, -100, 0), data({3}, {nan, -100, 0})).pass);
  EXPECT_FALSE(check_tolerance(t, bits(1, -100, 0), data({3}, {nan, -100, 0})).pass);
  EXPECT_FALSE(check_tolerance(t, bits(1, -100, 0), data({1, 3}, {1, -100, 0})).pass);
  Tensor i = t;
  i.dtype = isa::DType::i32;
  EXPECT_EQ(check_tolerance(i, {1, 2, 3}, want).why, "type i32 but the expected tensor is FLOAT");
}

}  // namespace
}  // namespace tsp::compiler
