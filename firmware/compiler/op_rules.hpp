#pragma once
// The result rules of the op table (ops.hpp): each infers a node's result
// tensor from its inputs and attributes and throws tsp::Error naming the node
// when the operands do not fit. Graph::add runs the generic checks (inputs
// exist, arity, `to` only for cast) before the rule and the padding/splat
// bookkeeping common to all ops after it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

std::string shape_str(const std::vector<uint32_t>& s);  // "[2,3]"
// Throws unless `shape` has rank 1..kMaxRank and no dimension 0.
void check_shape(const std::vector<uint32_t>& shape, const std::string& what, const Where& where);

struct OpRule {
  const Graph& g;
  GraphOp op;
  const std::vector<TensorId>& inputs;
  std::optional<isa::DType> to;
  Attrs& attrs;
  const Where& where;
  const std::string& node;  // "node 'y' (add)"
  const Tensor& a;          // the main input (OpInfo::main_input)
  Tensor& r;                // the result: starts as a's type and shape
  const Tensor& in(size_t i) const { return g.tensor(inputs[i]); }
  Error fail(const std::string& why) const;
  std::string desc(const Tensor& t) const;       // "x f16[2,3]"
  void need_float(std::string_view what) const;  // a must be f16, bf16 or f32
};

void result_elementwise(OpRule& r);
void result_matmul(OpRule& r);
void result_matmul_integer(OpRule& r);
void result_norm(OpRule& r);
void result_reduce(OpRule& r);
void result_softmax(OpRule& r);
void result_activation(OpRule& r);
void result_reshape(OpRule& r);
void result_permute(OpRule& r);
void result_lanesum(OpRule& r);
void result_fold(OpRule& r);
void result_batch_matmul(OpRule& r);
void result_concat(OpRule& r);
void result_slice(OpRule& r);
void result_pad(OpRule& r);
void result_all_gather(OpRule& r);
void result_exchange(OpRule& r);
void result_handoff(OpRule& r);

}  // namespace tsp::compiler
