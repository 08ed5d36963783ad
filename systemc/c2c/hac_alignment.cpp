#include "systemc/c2c/hac_alignment.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tsp::model {

std::vector<HacAlignment> align_hacs(const topo::Topology& t, const isa::Config& cfg) {
  const double root_ppm = t.chips.at(t.root).clock_ppm;
  std::vector<HacAlignment> out(t.chips.size());
  for (size_t c = 0; c < t.chips.size(); ++c) out[c].clock = ChipClock{t.chips[c].clock_ppm, root_ppm, 0};
  const std::vector<topo::TreeEdge> tree = topo::spanning_tree(t);
  std::vector<uint32_t> order(t.chips.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return tree[a].depth < tree[b].depth; });
  const double nominal = ChipClock{}.period_ps(cfg.clock_mhz);
  const double root_period = out[t.root].clock.period_ps(cfg.clock_mhz);
  const double pipe_cycles = double(cfg.c2c_frame_cycles + cfg.c2c_fixed_cycles);  // on the sender's clock
  for (uint32_t c : order) {
    if (!tree[c].link) continue;  // the root, or a chip validate() has already refused
    const topo::Link& l = t.links[*tree[c].link];
    const uint32_t p = l.a.chip == c ? l.b.chip : l.a.chip;
    const double tp = out[p].clock.period_ps(cfg.clock_mhz), tc = out[c].clock.period_ps(cfg.clock_mhz);
    // The parent sends its marker on the edge of its epoch; the child captures it.
    const double sent = std::ceil(out[p].offset_ps / tp - 1e-9) * tp;
    const double arrives = sent + pipe_cycles * tp + double(l.cable->wire_ps);
    const auto captured = double(capture_cycle(arrives, tc));
    // The latency the child was calibrated with: the same link at nominal clocks.
    const auto calibrated = double(capture_cycle(pipe_cycles * nominal + double(l.cable->wire_ps), nominal));
    out[c].offset_ps = (captured - calibrated) * tc;
    out[c].clock.hac_offset = out[c].offset_ps / root_period;
    out[c].depth = tree[c].depth;
  }
  return out;
}

}  // namespace tsp::model
