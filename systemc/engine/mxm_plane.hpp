#pragma once
// State of one MXM plane: double-buffered weights (LW fills the shadow, IW
// installs it into the array) and the accumulator slots ABC writes and ACC emits.
#include <cstdint>
#include <vector>

#include "systemc/engine/types.hpp"

namespace tsp::model {

struct MxmPlane {
  // Weights, row k (input lane) by column n (output lane), k * dim + n.
  // Integer weights are stored sign- or zero-extended; float ones as raw bits.
  struct Weights {
    isa::DType type = isa::DType::i8;
    bool loaded = false;
    std::vector<uint16_t> w;
  };
  Weights shadow, active;
  Cycle install_at = 0;  // when a pending IW completes
  bool install_pending = false;
  Cycle float_busy_until = 0;  // a float ABC keeps the array for mxm_float_cycles
  // Accumulators: slot s, lane n at s * dim + n; int32 or f32 bits, by slot.
  std::vector<uint32_t> acc;
  std::vector<uint8_t> acc_is_float;
  std::vector<uint8_t> acc_written;
  // Last cycle an ABC wrote / an ACC read each slot: both in one cycle has no
  // defined order (it would depend on queue issue order), so it is an error.
  std::vector<Cycle> abc_at, acc_at;
};

}  // namespace tsp::model
