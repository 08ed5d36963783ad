#pragma once
// Every graph op in one table (ops.cpp), indexed by GraphOp: its name, its
// inputs, the rule that infers its result and checks its operands
// (Graph::add), how it reaches the chip (lower.cpp) and how the host reference
// computes it (reference.cpp). A static_assert holds the table to the enum's
// order, so names, arities and rules cannot drift from the enum.
#include <cstdint>
#include <string_view>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// How an op reaches the chip; the host reference follows the same split.
enum class OpKind : uint8_t {
  Unary,        // one VXM op per element (relu, exp, tanh, rsqrt, cast)
  Binary,       // one VXM op per element pair, numpy broadcasting
  Select,       // VXM SEL c ? a : b, broadcasting
  Fold,         // VXM add/max of one step (expansion only)
  MatMul,       // MXM
  LaneSum,      // MXM against a block of ones (expansion only)
  Alias,        // reshape: the input's storage under a new shape
  Permute,      // SXM PERMUTE of one lane block
  Composite,    // expand.cpp rewrites it into the kinds above
  VecOp,        // an SXM vector program (vecop.hpp)
  GatherRows,   // MEM GATHER
  BatchMatMul,  // MXM, one MatMul per batch element (lower.cpp)
  Collective,   // C2C: scheduled on every chip at once (system.hpp)
};

struct OpRule;  // what a result rule sees (op_rules.hpp)

struct OpInfo {
  GraphOp op;
  std::string_view name;  // graph text and error messages
  OpKind kind;
  bool named;          // found by find_graph_op (the internal VecOp/GatherRows are not)
  uint8_t min_inputs;  // arity checked by Graph::add
  uint8_t max_inputs;
  uint8_t main_input;       // the input the result starts from (its type and shape): sel's a
  isa::Op vxm;              // the VXM opcode (CVT where none)
  bool keeps_zero;          // f(0, ..., 0) = +0: zero padding lanes stay zero
  void (*result)(OpRule&);  // infers the result and checks the operands; nullptr: built by its own add_*
};

const OpInfo& op_info(GraphOp op);

}  // namespace tsp::compiler
