#pragma once
// Cycle-exact scheduling of chains: the earliest anchor at or after the
// chain's bound where every item's queue slots are free, every MEM access
// keeps the port and bank rules, and every flow finds an aligned stream group
// whose wavefronts are free over its positions. Then the chain is committed.
#include <functional>
#include <utility>
#include <vector>

#include "firmware/compiler/chain.hpp"

namespace tsp::compiler {

class Scheduler {
 public:
  explicit Scheduler(const isa::Config& cfg) : cfg_(cfg), res_(cfg) {}
  // Returns the anchor cycle; appends the chain's runs to timed(). Throws
  // tsp::Error when no slot exists within a generous horizon.
  Cycle schedule(Chain chain);
  // One anchor for chains on several chips (a collective: a sender's READ and
  // SENDs, its receivers' RECVs at the arrival cycles): the earliest where
  // every chain fits on its chip's scheduler. Returns the anchor.
  static Cycle schedule_together(const std::vector<Scheduler*>& chips, std::vector<Chain> chains);
  const std::vector<Timed>& timed() const { return timed_; }
  // SRAM reuse (place.hpp): every SRAM write of the chains scheduled from now
  // on happens at or after cycle `c`.
  void set_write_floor(Cycle c) { floor_ = c; }
  // The last cycle of an SRAM access committed since the previous call; resets.
  Cycle take_last_access() { return std::exchange(last_access_, kNoFloor); }
  const std::vector<std::string>& chain_names() const { return names_; }
  // Test seam: sees (and may change) every chain before it is scheduled; empty in `tsp`
  // (CompileOptions::chain_hook).
  std::function<void(Chain&)> chain_hook;

 private:
  // What a chain takes at one anchor: the queue of each item, its SRAM accesses and stream uses.
  struct Fit {
    std::vector<uint16_t> queue;
    std::vector<MemAccess> mem;
    std::vector<StreamUse> uses;
  };
  // The hook and the write floor applied; the lowest anchor the chain's offsets allow.
  Cycle prepare(Chain& c);
  bool fits(Chain& c, Cycle t, Fit& f) const;
  Cycle commit(Chain& c, Cycle t, const Fit& f);
  const isa::Config& cfg_;
  Resources res_;
  std::vector<Timed> timed_;
  std::vector<std::string> names_;
  Cycle floor_ = kNoFloor;
  Cycle last_access_ = kNoFloor;
};

}  // namespace tsp::compiler
