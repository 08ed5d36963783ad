#pragma once
// The schedule view: an SVG Gantt chart with one row per queue that issues
// anything, a bar per scheduled run (hover: the chain and instruction),
// coloured by unit, and each unit type's utilisation in the legend.
#include <string>

#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/system.hpp"

namespace tsp::compiler {

std::string schedule_svg(const Compiled& c, const isa::Config& cfg);
// A system's (system.hpp): a band of queue rows per chip, then a row per link
// direction that carries frames, each frame a bar from its SEND to its RECV.
std::string system_schedule_svg(const SystemCompiled& s, const topo::Topology& t, const isa::Config& cfg);

}  // namespace tsp::compiler
