#pragma once
// The ICU's random programs (tb/gen/random_icu.cpp): NOP, REPEAT (of strided
// MEM READs and WRITEs), SYNC/NOTIFY barriers, IFETCH/CONFIG and DESKEW over
// several queues. Besides the image, the plan lists every issue the timing
// rules (docs/timing.md) put in it, worked out while generating: the RTL test
// checks the sequencer against it, the model test checks the engine.
#include <cstdint>
#include <vector>

#include "tb/gen/random_program.hpp"

namespace tsp::gen {

// One issue: queue `queue` issues its instruction `index` at cycle `t` as
// `word` (a repetition: the repeated instruction, strided field advanced).
struct PlannedIssue {
  uint16_t queue = 0;
  uint32_t index = 0;
  uint64_t t = 0;
  uint64_t word = 0;
  bool operator==(const PlannedIssue&) const = default;
};

struct IcuPlan {
  image::Image image;                // with its predicted cycle count
  std::vector<PlannedIssue> issues;  // per queue in issue order; queues in id order
  // Per queue with code (same order as image.chips[0].queues): the cycle after its last occupied slot.
  std::vector<uint64_t> queue_end;
};

IcuPlan plan_icu(const RandomOptions& opts);
image::Image random_icu(const RandomOptions& opts);

}  // namespace tsp::gen
