#include "firmware/compiler/generated_weights.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>

#include "common/generated_bytes.hpp"
#include "common/numerics/dtype.hpp"
#include "firmware/compiler/codegen.hpp"

namespace tsp::compiler {
namespace {

// Per byte plane of a generated weight: (keep, set) so that every value is
// finite, as the generator's raw bytes would not be. f16: the high byte's
// exponent bits 01xxx (2^-7 .. 2^0 in magnitude); bf16: exponent 01111xxx
// (the same range). Integers take every bit pattern.
struct PlaneMask {
  uint8_t keep = 0xff, set = 0;
};
std::optional<std::array<PlaneMask, 4>> masks_of(isa::DType t) {
  if (!num::is_float(t)) return std::array<PlaneMask, 4>{};
  if (t == isa::DType::f16) return std::array<PlaneMask, 4>{PlaneMask{}, PlaneMask{0x9f, 0x20}};
  if (t == isa::DType::bf16) return std::array<PlaneMask, 4>{PlaneMask{}, PlaneMask{0x83, 0x3c}};
  return std::nullopt;  // f32 weights are split into f16 parts before they reach a MatMul
}

bool eligible(const Graph& g, TensorId t, uint32_t lanes) {
  const Tensor& x = g.tensor(t);
  // Whole vectors, or one vector a row whose lanes past the columns read zero (GeneratedSegment::lanes).
  if (x.kind != TensorKind::Const || x.splat || !masks_of(x.dtype) ||
      (x.shape.back() % lanes && x.shape.back() > lanes))
    return false;
  for (const Node& n : g.nodes())
    if ((n.op == GraphOp::MatMul || n.op == GraphOp::MatMulInteger) && n.inputs.size() > 1 && n.inputs[1] == t)
      return true;
  return false;
}

}  // namespace

uint32_t generate_weights(Graph& g, const std::vector<Placement>& place, image::Image& img, const isa::Config& cfg,
                          uint64_t seed, bool as_bytes) {
  uint32_t done = 0;
  uint32_t next_id = 0;  // each region (tensor, stripe, byte plane) its own byte stream
  image::ChipProgram& chip = img.chips.at(0);
  for (TensorId t = 0; t < g.tensors().size(); ++t) {
    if (!eligible(g, t, cfg.lanes)) continue;
    const Tensor& x = g.tensor(t);
    const Placement& p = place[t];
    const Layout& l = p.layout;
    const uint32_t S = p.stripes();
    const unsigned bytes = isa::dtype_desc(x.dtype).bytes;
    const std::array<PlaneMask, 4> mask = *masks_of(x.dtype);
    std::vector<uint32_t> data(x.elements(), 0);
    std::set<std::pair<uint16_t, uint32_t>> replaced;  // (slice, address) of the segments this takes over
    for (uint32_t i = 0; i < p.regions(); ++i) {
      const uint32_t s = i % S, grp = i / S;
      const uint16_t slice0 = p.region_slice(i);
      const uint32_t address = p.region_address(i);
      const uint32_t real_rows = (l.rows - s + S - 1) / S;       // rows s, s + S, ... below l.rows
      const uint32_t vectors = real_rows * p.group_blocks(grp);  // then padding rows, kept as zero bytes
      const uint32_t stored = p.region_vectors(grp);
      const auto [c0, c1] = p.group_columns(grp);
      if (vectors == 0) continue;  // a stripe of padding only: its zero bytes stay
      for (unsigned b = 0; b < bytes; ++b) {
        const auto slice = static_cast<uint16_t>(slice0 + b);
        const uint32_t id = next_id++;
        const PlaneMask m = mask.at(b);
        if (!as_bytes) {
          chip.generated.push_back(
              {slice, address, vectors, static_cast<uint16_t>(std::min(l.cols, l.lanes)), id, seed, m.keep, m.set});
          replaced.insert({slice, address});
        }
        if (!as_bytes && stored > vectors)
          chip.sram.push_back(
              {slice, address + vectors, std::vector<uint8_t>(size_t(stored - vectors) * cfg.vector_bytes, 0)});
        const uint64_t key = genbytes::key(seed, id);
        for (uint32_t r = s; r < l.rows; r += S)
          for (uint32_t c = c0; c < c1; ++c) {
            const uint64_t offset =
                (uint64_t(address) + r / S * p.group_blocks(grp) + (c - c0) / l.lanes) * cfg.vector_bytes +
                l.lane_of(c);
            data[size_t(r) * l.cols + c] |= uint32_t(genbytes::masked(genbytes::byte(key, offset), m.keep, m.set))
                                            << (8 * b);
          }
      }
    }
    g.set_const_data(t, std::move(data));
    if (as_bytes) {  // the same values, carried: each plane's segment rewritten as codegen writes it
      for (auto& seg : chip.sram)
        for (uint32_t i = 0; i < p.regions(); ++i)
          for (unsigned b = 0; b < bytes; ++b)
            if (seg.slice == p.region_slice(i) + b && seg.address == p.region_address(i))
              seg.bytes = plane_bytes(g.tensor(t), p, b, cfg.vector_bytes, i);
    } else {
      std::erase_if(chip.sram, [&](const image::SramSegment& seg) {
        return replaced.count({seg.slice, seg.address}) != 0;
      });
    }
    ++done;
  }
  return done;
}

}  // namespace tsp::compiler
