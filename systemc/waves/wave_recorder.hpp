#pragma once
// Records a model run as a transaction-level FST wave: one Observer per chip
// (and, on a topology, one LinkObserver for every link) feeds a shared writer.
// The engine reports issues in cycle order but stream puts and SRAM accesses
// ahead of time (issue + latency), so changes wait in a buffer until every
// chip has issued past their time, then go out in time order. Each value
// lasts one cycle: the next cycle returns it to idle.
//
// Time base: picoseconds from the start of cycle 0 (every chip of a system
// starts on one HAC epoch). Chip k's cycle c starts at c x its own period
// (cycle_ps() on a chip at the configuration's clock, so single-chip waves
// are what they always were); link signals change on the edges of the chip
// that drives them (SEND and the end of serialisation on the sender's,
// landing on the receiver's edge that captures the frame).
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "firmware/image/image.hpp"
#include "firmware/topology/topology.hpp"
#include "systemc/c2c/c2c_link.hpp"
#include "systemc/engine/chip_clock.hpp"
#include "systemc/engine/observer.hpp"
#include "systemc/waves/fst_file.hpp"
#include "systemc/waves/wave_layout.hpp"

namespace tsp::waves {

// Cycles to record, both ends included (each chip's own cycles).
struct WaveWindow {
  model::Cycle from = 0;
  model::Cycle to = std::numeric_limits<model::Cycle>::max();
};

class WaveRecorder {
 public:
  // Creates the FST and declares every variable of wave_layout(img, topology, shown).
  // With a topology, each chip runs on its own clock and the links are recorded.
  // `shown[c]`: chip c is in the wave (--wave-chips; empty: every chip). A
  // chip not shown but linked to a shown one is still observed, for its
  // issue times only: a frame it sends must not land in a time already
  // written. Other chips have no observer.
  WaveRecorder(const image::Image& img, const std::string& fst_path, WaveWindow window,
               const topo::Topology* topology = nullptr, std::vector<bool> shown = {});
  ~WaveRecorder();

  // The observer to attach to chip `chip`'s engine before the run (nullptr:
  // not observed); owned here.
  model::Observer* observer(uint32_t chip);
  bool shown(uint32_t chip) const { return shown_.at(chip); }
  // Chip `chip` will tell nothing more: the wave no longer waits for it
  // (waves::replay, once every frame is known).
  void release(uint32_t chip);
  // The observer of every link (RunOptions::link_observer); owned here.
  model::LinkObserver* link_observer();
  // After the run of `cycles` cycles (a failed run: its cycles so far), each
  // chip's own count in `own_cycles` if known: writes the buffered cycles and
  // closes the file. Returns the cycles written (empty when the window lies
  // past the run: from > to).
  WaveWindow finish(model::Cycle cycles, const std::vector<model::Cycle>& own_cycles = {});

  const std::vector<WaveVar>& layout() const { return vars_; }
  const isa::Config& config() const { return cfg_; }
  const WaveWindow& window() const { return window_; }  // as asked for
  uint32_t chips() const { return static_cast<uint32_t>(tracks_.size()); }
  // After finish(): the picoseconds written, from the first cycle's start to the last one's end.
  std::pair<uint64_t, uint64_t> span_ps() const { return span_; }
  // After finish(): the groups a view should show closed (GtkwView::closed):
  // on a topology, every chip's queue groups (the clocks and links are what
  // such a view is about) and each link direction that carried no frame in
  // the window.
  std::vector<std::vector<std::string>> closed_groups() const;

 private:
  class ChipObserver;
  class LinkTap;
  enum class Merge : uint8_t { Set, Or, Append, Text, Add, Idle };
  struct Change {
    FstFile::Handle handle;
    Merge merge;
    uint64_t value;
    std::string text;
  };
  // One chip's cycles: its clock, its counters and how far it has issued.
  struct Track {
    model::ChipClock clock;
    bool nominal = true;           // at the configuration's clock: cycle_ps()
    uint32_t clock_mhz = 0;        // the configuration's
    double mhz = 0;                // its own frequency
    model::Cycle next = 0;         // first cycle not yet written
    model::Cycle last_change = 0;  // one past the last cycle with a change
    bool retired = false;
    FstFile::Handle counter = 0, sac = 0, drift = 0, epoch = 0;  // 0: not written by this track
    std::vector<FstFile::Handle> active;                         // queue signals set in its last cycle written, sorted
    std::map<model::Cycle, int64_t> drifts;                      // RDESKEW corrections from a cycle on
    int64_t drift_now = 0;
    uint64_t epoch_k = 0;  // the next HAC epoch to show
    uint64_t ps(model::Cycle c) const;
    model::Cycle first_at(uint64_t ps) const;  // the first cycle starting at or after ps
  };

  FstFile::Handle handle(uint32_t chip, uint16_t queue, Role role) const;
  void record(uint32_t chip, model::Cycle at, Change change);         // lasts cycle `at` of the chip
  void record_span(uint64_t from_ps, uint64_t to_ps, Change change);  // lasts [from, to); to = max: no end
  void issued(uint32_t chip, model::Cycle t);                         // chip has issued everything before t
  void write_until(uint64_t limit_ps);                                // writes every time before limit
  void write_step(uint64_t ps);
  void track_cycle(uint32_t k, std::vector<Change>& sets);
  bool due(const Track& t) const;
  void retire(uint32_t k);
  void set_idle(FstFile::Handle h);

  const isa::Config& cfg_;
  WaveWindow window_;
  FstFile file_;
  std::vector<WaveVar> vars_;
  const topo::Topology* topology_;
  std::vector<bool> shown_;  // per chip
  // [chip][queue][role] -> handle, 0 when the queue is not declared.
  std::vector<std::vector<std::array<FstFile::Handle, kQueueRoles>>> handles_;
  std::vector<Role> role_of_;                      // by handle
  std::vector<bool> busy_;                         // by handle: shows something other than idle
  std::vector<uint32_t> track_of_;                 // by handle: the chip of a queue signal
  std::vector<uint64_t> running_;                  // by handle: in_flight's count
  std::vector<uint16_t> slice_queue_;              // MEM slice -> its queue id
  std::vector<Track> tracks_;                      // per chip
  std::vector<uint64_t> horizon_ps_;               // per chip: every change before this time is known
  std::set<std::pair<uint64_t, uint32_t>> due_;    // (time of the next cycle, chip) of tracks still writing
  std::map<uint64_t, std::vector<Change>> timed_;  // changes waiting, by time
  uint64_t written_ps_ = std::numeric_limits<uint64_t>::max();  // the last time written; none yet
  // Per link and direction (a to b, b to a): handles by role (Frame ..
  // Fec; 0 when the link is not declared), frames seen, and whether one
  // showed in the window.
  std::vector<std::array<std::array<FstFile::Handle, 5>, 2>> link_handles_;
  std::vector<std::array<uint64_t, 2>> link_frames_;
  std::vector<std::array<bool, 2>> carried_;
  uint64_t lo_ps_ = 0, hi_ps_ = std::numeric_limits<uint64_t>::max();  // the window in time
  uint64_t stop_ps_ = std::numeric_limits<uint64_t>::max();            // set by finish()
  std::pair<uint64_t, uint64_t> span_{0, 0};
  std::vector<std::unique_ptr<ChipObserver>> observers_;
  std::unique_ptr<model::LinkObserver> links_;  // a LinkTap
  bool finished_ = false;
};

}  // namespace tsp::waves
