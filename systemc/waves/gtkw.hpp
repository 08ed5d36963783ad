#pragma once
// Writes a GTKWave save file (.gtkw) for a wave written by WaveRecorder: it
// names the FST, shows every variable grouped by chip/hemisphere and unit,
// chip/clock, and link/direction (GTKWave groups; links first), instructions and frames as
// text, addresses in hex, stream bits in binary, and zooms to the recorded
// window with the marker on its first cycle.
#include <cstdint>
#include <string>
#include <vector>

#include "systemc/waves/wave_layout.hpp"

namespace tsp::waves {

struct GtkwView {
  std::string fst_path;  // written as an absolute path
  uint64_t from_ps = 0;  // start of the first recorded cycle
  uint64_t to_ps = 0;    // end of the last recorded cycle
  uint32_t chips = 1;    // more than one: groups are named "chip<N> west" ...
  // Groups shown closed, by scope (e.g. a link direction that carried nothing).
  std::vector<std::vector<std::string>> closed;
};

// Throws tsp::Error when `gtkw_path` cannot be written.
void write_gtkw(const std::string& gtkw_path, const GtkwView& view, const std::vector<WaveVar>& vars);

}  // namespace tsp::waves
