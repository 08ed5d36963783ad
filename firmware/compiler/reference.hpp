#pragma once
// The host reference: executes the graph on the host with exactly the chip's
// element arithmetic (common/numerics, docs/numerics.md), so compiled results
// can be compared bit for bit. Values are element bits, row-major.
#include <vector>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

// Every tensor's value (inputs and constants: their data). A float MatMul sums
// K in blocks of `mxm_dim` exactly as the chip's ABCs do (each block a dot from
// +0 in increasing k, then one f32 add into the slot): float addition does not
// associate, so the blocking is part of the result.
// Vector programs (transpose) run on vector images of `lanes` lanes (0: mxm_dim,
// which lowering requires to equal the lane count).
std::vector<std::vector<uint32_t>> run_reference(const Graph& g, uint32_t mxm_dim, uint32_t lanes = 0);

// The same, node by node, stopping at collectives (a chip's part of a system,
// whose value needs the other chips': system.hpp computes it and set()s it).
class ReferenceRun {
 public:
  ReferenceRun(const Graph& g, uint32_t mxm_dim, uint32_t lanes = 0);
  // Runs up to the next collective node; returns its index (nodes().size() at the end).
  size_t run_to_collective();
  size_t next() const { return next_; }
  // The collective at next()'s value; steps past it.
  void set(std::vector<uint32_t> value);
  std::vector<std::vector<uint32_t>>& values() { return v_; }

 private:
  void step(const Node& n);
  const Graph& g_;
  uint32_t mxm_dim_, lanes_;
  std::vector<std::vector<uint32_t>> v_;
  size_t next_ = 0;
};

// An element as a double with IEEE meaning (subnormals are not flushed): the
// expected side of ONNX's tolerance check, and how far a system's floats are
// from the graph before partitioning (system.hpp).
double ieee_value(isa::DType t, uint32_t bits);

// The manifest symbol of tensor `t` (outputs are never striped: one symbol, the tensor's name).
const image::Symbol& symbol_of(const image::Image& img, const Tensor& t);
// Logical elements of a tensor out of the raw vectors x lanes bits read from SRAM.
std::vector<uint32_t> unpack(const Tensor& t, uint32_t lanes, const std::vector<uint32_t>& raw);

struct Mismatch {
  std::string tensor;
  uint64_t index = 0;  // row-major element index
  uint32_t got = 0, want = 0;
};
// Compares the output tensors; returns the first mismatch of each output that has one.
std::vector<Mismatch> compare_outputs(const Graph& g, const std::vector<std::vector<uint32_t>>& reference,
                                      const std::vector<std::vector<uint32_t>>& got);

}  // namespace tsp::compiler
