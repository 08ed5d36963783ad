#pragma once
// Functional coverage of the model side (docs/coverage.md): named bins that a
// run hits, counted by an engine observer, written as JSON and merged across
// runs by `tsp coverage`. The bins are data derived from the ISA table, so
// the report can list what was never hit:
//
//   <UNIT>.<OP>[.<type>]                   an instruction executed (ICU ops too)
//   <UNIT>.<OP>.<type>.in.<corner>         an input lane value of the op's type
//   <UNIT>.<OP>.<type>.out.<corner>        an output lane value (MXM ACC and the
//                                          saturating VXM ops: saturation edges)
//   ICU.REPEAT.<OP>                        a REPEAT of an op with a strided field
//   C2C.DESKEW.{first_epoch,later_epoch,on_epoch}  issued before the first HAC
//                                          epoch, after one, exactly on one
//   MEM.<OP>.bank<b>                       an array access of each bank
//   MEM.read_and_write_same_cycle          one slice read and written in one cycle
//   MEM.ecc.corrected                      a MEM instruction saw a corrected word
//   C2C.frame.{clean,corrected,uncorrectable,miscorrected}
//
// Corners: floats +0, -0, subnormal, normal, max (largest finite, either
// sign), inf, nan; signed integers 0, -1, min, max, other; unsigned 0, max,
// other.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "systemc/c2c/c2c_link.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/engine/observer.hpp"

namespace tsp::cov {

using Bins = std::map<std::string, uint64_t>;

// Every bin of `cfg`, in name order.
std::vector<std::string> all_bins(const isa::Config& cfg);

// The corner class of a lane value of `type` (its low 8*bytes bits).
std::string_view corner(isa::DType type, uint32_t bits);

// Counts bins of one chip's run (attach with ChipEngine::set_observer) and
// of every link's frames (RunOptions::link_observer).
class FunctionalCoverage final : public model::Observer, public model::LinkObserver {
 public:
  explicit FunctionalCoverage(const isa::Config& cfg) : cfg_(cfg) {}
  // The engine whose counters (ECC) are read after its MEM instructions.
  void watch(const model::ChipEngine* engine) { engine_ = engine; }

  void on_issue(uint16_t queue, uint32_t index, model::Cycle t, const isa::Instr& in) override;
  bool wants_unit_ops() const override { return true; }
  void on_unit_op(const model::UnitOp& op) override;
  void on_frame(const model::LinkFrameEvent& e) override;

  const Bins& bins() const { return bins_; }

 private:
  void hit(const std::string& bin) { ++bins_[bin]; }
  void lanes(const std::string& prefix, isa::DType type, const std::vector<const model::Vec*>& group, size_t first);

  const isa::Config& cfg_;
  const model::ChipEngine* engine_ = nullptr;
  Bins bins_;
  std::map<uint16_t, uint32_t> last_index_;  // per queue: the last instruction issued (REPEAT detection)
  std::map<uint16_t, std::pair<model::Cycle, bool>> last_access_;  // per slice: cycle and read/write of the last
  uint64_t ecc_seen_ = 0;
};

// Adds `from`'s counts to `into` (merging runs, or the chips of one run).
void add(Bins& into, const Bins& from);

// Coverage files: {"format": "tsp-functional-coverage-1", "config": NAME, "bins": {NAME: COUNT}}.
void save(const std::string& path, const std::string& config, const Bins& bins);
struct Loaded {
  std::string config;
  Bins bins;
};
Loaded load(const std::string& path);  // throws tsp::Error naming the file

}  // namespace tsp::cov
