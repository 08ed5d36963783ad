#include "firmware/compiler/vecop.hpp"

#include "common/error.hpp"
#include "firmware/compiler/layout.hpp"

namespace tsp::compiler {

void apply_vec_row(const VecRow& r, const std::array<const uint8_t*, 4>& in, uint8_t* out, uint32_t lanes) {
  switch (r.op) {
    case isa::Op::SHIFTUP:
      for (uint32_t l = 0; l < lanes; ++l) out[l] = l >= r.lanes ? in[0][l - r.lanes] : 0;
      return;
    case isa::Op::SHIFTDN:
      for (uint32_t l = 0; l < lanes; ++l) out[l] = l + r.lanes < lanes ? in[0][l + r.lanes] : 0;
      return;
    case isa::Op::PERMUTE:
      for (uint32_t l = 0; l < lanes; ++l) {
        const uint32_t m = in[1][l] | uint32_t(in[3][l]) << 8;
        if (m >= lanes) throw Error("internal error: a PERMUTE map selects a lane beyond the vector");
        out[l] = in[0][m];
      }
      return;
    case isa::Op::SELECT:
      for (uint32_t l = 0; l < lanes; ++l) out[l] = in[2][l] ? in[0][l] : in[1][l];
      return;
    default:
      throw Error("internal error: a vector program holds a non-SXM op");
  }
}

std::vector<uint8_t> vector_image(const Tensor& t, const std::vector<uint32_t>& values, unsigned plane,
                                  uint32_t lanes) {
  const Layout l = layout_of(t, lanes);
  std::vector<uint8_t> out(size_t(l.vectors()) * lanes, 0);
  for (uint32_t r = 0; r < l.rows; ++r)
    for (uint32_t c = 0; c < l.cols; ++c)
      out[size_t(l.vector_of(r, c)) * lanes + l.lane_of(c)] =
          static_cast<uint8_t>(values[size_t(r) * l.cols + c] >> (8 * plane));
  return out;
}

std::vector<uint32_t> from_image(const Tensor& t, const std::vector<uint8_t>& image, uint32_t lanes) {
  const Layout l = layout_of(t, lanes);
  std::vector<uint32_t> out(size_t(l.rows) * l.cols);
  for (uint32_t r = 0; r < l.rows; ++r)
    for (uint32_t c = 0; c < l.cols; ++c)
      out[size_t(r) * l.cols + c] = image[size_t(l.vector_of(r, c)) * lanes + l.lane_of(c)];
  return out;
}

}  // namespace tsp::compiler
