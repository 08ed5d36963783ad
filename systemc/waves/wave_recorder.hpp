#pragma once
// Records a model run as a transaction-level FST wave: one Observer per chip
// feeds a shared writer. The engine reports issues in cycle order but stream
// puts and SRAM accesses ahead of time (issue + latency), so changes wait in a
// buffer until every chip has issued past their cycle, then go out in time
// order. Each value lasts one cycle: the next cycle returns it to idle.
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "firmware/image/image.hpp"
#include "systemc/engine/observer.hpp"
#include "systemc/waves/fst_file.hpp"
#include "systemc/waves/wave_layout.hpp"

namespace tsp::waves {

// Cycles to record, both ends included.
struct WaveWindow {
  model::Cycle from = 0;
  model::Cycle to = std::numeric_limits<model::Cycle>::max();
};

class WaveRecorder {
 public:
  // Creates the FST and declares every variable of wave_layout(img).
  WaveRecorder(const image::Image& img, const std::string& fst_path, WaveWindow window);
  ~WaveRecorder();

  // The observer to attach to chip `chip`'s engine before the run; owned here.
  model::Observer* observer(uint32_t chip);
  // After the run of `cycles` cycles (a failed run: its cycles so far): writes
  // the buffered cycles and closes the file. Returns the cycles written (empty
  // when the window lies past the run: from > to).
  WaveWindow finish(model::Cycle cycles);

  const std::vector<WaveVar>& layout() const { return vars_; }
  const isa::Config& config() const { return cfg_; }
  const WaveWindow& window() const { return window_; }  // as asked for
  uint32_t chips() const { return static_cast<uint32_t>(observers_.size()); }

 private:
  class ChipObserver;
  enum class Merge : uint8_t { Set, Or, Append };
  struct Change {
    FstFile::Handle handle;
    Merge merge;
    uint64_t value;
    std::string text;
  };

  FstFile::Handle handle(uint32_t chip, uint16_t queue, Role role) const;
  void record(model::Cycle at, Change change);
  void issued(uint32_t chip, model::Cycle t);  // chip has issued everything before t
  void write_until(model::Cycle end);          // writes cycles [next_, end) of the window
  void write_cycle(model::Cycle c, std::vector<Change>& changes);
  void set_idle(FstFile::Handle h);

  const isa::Config& cfg_;
  WaveWindow window_;
  FstFile file_;
  std::vector<WaveVar> vars_;
  std::vector<FstFile::Handle> cycle_;  // per chip
  // [chip][queue][role] -> handle, 0 when the queue is not declared.
  std::vector<std::vector<std::array<FstFile::Handle, kQueueRoles>>> handles_;
  std::vector<Role> role_of_;          // by handle
  std::vector<uint16_t> slice_queue_;  // MEM slice -> its queue id
  std::vector<model::Cycle> horizon_;  // per chip: every change before it is known
  std::map<model::Cycle, std::vector<Change>> pending_;
  std::vector<FstFile::Handle> active_;  // not idle in the cycle last written
  model::Cycle next_ = 0;                // first cycle not yet written
  std::vector<std::unique_ptr<ChipObserver>> observers_;
  bool finished_ = false;
};

}  // namespace tsp::waves
