#pragma once
// The ONNX importer's state, shared by the files that import ops
// (onnx_import.cpp: the op table and the driver; onnx_fold.cpp: compile-time
// evaluation; onnx_import_*.cpp: groups of ops). Internal to the front end.
//
// Every ONNX name is either a graph tensor (run-time values: inputs and what
// chip ops compute) or a known value (HostValue: initializers, Constant,
// folded results). A known value becomes a Const tensor the first time a chip
// op takes it (`input`), under the identifier reserved for it when it was
// defined.
#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/ir.hpp"
#include "firmware/compiler/onnx_host_value.hpp"
#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/onnx_import.hpp"

namespace tsp::compiler {

std::string shape_str(const std::vector<uint32_t>& s);  // op_rules.cpp
std::string shape_str(const std::vector<int64_t>& s);   // ONNX's shapes, "[2,3]"

class Importer;
using ImportFn = std::function<void(Importer&, const onnx::NodeProto&)>;

class Importer {
 public:
  Importer(const onnx::ModelProto& m, std::string source) : m_(m), src_(std::move(source)) {}

  // --- for the op functions ---
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& why) const;
  // Checks that the node has only attributes from `allowed`.
  void attributes(const onnx::NodeProto& n, std::initializer_list<std::string_view> allowed) const;
  int64_t int_attr(const onnx::NodeProto& n, std::string_view name, int64_t dflt) const;
  float float_attr(const onnx::NodeProto& n, std::string_view name, float dflt) const;
  std::optional<std::vector<int64_t>> ints_attr(const onnx::NodeProto& n, std::string_view name) const;
  const onnx::AttributeProto* attr(const onnx::NodeProto& n, std::string_view name) const;
  bool has_attr(const onnx::NodeProto& n, std::string_view name) const { return attr(n, name) != nullptr; }
  // Input `i` as a graph tensor (must be present unless `optional`; absent:
  // nullopt). A known value becomes a Const tensor here.
  std::optional<TensorId> input(const onnx::NodeProto& n, int i, bool optional = false);
  TensorId in(const onnx::NodeProto& n, int i) { return *input(n, i); }
  // Input `i` when it is known at compile time, else nullptr (also when absent).
  // `data`: a graph input's values count as known too (for ops that only
  // exist at compile time, such as Range: the image is compiled for them).
  const HostValue* known(const onnx::NodeProto& n, int i, bool data = false) const;
  // Whether input `i` is present (a non-empty name).
  static bool present(const onnx::NodeProto& n, int i) { return i < n.input_size() && !n.input(i).empty(); }
  // Input `i`'s ONNX shape, known or run-time (a run-time scalar reads as [1] unless it was a graph input).
  std::vector<int64_t> onnx_shape(const onnx::NodeProto& n, int i) const;
  void arity(const onnx::NodeProto& n, int min_in, int max_in) const;
  // The graph name of the node's output `k` (a node without it is a located
  // error: protobuf's own index check aborts the process; found by fuzz_onnx).
  std::string out_name(const onnx::NodeProto& n, int k = 0) { return ident(output(n, k)); }
  void define(const onnx::NodeProto& n, TensorId t, int k = 0) { names_[output(n, k)] = t; }
  const std::string& output(const onnx::NodeProto& n, int k) const {
    if (k < 0 || k >= n.output_size()) fail(n, fmt::format("has {} outputs, output {} is needed", n.output_size(), k));
    return n.output(k);
  }
  void define_known(const onnx::NodeProto& n, HostValue v, int k = 0);
  int64_t opset() const { return opset_; }
  Where where() const { return Where{src_, 0}; }
  Graph& graph() { return g_; }
  const std::string& source() const { return src_; }
  // A constant's transpose, made on the host (cached per tensor).
  std::optional<TensorId> host_transpose(TensorId t);
  static std::string node_name(const onnx::NodeProto& n) {
    return !n.name().empty() ? n.name() : n.output_size() ? n.output(0) : "?";
  }

  // The one node that takes `name` as an input, if exactly one does and
  // `name` is no graph output (an op may then fold that node into its own,
  // as Conv folds a BatchNormalization); else nullptr.
  const onnx::NodeProto* sole_consumer(const std::string& name) const;
  // `n` is folded into an earlier node, which defines its outputs: the driver skips it.
  void absorb(const onnx::NodeProto& n) { absorbed_.insert(&n); }

  void set_fold_hook(FoldHook h) { fold_hook_ = std::move(h); }
  void set_options(const ImportOptions& o) { options_ = o; }
  const ImportOptions& options() const { return options_; }
  // `x`'s rows quantised to int8 (MatmulPrecision::Int8), once for every
  // MatMul that reads x (a BERT layer's q, k and v share one).
  const QuantisedRows& quantised_rows(TensorId x);
  // The driver (onnx_import.cpp).
  OnnxImport run(const std::vector<OnnxTensor>& data);

 private:
  struct Known {
    HostValue v;
    std::string ident;  // the Const tensor's name, reserved when defined
  };
  // ONNX names may hold any character: map them to unique identifiers without
  // '.', so names the compiler derives ("y.hi") never collide with them.
  std::string ident(const std::string& name);
  TensorId materialise(const onnx::NodeProto* n, const std::string& name, const Known& k);

  const onnx::ModelProto& m_;
  std::string src_;
  Graph g_;
  std::map<std::string, TensorId> names_;
  std::map<std::string, Known> known_;
  std::map<std::string, std::vector<int64_t>> input_shapes_;  // graph inputs' ONNX shapes
  std::map<std::string, HostValue> input_values_;             // graph inputs' data
  std::set<std::string> used_;
  struct Uses {
    int count = 0;
    const onnx::NodeProto* node = nullptr;  // the last consumer
  };
  std::map<std::string, Uses> uses_;  // per name: inputs of nodes and graph outputs that take it
  std::set<const onnx::NodeProto*> absorbed_;
  void check_declared(const onnx::ValueInfoProto& vi, const OnnxTensor& t) const;
  std::map<TensorId, TensorId> transposed_;
  std::map<TensorId, QuantisedRows> quantised_;
  int64_t opset_ = 0;
  FoldHook fold_hook_;
  ImportOptions options_;
};

// Compile-time evaluation (onnx_fold.cpp): when every input of `n` is known
// and its op folds, defines its outputs as known values and returns true.
// Ops that only exist at compile time (Constant, Shape, ConstantOfShape,
// Range) fail here, naming the node, when an input is computed on the chip.
bool fold_node(Importer& im, const onnx::NodeProto& n);
// The output shape of Reshape, Flatten, Squeeze or Unsqueeze node `n` for input shape `in`
// (their attributes and known inputs checked; errors name the node).
std::vector<int64_t> onnx_reshape_target(Importer& im, const onnx::NodeProto& n, const std::vector<int64_t>& in);
// Whether the op has a host evaluation (for the message when it cannot run on the chip).
bool foldable_op(std::string_view op_type);

// Import functions of op groups, each in its own file; the table in onnx_import.cpp names them.
// onnx_import_elementwise.cpp
void import_div(Importer& im, const onnx::NodeProto& n);
void import_pow(Importer& im, const onnx::NodeProto& n);
void import_neg(Importer& im, const onnx::NodeProto& n);
void import_abs(Importer& im, const onnx::NodeProto& n);
void import_min_max(Importer& im, const onnx::NodeProto& n, GraphOp op);
void import_clip(Importer& im, const onnx::NodeProto& n);
void import_where(Importer& im, const onnx::NodeProto& n);
void import_compare(Importer& im, const onnx::NodeProto& n);
void import_logic(Importer& im, const onnx::NodeProto& n);
void import_erf(Importer& im, const onnx::NodeProto& n);
void import_leaky_relu(Importer& im, const onnx::NodeProto& n);
void import_reciprocal(Importer& im, const onnx::NodeProto& n);
void import_sum_mean(Importer& im, const onnx::NodeProto& n);
void import_hard_sigmoid(Importer& im, const onnx::NodeProto& n);
void import_hard_swish(Importer& im, const onnx::NodeProto& n);
void import_batch_norm(Importer& im, const onnx::NodeProto& n);
void import_arg_extreme(Importer& im, const onnx::NodeProto& n, bool max);  // ArgMax (max) and ArgMin
// ReduceMin as -ReduceMax(-x): exact for floats, and for integers above the least.
TensorId reduce_min(Graph& g, const std::string& y, TensorId x, const Attrs& at, const Where& where);
void import_hardmax(Importer& im, const onnx::NodeProto& n);
// BatchNormalization node `n` on `channels` channels as y = x * a + b per
// channel (a = scale / sqrt(var + eps), b = B - mean * a, in double); errors name `n`.
struct ChannelAffine {
  std::vector<double> a, b;
};
ChannelAffine batch_norm_affine(Importer& im, const onnx::NodeProto& n, int64_t channels);
// The BatchNormalization that takes node `n`'s only output and that nothing
// else takes (no other consumer, no graph output), when its map on
// `channels` channels is known: Conv and Gemm fold it into their weights and
// bias (defining its output, the driver skipping it). nullptr and nullopt
// otherwise: a BatchNormalization that does not fold says why when imported.
const onnx::NodeProto* batch_norm_after(const Importer& im, const onnx::NodeProto& n);
std::optional<ChannelAffine> folded_batch_norm(Importer& im, const onnx::NodeProto& bn, int64_t channels);
// onnx_import_reshape.cpp: Reshape, Flatten, Squeeze, Unsqueeze of a run-time tensor
void import_reshape(Importer& im, const onnx::NodeProto& n);
// a x b for float operands (f32 through f32_matmul; f16/bf16 rounded back from the f32 sum), errors naming `n`
TensorId matmul2d(Importer& im, const onnx::NodeProto& n, const std::string& y, TensorId a, TensorId b);
// onnx_import_conv.cpp
void import_conv(Importer& im, const onnx::NodeProto& n);
// A float constant of `shape` holding `values` rounded once to `dtype` (f32, f16, bf16).
TensorId float_constant(Graph& g, const std::string& name, isa::DType dtype, const std::vector<int64_t>& shape,
                        const std::vector<double>& values, const Where& where);
// onnx_import_lstm.cpp
void import_lstm(Importer& im, const onnx::NodeProto& n);
// onnx_import_pool.cpp
void import_max_pool(Importer& im, const onnx::NodeProto& n);
void import_average_pool(Importer& im, const onnx::NodeProto& n);
void import_global_max_pool(Importer& im, const onnx::NodeProto& n);
void import_global_average_pool(Importer& im, const onnx::NodeProto& n);

}  // namespace tsp::compiler
