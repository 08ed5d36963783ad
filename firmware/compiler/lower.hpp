#pragma once
// Lowering: graph nodes to TSP kernels. An elementwise node becomes one VXM
// kernel (READ operand planes -> one ALU op -> WRITE result planes, over all
// of its vectors); a MatMul becomes an MXM kernel (weight blocks loaded with
// LW/IW, activations through ABC, results through ACC). Nodes the chip cannot
// do yet are rejected here, naming the node.
#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

struct VxmKernel {
  isa::Op op = isa::Op::MOV;
  isa::DType type = isa::DType::i8;  // the op's `type` field
  isa::DType from = isa::DType::i8;  // CVT's source type
  TensorId a = 0;
  std::optional<TensorId> b;
  std::optional<TensorId> c;  // SEL's condition
  bool row = false;           // b holds one value per row in every lane (MulRow, SubRow)
  TensorId out = 0;
};

struct MatMulKernel {
  TensorId x = 0, w = 0, y = 0;  // y[M,N] = x[M,K] . w[K,N]
};

// One result plane of a vector program (vecop.hpp) through the SXM.
struct VecKernel {
  std::vector<TensorId> in;    // the plane's group of inputs
  std::vector<uint8_t> plane;  // the byte plane read from each
  TensorId out = 0;
  uint8_t out_plane = 0;
  std::shared_ptr<const VecSpec> spec;
};

// y vector k = the data vector whose address map vector k carries (MEM GATHER), every plane.
struct GatherKernel {
  TensorId data = 0, map = 0, y = 0;
};

struct Kernel {
  const Node* node = nullptr;
  std::optional<GatherKernel> gather;
  std::optional<VxmKernel> vxm;
  std::optional<MatMulKernel> mxm;
  std::vector<VecKernel> vec;
};

struct Lowered {
  std::vector<Kernel> kernels;     // in graph order (a valid dependency order)
  std::vector<uint32_t> pad_rows;  // per tensor: rows padded to a multiple of this (1: none)
  // Per tensor: 1, or S > 1 for MatMul weights stored as S stripes (row k on
  // stripe k mod S) so that LW loads S rows a cycle from S slice groups.
  std::vector<uint32_t> stripes;
  // Per tensor: written by a vector program, so a round trip to an SXM (at the
  // hemispheres' outer edges) is its main cost: placed on the outer slices first.
  std::vector<bool> near_sxm;
};

Lowered lower(const Graph& g, const isa::Config& cfg);
// How many stripes MatMul weights of `bytes`-byte elements get on `cfg`.
uint32_t weight_stripes(const isa::Config& cfg, unsigned bytes);

}  // namespace tsp::compiler
