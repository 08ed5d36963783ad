#pragma once
// Lowering: graph nodes to TSP kernels. An elementwise node (and a Fold)
// becomes one VXM kernel (READ operand planes -> one ALU op -> WRITE result
// planes, over runs of its vectors that encode broadcasting); a MatMul or
// LaneSum an MXM kernel (weight blocks loaded with LW/IW, activations through
// ABC, results through ACC); a Permute an SXM kernel; a vector program (from a
// Transpose) SXM runs per result plane; a gather MEM GATHERs; a Reshape
// nothing (its result shares its input's storage). Nodes the chip cannot do
// yet are rejected here, naming the node.
#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// A run of vectors: the result's vector out0 + k*out_stride takes operand i's
// vector in0[i] + k*in_stride[i], k < n (stride 0 re-reads one vector: a row broadcast).
struct VectorRun {
  uint32_t n = 0, out0 = 0;
  int64_t out_stride = 1;
  std::array<uint32_t, 3> in0{};
  std::array<int64_t, 3> in_stride{};
};

struct VxmKernel {
  isa::Op op = isa::Op::MOV;
  isa::DType type = isa::DType::i8;  // the op's `type` field
  isa::DType from = isa::DType::i8;  // CVT's source type
  TensorId a = 0;
  std::optional<TensorId> b;
  std::optional<TensorId> c;  // SEL's condition
  bool row = false;           // some operand is read with another stride than the result is written
  TensorId out = 0;
  std::vector<VectorRun> runs;  // operands i = a, b, c
};

// SXM PERMUTE of every byte plane of x by the map (one vector, re-read for each of x's).
struct PermuteKernel {
  TensorId x = 0, map = 0, y = 0;
  uint32_t x_block = 0, x_stride = 1;  // y's vector r takes x's vector r * x_stride + x_block
};

// y rows [y_row0, y_row0 + rows) = x rows [x_row0, x_row0 + rows) . w[K,N]: one M block
// (at most the accumulator slots) of one batch element. A MatMul of more rows,
// or a batched one, is several kernels on the same x and y (each on the next plane).
struct MatMulKernel {
  TensorId x = 0, w = 0, y = 0;
  uint32_t x_row0 = 0, y_row0 = 0, rows = 0;
  bool first = true;  // the first kernel writing y (the others add to its write record)
  // y's N blocks [n0, n1) only (n1 0: all): a MatMul's N blocks spread over
  // the MXM planes when nothing else could use them (ChipCompile).
  uint32_t n0 = 0, n1 = 0;
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

// A collective (system.hpp schedules it on every chip at once; `index` is this
// chip's of `parts`). AllGather: y's column block `index` is x, block k arrives
// from chip k; by rows (rows_per_index > 0): y's rows [bounds[k], bounds[k+1])
// x rows_per_index are chip k's x. Exchange: y is column block `index` of chip (index - shift)'s
// x; x's block (index + shift) goes to that chip.
struct CollectiveKernel {
  GraphOp op = GraphOp::AllGather;
  TensorId x = 0, y = 0;
  std::vector<uint32_t> bounds;  // chip k's columns: [bounds[k], bounds[k+1]) (Attrs::bounds)
  uint32_t index = 0;
  uint32_t shift = 0;
  uint32_t rows_per_index = 0;  // AllGather of a row axis (Attrs::axes): rows per index of that axis; 0: by columns
  uint32_t parts() const { return uint32_t(bounds.size() - 1); }
  uint32_t first_row(uint32_t d) const { return bounds[d] * rows_per_index; }
  uint32_t block_rows(uint32_t d) const { return (bounds[d + 1] - bounds[d]) * rows_per_index; }
  // Chip d's block in whole vectors of `lanes`: the first, and how many (the last may be partial).
  uint32_t first_vector(uint32_t d, uint32_t lanes) const { return bounds[d] / lanes; }
  uint32_t block_vectors(uint32_t d, uint32_t lanes) const {
    return (bounds[d + 1] + lanes - 1) / lanes - first_vector(d, lanes);
  }
};

struct Kernel {
  const Node* node = nullptr;
  std::optional<GatherKernel> gather;
  std::optional<VxmKernel> vxm;
  std::vector<MatMulKernel> mxm;  // M blocks and batch elements, in order
  std::optional<PermuteKernel> sxm;
  std::optional<TensorId> alias;  // a Reshape: the result is the input's storage
  std::vector<VecKernel> vec;
  std::optional<CollectiveKernel> collective;
};

struct Lowered {
  std::vector<Kernel> kernels;     // in graph order (a valid dependency order)
  std::vector<uint32_t> pad_rows;  // per tensor: rows padded to a multiple of this (1: none)
  // Per tensor: 1, or S > 1 for MatMul weights stored as S stripes (row k on
  // stripe k mod S) so that LW loads S rows a cycle from S slice groups.
  std::vector<uint32_t> stripes;
  // Per tensor: 1, or G > 1 for striped weights whose column blocks are split
  // into G groups on slices of their own, one per MXM plane that reads them
  // (set by ChipCompile, which chooses the planes; Placement::groups).
  std::vector<uint32_t> groups;
  // Striped weights of MXM kernels that may run side by side (set by
  // ChipCompile): better on slices apart (place.cpp's `prefer` rule).
  std::vector<std::pair<TensorId, TensorId>> weights_apart;
  // Per tensor: itself, or the tensor whose storage it shares (Reshape).
  std::vector<TensorId> root;
  // Per tensor: image data stored in every lane (splat, last dimension 1).
  std::vector<bool> splat_store;
  // Per tensor: written by a vector program, so a round trip to an SXM (at the
  // hemispheres' outer edges) is its main cost: placed on the outer slices first.
  std::vector<bool> near_sxm;
  // Per kernel: -1, or the kernel whose VXM op may take this VXM kernel's
  // result straight from the stream (its only reader; one run each, vector v
  // feeding vector v): the scheduler fuses them into one chain where the
  // placement lets it (kernels.hpp vxm_fused), so the result is never
  // written. Structural only; bound.cpp and place.cpp's lifetimes assume it.
  std::vector<int32_t> stream_to;
};

Lowered lower(const Graph& g, const isa::Config& cfg);
// How many stripes MatMul weights of `bytes`-byte elements get on `cfg`.
uint32_t weight_stripes(const isa::Config& cfg, unsigned bytes);

}  // namespace tsp::compiler
