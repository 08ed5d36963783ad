#pragma once
// How a chip's own cycles relate to the system's time (docs/links.md,
// "Clocks"). Every chip runs its own oscillator, `ppm` off nominal
// (plesiochronous). The hardware-aligned counter (HAC) of every chip is
// aligned to the HAC root's along a spanning tree at bring-up and kept aligned
// by the exchange over the links, so HAC epochs (every hac_period_cycles of the
// root's clock) fall at the same system time on every chip. A chip's software
// counter (its program time) drifts against the HAC at the ppm difference;
// DESKEW waits for the next epoch, RDESKEW stalls a count corrected by the
// drift measured against the HAC. With every clock at the same rate (a lone
// chip), both reduce to plain cycle counts.
#include <cmath>
#include <cstdint>

#include "systemc/engine/types.hpp"

namespace tsp::model {

struct ChipClock {
  double ppm = 0;       // this chip's clock, parts per million faster than nominal
  double root_ppm = 0;  // the HAC root's
  // How far this chip's HAC epochs lag the root's, in root cycles: what the
  // bring-up alignment along the spanning tree left (align_hacs; 0 at equal clocks).
  double hac_offset = 0;
  // This chip's clock period in picoseconds (nominal at 0 ppm).
  double period_ps(uint32_t clock_mhz) const { return 1e6 / (clock_mhz * (1 + ppm * 1e-6)); }
  // This chip's period over the root's: how many root cycles one own cycle lasts.
  double ratio() const { return (1 + root_ppm * 1e-6) / (1 + ppm * 1e-6); }
  // The first own cycle at which the HAC has counted `root_cycles` since the
  // start (all chips start on one aligned epoch). The small slack keeps an
  // exact product (same rates) from rounding up.
  Cycle own_cycle_at(double root_cycles) const {
    return static_cast<Cycle>(std::max(0.0, std::ceil((root_cycles + hac_offset) / ratio() - 1e-9)));
  }
  // The HAC epoch after own cycle `t`: DESKEW issued in `t` ends there.
  Cycle next_epoch(Cycle t, uint32_t hac_period) const {
    const double hac = double(t) * ratio() - hac_offset;
    const double k = std::floor(hac / hac_period + 1e-9) + 1;
    return own_cycle_at(k * hac_period);
  }
};

// The cycle whose edge captures something arriving `ps` after cycle 0 on a
// clock of `period_ps`. Times are whole picoseconds and cycle edges rounded to
// them, so a sum of a few rounded edges lands within a few ps of an edge: that
// edge. Otherwise it is captured at the next edge.
inline Cycle capture_cycle(double ps, double period_ps) {
  const double x = ps / period_ps;
  const double nearest = std::round(x);
  if (std::abs(x - nearest) * period_ps <= 4.0) return static_cast<Cycle>(nearest);
  return static_cast<Cycle>(std::ceil(x));
}

}  // namespace tsp::model
