#include "firmware/compiler/ops.hpp"

#include <array>

#include "firmware/compiler/op_rules.hpp"

namespace tsp::compiler {
namespace {

using K = OpKind;
using G = GraphOp;
using I = isa::Op;

// clang-format off
// Columns: op, name, kind, named, min and max inputs, main input, VXM opcode, keeps zero, result rule.
constexpr std::array kOps = {
  OpInfo{G::Add,           "add",           K::Binary,    true,  2, 2, 0, I::ADD,     true,  result_elementwise},
  OpInfo{G::Sub,           "sub",           K::Binary,    true,  2, 2, 0, I::SUB,     true,  result_elementwise},
  OpInfo{G::Mul,           "mul",           K::Binary,    true,  2, 2, 0, I::MUL,     true,  result_elementwise},
  OpInfo{G::Max,           "max",           K::Binary,    true,  2, 2, 0, I::MAX,     true,  result_elementwise},
  OpInfo{G::Min,           "min",           K::Binary,    true,  2, 2, 0, I::MIN,     true,  result_elementwise},
  OpInfo{G::Relu,          "relu",          K::Unary,     true,  1, 1, 0, I::RELU,    true,  result_elementwise},
  OpInfo{G::Exp,           "exp",           K::Unary,     true,  1, 1, 0, I::EXP,     false, result_elementwise},
  OpInfo{G::Tanh,          "tanh",          K::Unary,     true,  1, 1, 0, I::TANH,    true,  result_elementwise},
  OpInfo{G::Rsqrt,         "rsqrt",         K::Unary,     true,  1, 1, 0, I::RSQRT,   false, result_elementwise},
  OpInfo{G::Cast,          "cast",          K::Unary,     true,  1, 1, 0, I::CVT,     true,  result_elementwise},
  OpInfo{G::MatMul,        "matmul",        K::MatMul,    true,  2, 2, 0, I::CVT,     false, result_matmul},
  OpInfo{G::Sel,           "sel",           K::Select,    true,  3, 3, 1, I::SEL,     false, result_elementwise},
  OpInfo{G::RmsNorm,       "rmsnorm",       K::Composite, true,  1, 2, 0, I::CVT,     false, result_norm},
  OpInfo{G::LayerNorm,     "layernorm",     K::Composite, true,  1, 3, 0, I::CVT,     false, result_norm},
  OpInfo{G::ReduceSum,     "reducesum",     K::Composite, true,  1, 1, 0, I::CVT,     false, result_reduce},
  OpInfo{G::ReduceMean,    "reducemean",    K::Composite, true,  1, 1, 0, I::CVT,     false, result_reduce},
  OpInfo{G::ReduceMax,     "reducemax",     K::Composite, true,  1, 1, 0, I::CVT,     false, result_reduce},
  OpInfo{G::Softmax,       "softmax",       K::Composite, true,  1, 1, 0, I::CVT,     false, result_softmax},
  OpInfo{G::Sigmoid,       "sigmoid",       K::Composite, true,  1, 1, 0, I::CVT,     false, result_activation},
  OpInfo{G::Silu,          "silu",          K::Composite, true,  1, 1, 0, I::CVT,     false, result_activation},
  OpInfo{G::Gelu,          "gelu",          K::Composite, true,  1, 1, 0, I::CVT,     false, result_activation},
  OpInfo{G::MatMulInteger, "matmulinteger", K::Composite, true,  2, 4, 0, I::CVT,     false, result_matmul_integer},
  OpInfo{G::Reshape,       "reshape",       K::Alias,     true,  1, 1, 0, I::CVT,     false, result_reshape},
  OpInfo{G::Permute,       "permute",       K::Permute,   true,  2, 2, 0, I::PERMUTE, false, result_permute},
  OpInfo{G::LaneSum,       "lanesum",       K::LaneSum,   true,  2, 2, 0, I::CVT,     false, result_lanesum},
  OpInfo{G::Fold,          "fold",          K::Fold,      true,  2, 2, 0, I::CVT,     false, result_fold},
  OpInfo{G::Transpose,     "transpose",     K::Composite, true,  1, 1, 0, I::CVT,     false, nullptr},  // add_transpose
  OpInfo{G::Gather,        "gather",        K::Composite, true,  2, 2, 0, I::CVT,     false, nullptr},  // add_gather
  OpInfo{G::VecOp,         "vecop",         K::VecOp,     false, 0, 0, 0, I::CVT,     false, nullptr},  // add_vecop
  OpInfo{G::GatherRows,    "gatherrows",    K::GatherRows,false, 3, 3, 0, I::CVT,     false, nullptr},  // add_gather_rows
  OpInfo{G::BatchMatMul,   "batchmatmul",   K::BatchMatMul,false,2, 255, 0, I::CVT,   false, result_batch_matmul},
  OpInfo{G::Concat,        "concat",        K::Composite, true,  1, 255, 0, I::CVT,   false, result_concat},
  OpInfo{G::Slice,         "slice",         K::Composite, true,  1, 1, 0, I::CVT,     false, result_slice},
  OpInfo{G::Pad,           "pad",           K::Composite, true,  1, 1, 0, I::CVT,     false, result_pad},
  OpInfo{G::Neg,           "neg",           K::Unary,     true,  1, 1, 0, I::NEG,     false, result_elementwise},
  OpInfo{G::Abs,           "abs",           K::Unary,     true,  1, 1, 0, I::ABS,     true,  result_elementwise},
  OpInfo{G::CmpEq,         "cmpeq",         K::Binary,    true,  2, 2, 0, I::CMPEQ,   false, result_elementwise},
  OpInfo{G::CmpLt,         "cmplt",         K::Binary,    true,  2, 2, 0, I::CMPLT,   true,  result_elementwise},
  OpInfo{G::CmpLe,         "cmple",         K::Binary,    true,  2, 2, 0, I::CMPLE,   false, result_elementwise},
  OpInfo{G::AllGather,     "allgather",     K::Collective,false, 1, 1, 0, I::CVT,     true,  result_all_gather},
  OpInfo{G::Exchange,      "exchange",      K::Collective,false, 1, 1, 0, I::CVT,     true,  result_exchange},
  OpInfo{G::Handoff,       "handoff",       K::Collective,false, 1, 1, 0, I::CVT,     true,  result_handoff},
};
// clang-format on

// Row i describes GraphOp i, and every GraphOp has a row.
constexpr bool rows_follow_enum() {
  for (size_t i = 0; i < kOps.size(); ++i)
    if (static_cast<size_t>(kOps[i].op) != i) return false;
  return true;
}
static_assert(rows_follow_enum(), "kOps rows must follow the GraphOp enum's order");
static_assert(kOps.size() == static_cast<size_t>(kLastGraphOp) + 1, "every GraphOp needs a row in kOps");

}  // namespace

const OpInfo& op_info(GraphOp op) { return kOps.at(static_cast<size_t>(op)); }

}  // namespace tsp::compiler
