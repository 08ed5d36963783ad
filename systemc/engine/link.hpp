#pragma once
// The engine's side of a chip-to-chip link attachment point (docs/model.md).
// A SEND hands its vector to the link's sink; the link model (or a test wire)
// calls ChipEngine::deliver on the receiving chip with the cycle the vector
// arrives there. Nothing here knows about SystemC: systemc/chip/c2c_port
// turns this into TLM-2.0 sockets.
#include <cstdint>
#include <string>

#include "systemc/engine/types.hpp"

namespace tsp::model {

struct LinkFrame {
  Vec payload;
  uint32_t chip = 0;  // sender
  uint16_t link = 0;  // the sender's link
  Cycle sent = 0;     // the sender's cycle of the SEND
  std::string from;   // the SEND, located as error reports locate instructions
  // Set by a link whose FEC could not correct the frame (no retransmission:
  // the RECV that takes it fails with this); empty for a good frame.
  std::string uncorrectable;
};

class LinkSink {
 public:
  virtual ~LinkSink() = default;
  // Called in the SEND's cycle; may throw Error, which fails the sender's run.
  virtual void transmit(const LinkFrame& frame) = 0;
};

}  // namespace tsp::model
