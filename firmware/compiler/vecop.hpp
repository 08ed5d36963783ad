#pragma once
// Vector programs, the internal op that data movement (Transpose) expands
// into. Each output vector is one SXM instruction applied to whole input
// vectors picked by index: SHIFTUP/SHIFTDN by `lanes`, or SELECT (c ? a : b
// per byte). The vector indices carry the movement between vectors (free: it
// is only addressing), the SXM the movement across lanes. Every operand and
// result is one byte plane: a b-byte result runs the program b times, plane p
// reading node inputs [p * group, (p + 1) * group), each at its own plane.
#include <array>
#include <cstdint>
#include <vector>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

struct VecOperand {
  uint8_t input = 0;    // input of the plane's group
  uint32_t vector = 0;  // vector index in that input's layout
};

struct VecRow {
  uint32_t out = 0;  // vector index in the result's layout
  isa::Op op = isa::Op::SHIFTUP;
  uint16_t lanes = 0;              // shift distance
  std::array<VecOperand, 3> in{};  // SHIFT*: in[0] is src; SELECT: a, b, c; PERMUTE: src, map (i16, both planes)
  unsigned operands() const { return op == isa::Op::SELECT ? 3 : op == isa::Op::PERMUTE ? 2 : 1; }
};

struct VecSpec {
  uint8_t group = 1;           // node inputs per result plane (a row uses up to 3 of them)
  std::vector<uint8_t> plane;  // per node input: the byte plane read
  std::vector<VecRow> rows;    // in the order the scheduler cuts them into runs
};

// The SXM's lane semantics (docs/timing.md, isa.toml): one output vector;
// in[3] is the high byte plane of PERMUTE's map. Throws on a map beyond the lanes.
void apply_vec_row(const VecRow& r, const std::array<const uint8_t*, 4>& in, uint8_t* out, uint32_t lanes);

// Plane `plane` of a tensor's values as its vectors x lanes bytes (padding
// zero), and one plane's bytes of each element back out of such an image.
std::vector<uint8_t> vector_image(const Tensor& t, const std::vector<uint32_t>& values, unsigned plane, uint32_t lanes);
std::vector<uint32_t> from_image(const Tensor& t, const std::vector<uint8_t>& image, uint32_t lanes);

}  // namespace tsp::compiler
