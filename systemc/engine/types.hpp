#pragma once
// Basic value types of the chip model.
#include <array>
#include <cstddef>
#include <cstdint>

#include "firmware/isa/isa.hpp"

namespace tsp::model {

using Cycle = uint64_t;
inline constexpr Cycle kNever = ~Cycle{0};  // no such cycle: nothing left to issue, send or wake for

// REPEAT's operands, by position in the ISA table (issue, and the decoded program's static checks).
inline constexpr size_t kRepCount = isa::operand_index(isa::Op::REPEAT, "count"),
                        kRepInterval = isa::operand_index(isa::Op::REPEAT, "interval"),
                        kRepStride = isa::operand_index(isa::Op::REPEAT, "stride");

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
