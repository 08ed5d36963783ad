#include "firmware/compiler/generated_weights.hpp"

#include <algorithm>
#include <array>
#include <optional>

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

// Region i's vectors of real rows (rows s, s + S, ... below the layout's rows);
// padding rows follow them.
uint32_t real_vectors(const Placement& p, uint32_t i) {
  const uint32_t S = p.stripes(), s = i % S;
  return (p.layout.rows - s + S - 1) / S * p.group_blocks(i / S);
}

// The generator's values of a weight placed at p, its regions' byte streams
// numbered from `first_id` (in region, then byte plane order).
std::vector<uint32_t> generator_values(isa::DType dtype, uint64_t elements, const Placement& p,
                                       const std::array<PlaneMask, 4>& mask, uint32_t first_id, uint64_t seed,
                                       uint32_t vector_bytes) {
  const Layout& l = p.layout;
  const uint32_t S = p.stripes();
  const unsigned bytes = isa::dtype_desc(dtype).bytes;
  std::vector<uint32_t> data(elements, 0);
  uint32_t id = first_id;
  for (uint32_t i = 0; i < p.regions(); ++i) {
    const uint32_t s = i % S, grp = i / S;
    const uint32_t address = p.region_address(i);
    const auto [c0, c1] = p.group_columns(grp);
    if (real_vectors(p, i) == 0) continue;  // padding only: no stream
    for (unsigned b = 0; b < bytes; ++b) {
      const uint64_t key = genbytes::key(seed, id++);
      const PlaneMask m = mask.at(b);
      for (uint32_t r = s; r < l.rows; r += S)
        for (uint32_t c = c0; c < c1; ++c) {
          const uint64_t offset =
              (uint64_t(address) + r / S * p.group_blocks(grp) + (c - c0) / l.lanes) * vector_bytes + l.lane_of(c);
          data[size_t(r) * l.cols + c] |= uint32_t(genbytes::masked(genbytes::byte(key, offset), m.keep, m.set))
                                          << (8 * b);
        }
    }
  }
  return data;
}

// A given constant whose elements are all one value (a lane sum's block of
// ones, a zero bias): generated with keep 0 and each plane's byte as `set`.
std::optional<uint32_t> uniform_value(const Tensor& x) {
  if (x.kind != TensorKind::Const || x.splat || x.data.empty()) return std::nullopt;
  if (const std::optional<uint32_t> u = x.data.uniform()) return u;  // without making its values
  if (!x.data.made()) return std::nullopt;
  const std::vector<uint32_t>& v = x.data.values();
  if (std::any_of(v.begin(), v.end(), [&](uint32_t e) { return e != v[0]; })) return std::nullopt;
  return v[0];
}

}  // namespace

bool generated_weight(const Graph& g, TensorId t) {
  const Tensor& x = g.tensor(t);
  if (uniform_value(x)) return true;
  // Lanes past the columns read zero: a row's last block may be partial
  // (GeneratedSegment::lanes, or period and last_lanes).
  if (x.kind != TensorKind::Const || x.splat || !masks_of(x.dtype)) return false;
  for (const Node& n : g.nodes())
    if ((n.op == GraphOp::MatMul || n.op == GraphOp::MatMulInteger) && n.inputs.size() > 1 && n.inputs[1] == t)
      return true;
  return false;
}


uint32_t generate_weights(Graph& g, const std::vector<Placement>& place, image::Image& img, const isa::Config& cfg,
                          uint64_t seed, bool as_bytes) {
  uint32_t done = 0;
  uint32_t next_id = 0;  // each region (tensor, stripe, byte plane) its own byte stream
  image::ChipProgram& chip = img.chips.at(0);
  for (TensorId t = 0; t < g.tensors().size(); ++t) {
    if (!place[t].placed || !generated_weight(g, t)) continue;
    const Tensor& x = g.tensor(t);
    const Placement& p = place[t];
    const std::optional<uint32_t> uniform = uniform_value(x);
    const Layout& l = p.layout;
    const uint32_t S = p.stripes();
    const unsigned bytes = isa::dtype_desc(x.dtype).bytes;
    std::array<PlaneMask, 4> mask{};
    if (uniform)
      for (unsigned b = 0; b < bytes; ++b) mask[b] = {0, static_cast<uint8_t>(*uniform >> (8 * b))};
    else
      mask = *masks_of(x.dtype);
    const uint32_t first_id = next_id;
    for (uint32_t i = 0; i < p.regions(); ++i) {
      const uint32_t grp = i / S;
      const uint16_t slice0 = p.region_slice(i);
      const uint32_t address = p.region_address(i);
      const uint32_t vectors = real_vectors(p, i);
      const uint32_t stored = p.region_vectors(grp);
      // A row of the group's blocks: all full but perhaps the last.
      const auto [c0, c1] = p.group_columns(grp);
      const uint32_t blocks = p.group_blocks(grp), last = c1 - c0 - (blocks - 1) * l.lanes;
      const bool partial = last < l.lanes && blocks > 1;
      for (unsigned b = 0; b < bytes; ++b) {
        const auto slice = static_cast<uint16_t>(slice0 + b);
        const uint32_t id = vectors ? next_id++ : 0;  // a stripe of padding only has no stream
        if (as_bytes) continue;                        // codegen wrote the bytes: rewritten below
        if (vectors)
          chip.generated.push_back({slice, address, vectors, static_cast<uint16_t>(blocks > 1 ? l.lanes : last), id,
                                    seed, mask[b].keep, mask[b].set, partial ? blocks : 0,
                                    static_cast<uint16_t>(partial ? last : 0)});
        if (stored > vectors)  // codegen wrote no bytes of a generated tensor: its padding rows' zeros
          chip.sram.push_back(
              {slice, address + vectors, std::vector<uint8_t>(size_t(stored - vectors) * cfg.vector_bytes, 0)});
      }
    }
    // Made only when something reads them (the host reference; a system of many chips never does).
    if (!uniform)  // a uniform constant's values are the generator's already
      g.set_const_data(t, LazyData::deferred(x.elements(), [dtype = x.dtype, n = x.elements(), p, mask, first_id, seed,
                                                          vb = cfg.vector_bytes] {
                       return generator_values(dtype, n, p, mask, first_id, seed, vb);
                     }));
    if (as_bytes) {  // the same values, carried: each plane's segment rewritten as codegen writes it
      for (auto& seg : chip.sram)
        for (uint32_t i = 0; i < p.regions(); ++i)
          for (unsigned b = 0; b < bytes; ++b)
            if (seg.slice == p.region_slice(i) + b && seg.address == p.region_address(i))
              seg.bytes = plane_bytes(g.tensor(t), p, b, cfg.vector_bytes, i);
    }
    ++done;
  }
  if (!as_bytes) {  // zeros (padding rows, computed weights' padding) as generated regions of keep 0, set 0
    std::erase_if(chip.sram, [&](const image::SramSegment& seg) {
      if (std::any_of(seg.bytes.begin(), seg.bytes.end(), [](uint8_t b) { return b != 0; })) return false;
      chip.generated.push_back({seg.slice, seg.address, static_cast<uint32_t>(seg.bytes.size() / cfg.vector_bytes),
                                static_cast<uint16_t>(cfg.vector_bytes), 0, seed, 0, 0});
      return true;
    });
  }
  return done;
}

}  // namespace tsp::compiler
