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
  MulRow,
  SubRow,  // x[M,C] op s[M,lanes]: s holds row m's value in every lane (expansion only)
  RmsNorm,
  LayerNorm,  // composite: expand.hpp rewrites them into the ops above
  Transpose,  // composite: transpose.hpp rewrites it into VecOps
  Gather,     // composite: gather.hpp rewrites it into address arithmetic and GatherRows
  VecOp,      // internal: one SXM op per output vector and byte plane over indexed input vectors (vecop.hpp)
  GatherRows  // internal: out vector k = data vector at the SRAM address in map vector k (MEM GATHER)
};
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
  std::vector<uint32_t> data;  // Input/Const: one element's bits per entry, row-major
  Where where;
  bool pad_zero = false;  // lanes past the last column hold zero (true for data from the image)
  uint64_t elements() const;
};

using TensorId = uint32_t;

struct VecSpec;

struct Node {
  GraphOp op = GraphOp::Add;
  std::vector<TensorId> inputs;
  TensorId output = 0;
  Where where;
  std::vector<uint32_t> perm;          // Transpose: output dimension d is input dimension perm[d]; Gather: {axis}
  std::shared_ptr<const VecSpec> vec;  // VecOp: the vector program
};

class Graph {
 public:
  // Inputs and constants carry their data (element bits, row-major).
  TensorId add_input(const std::string& name, isa::DType dtype, std::vector<uint32_t> shape, std::vector<uint32_t> data,
                     Where where = {});
  TensorId add_const(const std::string& name, isa::DType dtype, std::vector<uint32_t> shape, std::vector<uint32_t> data,
                     Where where = {});
  // Adds `out = op(inputs)`; the result's shape and type are inferred (Cast
  // takes the destination type in `to`). Throws tsp::Error naming the node.
  TensorId add(GraphOp op, const std::string& out, std::vector<TensorId> inputs, Where where = {},
               std::optional<isa::DType> to = std::nullopt);
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
  void set_const_data(TensorId t, std::vector<uint32_t> data);
  void mark_output(TensorId t) { tensors_.at(t).output = true; }

  const std::vector<Tensor>& tensors() const { return tensors_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Tensor& tensor(TensorId t) const { return tensors_.at(t); }
  std::optional<TensorId> find(std::string_view name) const;
  // The node that defines `t`, or nullptr for inputs and constants.
  const Node* producer(TensorId t) const;

 private:
  TensorId new_tensor(Tensor t);
  std::vector<Tensor> tensors_;
  std::vector<Node> nodes_;
};

// Fills `count` elements of `dtype` deterministically from `seed`: integers
// over their whole range, floats as multiples of 1/64 in [-4, 4) (so that
// exp, tanh and products stay finite and readable).
std::vector<uint32_t> random_data(isa::DType dtype, uint64_t count, uint64_t seed);

}  // namespace tsp::compiler
