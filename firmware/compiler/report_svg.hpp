#pragma once
// The schedule view: an SVG Gantt chart with one row per queue that issues
// anything, a bar per scheduled run (hover: the chain and instruction),
// coloured by unit, and each unit type's utilisation in the legend.
#include <string>

#include "firmware/compiler/compile.hpp"

namespace tsp::compiler {

std::string schedule_svg(const Compiled& c, const isa::Config& cfg);

}  // namespace tsp::compiler
