#pragma once
// GTKWave save file for an RTL wave of `tsp cosim`: the FST, the unit's signal
// groups (RtlUnit::wave_groups: ports, pipeline registers), vectors in hex,
// zoomed to the window with markers on its first cycle and on `mark_ps` (the
// divergence).
#include <cstdint>
#include <string>
#include <vector>

#include "tb/cosim/rtl_unit.hpp"

namespace tsp::cosim {

struct RtlGtkwView {
  std::string fst_path;
  uint64_t from_ps = 0, to_ps = 0;
  uint64_t mark_ps = 0;  // primary marker
};

// Throws tsp::Error when `gtkw_path` cannot be written.
void write_rtl_gtkw(const std::string& gtkw_path, const RtlGtkwView& view,
                    const std::vector<RtlUnit::WaveGroup>& groups);

}  // namespace tsp::cosim
