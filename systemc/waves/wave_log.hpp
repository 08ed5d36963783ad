#pragma once
// Waves of a distributed run (docs/distributed.md "Waves"): the ranks that
// simulate the chosen chips record what a WaveRecorder would be told about
// them (each chip's engine events, and the frames it sent over links that
// touch a chosen chip) as text that travels with the chip's report; rank 0
// replays every chip's text into one WaveRecorder. The recorder's output
// depends only on each chip's events in their own order and each link
// direction's frames in SEND order, so the FST is the one a single process
// writes, for any number of ranks.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "systemc/c2c/c2c_link.hpp"
#include "systemc/engine/observer.hpp"
#include "systemc/waves/wave_recorder.hpp"

namespace tsp::waves {

class WaveLog {
 public:
  // `shown[c]`: chip c's events are recorded (the --wave-chips set; empty:
  // every chip). Frames are recorded for links with a shown end.
  WaveLog(uint32_t chips, std::vector<bool> shown, const topo::Topology* topology);
  ~WaveLog();

  // The observer to attach to chip `chip` (nullptr: not shown).
  model::Observer* observer(uint32_t chip);
  // The observer of every link this rank simulates.
  model::LinkObserver* link_observer();
  // Chip `chip`'s events and the frames it sent, as text (then forgotten).
  std::string take(uint32_t chip);

 private:
  class ChipLog;
  class FrameLog;
  std::vector<bool> shown_;
  const topo::Topology* topology_;
  std::vector<std::string> text_;  // per chip
  std::vector<std::unique_ptr<ChipLog>> chips_;
  std::unique_ptr<FrameLog> frames_;
};

// Feeds every chip's text (by chip; empty for none) into `rec` as the run would
// have: frames first, in (system time sent, link, direction) order, then each
// chip's events in its own order. Throws tsp::Error on text it cannot read.
void replay(WaveRecorder& rec, const std::vector<std::string>& texts);

}  // namespace tsp::waves
