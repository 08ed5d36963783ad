#pragma once
// Lock-step cosim of a program image: the model's engine runs each chip
// (plain C++, no SystemC: a run can be repeated in one process, which the
// automatic wave re-run needs), a Checker observes every instruction it
// executes and hands it to the RTL adapter of its unit (rtl_units.hpp), and
// the run stops cleanly at the first divergence. docs/cosim.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "firmware/image/image.hpp"
#include "tb/cosim/rtl_units.hpp"

namespace tsp::cosim {

struct WaveRequest {
  std::string fst;  // path of the FST to write
  uint32_t chip = 0;
  std::string unit;  // which chosen unit to trace
  model::Cycle from = 0, to = ~model::Cycle{0};
  std::optional<WaveFocus> focus;
  bool stop_after_window = false;  // a re-run: stop once past `to`, ignore divergences
};

struct CosimOptions {
  std::vector<std::string> units;               // `--rtl` names, each in rtl_units()
  unsigned planted = 0;                         // RTL variants with a planted bug (UnitContext::planted)
  unsigned history = 8;                         // instructions per queue in the report
  std::vector<std::vector<model::Flip>> flips;  // per chip, may be shorter than the chip count
  // Flips given to the RTL only (per chip): a self-test of the checker, which
  // must then report the difference they make.
  std::vector<std::vector<model::Flip>> rtl_flips;
  std::optional<WaveRequest> wave;
};

// One line of a queue's history.
struct HistoryLine {
  OpRef op;
  bool failing = false;
};

struct FirstDivergence {
  uint32_t chip = 0;
  std::string unit;
  OpRef op;
  bool has_op = false;  // false: a whole-run check (finish) with no instruction to blame
  Divergence d;
  std::vector<HistoryLine> history;  // of op.queue, oldest first
};

struct UnitSummary {
  std::string name;
  uint64_t instructions = 0;  // ops handed to the unit
  uint64_t rtl_cycles = 0, values = 0;
  double seconds = 0;  // wall time inside the adapter
  std::vector<RtlUnit::Count> compared, skipped;  // by kind, summed over chips (RtlUnit::compared)
  bool itemized = false;                           // the unit reports compared()
};

struct CosimResult {
  std::optional<FirstDivergence> divergence;
  std::string model_error;    // the model rejected the program (schedule error, uncorrectable ECC)
  model::Cycle cycles = 0;    // the longest chip
  uint64_t instructions = 0;  // unit instructions compared
  std::vector<UnitSummary> units;
  std::vector<RtlUnit::WaveGroup> wave_groups;  // of the traced unit, when a wave was written
  double wall_seconds = 0;
  bool ok() const { return !divergence && model_error.empty(); }
};

// Throws tsp::Error for bad options (unknown unit: the message lists the known ones).
CosimResult run_cosim(const image::Image& img, const CosimOptions& opt);

// The first-divergence report (multi-line, ends with a newline), without the
// reproduce line.
std::string format_divergence(const image::Image& img, const FirstDivergence& fd);

}  // namespace tsp::cosim
