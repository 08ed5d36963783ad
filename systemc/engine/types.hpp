#pragma once
// Basic value types of the chip model.
#include <array>
#include <cstdint>

#include "firmware/isa/isa.hpp"

namespace tsp::model {

using Cycle = uint64_t;

// One stream's bytes across all lanes at one instant (lane l = byte l). Sized
// for the largest configuration; a chip uses the first Config::lanes bytes.
struct Vec {
  std::array<uint8_t, isa::kMaxLanes> bytes{};
};

// Which instruction produced a value: for error reports.
struct Origin {
  uint16_t queue = 0;
  uint32_t instr = 0;  // index in the queue's program
  Cycle issued = 0;
};

}  // namespace tsp::model
