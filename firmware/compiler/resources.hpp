#pragma once
// Reservation tables of everything two scheduled instructions can collide on
// (docs/timing.md): queue issue slots, MEM ports and banks, and stream
// wavefronts. A value put on an eastward stream at position p in cycle T is at
// q >= p in cycle T + (q - p): it rides wavefront T - p (westward: T + p). A
// use reserves its wavefronts over the positions from its producer to its
// farthest consumer; two uses of a stream collide when both ranges overlap.
// That is exact: a producer downstream on the same wavefront may replace a
// value its upstream consumers have already read.
#include <cstdint>
#include <map>
#include <vector>

#include "firmware/isa/isa.hpp"

namespace tsp::compiler {

using Cycle = int64_t;

// `n` SRAM accesses of one slice at cycles c0, c0+every, ..., addresses addr0 + k*stride.
struct MemAccess {
  uint16_t slice = 0;
  bool write = false;
  Cycle c0 = 0;
  uint32_t n = 1;
  int64_t addr0 = 0;
  int64_t stride = 1;
  uint32_t every = 1;
  bool any_bank = false;  // addresses known only at run time (GATHER): every bank
  Cycle end() const { return c0 + Cycle(n - 1) * every + 1; }
  bool at(Cycle c) const { return c >= c0 && c < end() && (c - c0) % every == 0; }
  int64_t addr(Cycle c) const { return addr0 + (c - c0) / every * stride; }
};

// `n` consecutive wavefronts from w0 on stream `stream`, positions pmin..pmax.
struct StreamUse {
  uint8_t stream = 0;
  bool west = false;
  int64_t w0 = 0;
  uint32_t n = 1;
  uint16_t pmin = 0, pmax = 0;
};

class Resources {
 public:
  explicit Resources(const isa::Config& cfg);
  // Issue slots [t, t+n) of queue `q`.
  bool queue_free(uint16_t q, Cycle t, uint64_t n) const { return runs_free(queues_.at(q), t, n); }
  void take_queue(uint16_t q, Cycle t, uint64_t n) { queues_.at(q)[t] = t + Cycle(n); }
  // The transmitter of C2C queue `q`'s link over cycles [t, t+n): a SEND holds
  // it for a frame, while the queue itself issues again the next cycle.
  bool tx_free(uint16_t q, Cycle t, uint64_t n) const { return runs_free(tx_.at(q), t, n); }
  void take_tx(uint16_t q, Cycle t, uint64_t n) { tx_.at(q)[t] = t + Cycle(n); }
  bool mem_free(const MemAccess& a) const;
  void take_mem(const MemAccess& a) { mem_[a.slice].push_back(a); }
  bool stream_free(const StreamUse& u) const;
  void take_stream(const StreamUse& u) { streams_[key(u)].push_back(u); }

  // Two accesses of one slice that the port/bank rules forbid (same slice assumed).
  static bool mem_clash(const MemAccess& a, const MemAccess& b, uint32_t banks);
  static bool stream_clash(const StreamUse& a, const StreamUse& b);

 private:
  using Runs = std::map<Cycle, Cycle>;  // start -> end of occupied runs
  static bool runs_free(const Runs& m, Cycle t, uint64_t n);
  size_t key(const StreamUse& u) const { return (u.west ? streams_per_dir_ : 0) + u.stream; }
  uint32_t banks_;
  uint32_t streams_per_dir_;
  std::vector<Runs> queues_;  // per queue
  std::vector<Runs> tx_;      // per queue (C2C only)
  std::vector<std::vector<MemAccess>> mem_;
  std::vector<std::vector<StreamUse>> streams_;
};

}  // namespace tsp::compiler
