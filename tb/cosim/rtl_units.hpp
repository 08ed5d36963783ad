#pragma once
// The table of Verilated RTL units that `tsp cosim --rtl` can check: one line
// per unit in rtl_units.cpp. A unit's factory builds its adapter for one chip
// of an image; the checker then calls it as tb/cosim/rtl_unit.hpp says.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/image/image.hpp"
#include "tb/cosim/rtl_unit.hpp"

namespace tsp::cosim {

// Where a unit should point its waves: the queue (and superlane) of a
// divergence, or what the user asked for. Units with several RTL instances
// trace the one that serves this place.
struct WaveFocus {
  uint16_t queue = 0;
  uint32_t superlane = 0;
};

// What a factory gets: the run it is part of.
struct UnitContext {
  const image::Image* img = nullptr;
  uint32_t chip = 0;
  std::vector<model::Flip> flips;  // SRAM flips injected into this chip (MEM applies them to its RTL too)
  // The RTL variant with a planted bug: 0 none, 1 each unit's (TSP_PLANT_BUG_<UNIT>), 2 MEM's second
  // (TSP_PLANT_BUG_MEM_WRITE; other units take it as 1).
  unsigned planted = 0;
  std::optional<WaveFocus> focus;  // for trace()
};

using UnitFactory = std::unique_ptr<RtlUnit> (*)(const UnitContext&);

struct RtlUnitEntry {
  std::string_view name;  // as in `--rtl`: "mem", "vxm", ...
  isa::Unit unit;         // the unit whose queues' ops it checks (ICU: every queue's issues)
  UnitFactory make;
};

const std::vector<RtlUnitEntry>& rtl_units();
// The entry named `name`, or nullptr.
const RtlUnitEntry* find_rtl_unit(std::string_view name);
// "mem, vxm, ..." for error messages.
std::string rtl_unit_names();

}  // namespace tsp::cosim
