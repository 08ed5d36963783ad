#pragma once
// The frames that cross ranks (docs/distributed.md): the sending rank's half
// of a link posts each frame here with the system time it lands; at the end of
// every window the ranks exchange them (Comm::exchange) and the receiving rank
// delivers them, sorted by (arrival time, link, direction), through the
// receiving half's rx socket before the next window runs. A frame that would
// land before what the receiver may already have simulated is an error on the
// sender, never a reorder.
#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "systemc/c2c/c2c_link.hpp"

namespace tsp::dist {

class RankSync : public model::RemoteFrameSink {
 public:
  // `rank_of[chip]`; `link_names[i]`: "link3 (file:line)" for messages;
  // `start`: the system's start (cycle 0 of every chip), for the messages.
  RankSync(const isa::Config& cfg, std::vector<int> rank_of, int rank, std::vector<std::string> link_names);
  // The local half of link `index` (its local chip receives the other direction).
  void add_link(uint32_t index, model::C2cLink* link) { links_.at(index) = link; }
  // The current window ends at `end`; a receiver may have run to `horizon`.
  void set_window(const sc_core::sc_time& end, const sc_core::sc_time& horizon, double lookahead_cycles) {
    window_end_ = end;
    horizon_ = horizon;
    lookahead_cycles_ = lookahead_cycles;
  }
  void set_start(const sc_core::sc_time& start) { start_ = start; }

  void post(uint32_t link, bool from_b, uint32_t to_chip, const sc_core::sc_time& arrives,
            const model::LinkFrame& frame) override;
  // This window's frames, one buffer per destination rank (emptied).
  std::vector<std::vector<uint8_t>> take_outgoing();
  uint64_t posted() const { return posted_; }  // frames of the current window
  // Frames from every rank: sorted and delivered now (between windows).
  void deliver(const std::vector<std::vector<uint8_t>>& in);
  uint64_t frames_sent() const { return sent_total_; }
  uint64_t frames_received() const { return received_total_; }
  uint64_t bytes_sent() const { return bytes_total_; }

 private:
  const isa::Config& cfg_;
  std::vector<int> rank_of_;
  int rank_;
  std::vector<std::string> link_names_;
  std::vector<model::C2cLink*> links_;
  std::vector<std::vector<uint8_t>> out_;
  sc_core::sc_time window_end_, horizon_, start_;
  double lookahead_cycles_ = 0;
  uint64_t posted_ = 0, sent_total_ = 0, received_total_ = 0, bytes_total_ = 0;
};

}  // namespace tsp::dist
