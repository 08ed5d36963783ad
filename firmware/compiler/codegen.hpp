#pragma once
// Code generation: scheduled runs to a program image. Each queue's runs are
// sorted by issue cycle; a gap becomes one NOP, a run of n > 1 becomes the
// instruction and a REPEAT n-1, 1, stride (split when n exceeds REPEAT's count
// field); a run spaced d > 1 apart is spelled out with NOP d-1 between. The predicted length follows docs/timing.md via
// sched::ProgramLength. Every tensor gets a manifest symbol; inputs and constants their SRAM image.
#include <vector>

#include "firmware/compiler/chain.hpp"
#include "firmware/compiler/place.hpp"
#include "firmware/image/image.hpp"

namespace tsp::compiler {

// Tensors marked in `generated` (generated_weights.hpp) get their symbols but
// no SRAM bytes: their values are never made here.
image::Image generate(const Graph& g, const std::vector<Placement>& place, const std::vector<Timed>& timed,
                      const isa::Config& cfg, const std::string& source_file,
                      const std::vector<bool>& generated = {});

// The program length the runs imply (docs/timing.md "Program length").
uint64_t predict_cycles(const std::vector<Timed>& timed, const isa::Config& cfg);

// SRAM bytes of plane `plane` of a tensor's data in its layout (zero padding);
// of region `region` of striped weights (Placement::stripe_slice).
std::vector<uint8_t> plane_bytes(const Tensor& t, const Placement& p, unsigned plane, uint32_t vector_bytes,
                                 uint32_t region = 0);

}  // namespace tsp::compiler
