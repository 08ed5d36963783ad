#pragma once
// The compiler's input: a tensor graph. Tensors have a shape and an element
// type; nodes apply one graph op to tensors and define exactly one new tensor.
// Built from C++ (Graph's add_* methods) or from the text format of
// docs/compiler.md (parse.hpp). Every node and tensor keeps the source line it
// came from so that later passes can name it in errors.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/compiler/lazy_data.hpp"
#include "firmware/image/image.hpp"

namespace tsp::compiler {

enum class GraphOp : uint8_t {
  Add,
  Sub,
  Mul,
  Max,
  Min,
  Relu,
  Exp,
  Tanh,
  Rsqrt,
  Cast,
  MatMul,
  Sel,  // sel c a b: c != 0 ? a : b per element (c's bits tested raw)
  RmsNorm,
  LayerNorm,  // composite: expand.hpp rewrites them and the five below into chip ops
  ReduceSum,
  ReduceMean,
  ReduceMax,
  Softmax,
  Sigmoid,        // composite: 1 / (1 + exp(-x)) (compose.hpp)
  Silu,           // composite: x * sigmoid(x)
  Gelu,           // composite: x * Phi(x), erf from exp, or Attrs::gelu_tanh's tanh form
  MatMulInteger,  // a[M,K] . b[K,N] (int8/uint8) with zero points za, zb ([1], optional): i32 (a - za)(b - zb)
  Reshape,        // same elements, new shape; free when the last dimension stays (an alias)
  Permute,        // x[..., C] by an i16 map[N] (input or const): y[r, n] = x[r, map[n]] (SXM PERMUTE per byte plane)
  LaneSum,        // x[..., C] . ones[C, lanes] -> [..., 1] sums in every lane (MXM; expansion only)
  Fold,  // acc op x[rows of step j] over leading axes, or acc[.., L] op x[.., jL..jL+L) over the last (expansion only)
  Transpose,    // composite: transpose.hpp rewrites it into VecOps
  Gather,       // composite: gather.hpp rewrites it into address arithmetic and GatherRows
  VecOp,        // internal: one SXM op per output vector and byte plane over indexed input vectors (vecop.hpp)
  GatherRows,   // internal: out vector k = data vector at the SRAM address in map vector k (MEM GATHER)
  BatchMatMul,  // internal: x[B.., M, K] . w_i[K, N] per batch element (Attrs::batch); from a batched MatMul
  Concat,       // composite (movement.hpp): inputs joined along Attrs::axes[0]
  Slice,        // composite: starts/ends/steps on Attrs::axes (ONNX Slice, known values)
  Pad,          // composite: constant Attrs::value around x, Attrs::pads (ONNX order: begins, then ends)
  Neg,
  Abs,
  CmpEq,  // all-ones mask of the operands' width where a == b, else 0 (the VXM's CMPEQ)
  CmpLt,  // mask where a < b
  CmpLe,  // mask where a <= b
  // internal (system compiler, tensor_parallel.hpp): this chip's x (its column block) and the other chips' into
  // y, column block k from chip k (Attrs::bounds, Attrs::step = this chip): READs to SENDs, RECVs to WRITEs
  AllGather,
  // internal (system compiler): y = column block `step` (this chip's) of chip (step - shift mod chips)'s x (shift
  // 0: its own); the chips' exchanges of shifts 0..P-1 summed are a reduce-scatter
  Exchange,
  // internal (system compiler): y = a tensor of shape Attrs::shape that an earlier pipeline stage (Attrs::step: its
  // node) holds whole, sent over the link between the nodes and on to every chip of this one; the input is a
  // one-element placeholder of y's type
  Handoff
};
// The last op: ops.cpp holds one table row per op up to here (name, inputs, result rule, kind).
inline constexpr GraphOp kLastGraphOp = GraphOp::Handoff;
std::string_view op_name(GraphOp op);
std::optional<GraphOp> find_graph_op(std::string_view name);  // case-insensitive
// The VXM opcode that computes an elementwise op (CVT for Cast); MatMul and the composites have none.
isa::Op vxm_opcode(GraphOp op);

// Where a graph element came from: "prog.txt:12", or "<api>" (line 0) when built from C++.
struct Where {
  std::string file = "<api>";
  uint32_t line = 0;
  std::string str() const { return line ? file + ":" + std::to_string(line) : file; }
};

// Ranks above 2 are rows of rows: layout.hpp flattens every leading dimension into rows.
inline constexpr size_t kMaxRank = 6;

enum class TensorKind : uint8_t { Input, Const, Value };

struct Tensor {
  std::string name;
  isa::DType dtype = isa::DType::i8;
  std::vector<uint32_t> shape;  // rank 1..kMaxRank; the last dimension runs across lanes, the others count rows
  TensorKind kind = TensorKind::Value;
  bool output = false;
  LazyData data;  // Input/Const: one element's bits per entry, row-major (made when first read)
  Where where;
  bool pad_zero = false;  // lanes past the last column hold zero (true for data from the image)
  // Last dimension 1 and the value in every lane (a lane broadcast reads it
  // as is): image tensors of last dimension 1 are stored so, reductions over
  // the last axis produce it, elementwise ops of splat operands keep it.
  bool splat = false;
  uint64_t elements() const;
};

using TensorId = uint32_t;

// Attributes of the ops that take them (defaults are ONNX's).
struct Attrs {
  std::vector<int64_t> axes;  // Reduce*: empty = all; Softmax: one axis; Fold: the reduced axes of x
  bool keepdims = true;       // Reduce*
  double epsilon = 1e-5;      // RmsNorm, LayerNorm
  // LayerNorm: which result, 0 Y, 1 Mean, 2 InvStdDev (ONNX's optional outputs, f32 [..., 1]); nodes of one
  // x, scale, bias and epsilon share one expansion.
  uint8_t part = 0;
  std::vector<uint32_t> shape;     // Reshape: the new shape
  GraphOp fold_op = GraphOp::Add;  // Fold: Add or Max
  uint32_t step = 0;               // Fold: which element j of the reduced axes (row-major over them)
  uint32_t offset = 0;             // Permute, Fold of lane blocks: map values / windows from this column (whole lanes)
  bool gelu_tanh = false;          // Gelu: ONNX's approximate="tanh" (default "none": the erf form)
  // BatchMatMul: per result batch element b (row-major), x's batch element and the weight input (1..) it uses.
  std::vector<uint32_t> batch_x, batch_w;
  std::vector<int64_t> starts, ends, steps;  // Slice (per Attrs::axes entry; ONNX clamping)
  std::vector<int64_t> pads;                 // Pad: begin of every axis, then end of every axis (>= 0)
  double value = 0;                          // Pad: the constant
  // AllGather, Exchange: chip k's block is columns [bounds[k], bounds[k+1]) (step: this chip). AllGather
  // with `axes` = {a}: indices [bounds[k], bounds[k+1]) of row axis a instead (every axis before a is 1).
  std::vector<uint32_t> bounds;
  uint32_t shift = 0;        // Exchange: from chip step - shift
  uint64_t order = 0;        // AllGather, Exchange, Handoff: the system's collectives in one order (every chip's)
  uint32_t link_cycles = 0;  // AllGather, Exchange: the fewest cycles from a SEND to its RECV (the lower bound's)
};
struct VecSpec;

struct Node {
  GraphOp op = GraphOp::Add;
  std::vector<TensorId> inputs;
  TensorId output = 0;
  Where where;
  Attrs attrs;
  std::vector<uint32_t> perm;          // Transpose: output dimension d is input dimension perm[d]; Gather: {axis}
  std::shared_ptr<const VecSpec> vec;  // VecOp: the vector program
};

class Graph {
 public:
  // Inputs and constants carry their data (element bits, row-major).
  TensorId add_input(const std::string& name, isa::DType dtype, std::vector<uint32_t> shape, LazyData data,
                     Where where = {});
  TensorId add_const(const std::string& name, isa::DType dtype, std::vector<uint32_t> shape, LazyData data,
                     Where where = {});
  // Adds `out = op(inputs)`; the result's shape and type are inferred (Cast
  // takes the destination type in `to`). Throws tsp::Error naming the node.
  TensorId add(GraphOp op, const std::string& out, std::vector<TensorId> inputs, Where where = {},
               std::optional<isa::DType> to = std::nullopt, Attrs attrs = {});
  // out = transpose(x, perm): out dimension d is x's dimension perm[d]; an empty perm reverses (ONNX's default).
  TensorId add_transpose(const std::string& out, TensorId x, std::vector<uint32_t> perm, Where where = {});
  // out = gather(data, idx, axis) as ONNX: data.shape[:axis] + idx.shape + data.shape[axis+1:];
  // idx i32 of any rank; a negative axis counts from the end. (add(Gather) is axis 0.)
  TensorId add_gather(const std::string& out, TensorId data, TensorId idx, int32_t axis = 0, Where where = {});
  // Internal (expansion only): a vector program writing a tensor of `dtype`/`shape`.
  TensorId add_vecop(const std::string& out, std::vector<TensorId> inputs, isa::DType dtype,
                     std::vector<uint32_t> shape, VecSpec spec, Where where = {}, bool pad_zero = false);
  // Internal: y vector k = data vector (map[k] - base[0]) per superlane (map i16, base i32; gather.hpp).
  TensorId add_gather_rows(const std::string& out, TensorId data, TensorId map, TensorId base,
                           std::vector<uint32_t> shape, Where where = {});
  // Replaces a constant's values (addresses known only after placement).
  void set_const_data(TensorId t, LazyData data);
  void mark_output(TensorId t) { tensors_.at(t).output = true; }

  const std::vector<Tensor>& tensors() const { return tensors_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Tensor& tensor(TensorId t) const { return tensors_.at(t); }
  std::optional<TensorId> find(std::string_view name) const;
  // The node that defines `t`, or nullptr for inputs and constants.
  const Node* producer(TensorId t) const;

 private:
  TensorId new_tensor(Tensor t);
  // Open addressing over tensor ids by name hash (empty: kNoTensor), at most
  // half full: find() is O(1), so a graph of 10^5 tensors (a layer builder's
  // MoE of many chunks) is not quadratic to build; 8 to 16 bytes a tensor.
  static constexpr uint32_t kNoTensor = UINT32_MAX;
  std::vector<uint32_t> by_name_;
  void index(TensorId t);
  std::vector<Tensor> tensors_;
  std::vector<Node> nodes_;
};

// Numpy broadcasting of two shapes (nullopt when they do not broadcast).
std::optional<std::vector<uint32_t>> broadcast_shape(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);
// Row-major index into `in` (broadcast against `out`, numpy rules) of row-major element `e` of `out`.
uint64_t broadcast_index(const std::vector<uint32_t>& in, const std::vector<uint32_t>& out, uint64_t e);
bool is_binary(GraphOp op);
// Fold: the row-major element of x[shape] that element `e` of the folded
// result (the reduced `axes` set to 1) meets at step `j` (row-major over the reduced axes).
uint64_t fold_index(const std::vector<uint32_t>& shape, const std::vector<int64_t>& axes, uint64_t j, uint64_t e);
// Axes in 0..rank-1, sorted (negative ones count from the end); empty means all when `empty_is_all`.
std::vector<int64_t> normalize_axes(std::vector<int64_t> axes, size_t rank, bool empty_is_all);

// Fills `count` elements of `dtype` deterministically from `seed`: integers
// over their whole range, floats as multiples of 1/64 in [-4, 4) (so that
// exp, tanh and products stay finite and readable).
std::vector<uint32_t> random_data(isa::DType dtype, uint64_t count, uint64_t seed);
// The same, made when first read.
LazyData random_lazy(isa::DType dtype, uint64_t count, uint64_t seed);

}  // namespace tsp::compiler
