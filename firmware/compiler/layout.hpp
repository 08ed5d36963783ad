#pragma once
// How a tensor's elements sit in vectors: the last dimension runs across the
// lanes in blocks of `lanes` (zero-padded), the leading dimensions (flattened) count rows.
// Vector v = row * blocks + block holds elements (row, block*lanes + lane).
// A MatMul weight additionally pads its rows to whole MXM blocks (pad_rows_to).
#include <cstdint>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

struct Layout {
  uint32_t rows = 1;         // product of the leading dimensions (1 for rank 1)
  uint32_t cols = 1;         // the last dimension
  uint32_t blocks = 1;       // ceil(cols / lanes)
  uint32_t stored_rows = 1;  // rows, or more when padded
  uint32_t lanes = 1;
  bool splat = false;  // image data of one column stored in every lane
  uint32_t vectors() const { return stored_rows * blocks; }
  uint32_t vector_of(uint32_t row, uint32_t col) const { return row * blocks + col / lanes; }
  uint32_t lane_of(uint32_t col) const { return col % lanes; }
};

inline Layout layout_of(const Tensor& t, uint32_t lanes, uint32_t pad_rows_to = 1) {
  Layout l;
  l.lanes = lanes;
  l.cols = t.shape.back();
  for (size_t d = 0; d + 1 < t.shape.size(); ++d) l.rows *= t.shape[d];
  l.blocks = (l.cols + lanes - 1) / lanes;
  l.stored_rows = (l.rows + pad_rows_to - 1) / pad_rows_to * pad_rows_to;
  return l;
}

}  // namespace tsp::compiler
