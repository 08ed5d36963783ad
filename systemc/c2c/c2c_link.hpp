#pragma once
// One chip-to-chip link (docs/links.md): full duplex between port `a` of one
// chip and port `b` of another, bound to their C2cPorts' TLM sockets. Each
// direction serialises one frame (a vector plus FEC parity, isa.toml [c2c]) at
// a time over the link's lanes, then carries it through the fixed pipeline
// (SerDes, PCS, FEC) and the cable to the receiver's receive buffer. No flow
// control and no retransmission, as on the real links: a SEND while the
// previous frame is still being serialised is an error on the sender, an
// uncorrectable frame an error on the receiver's RECV.
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "systemc/c2c/wire_errors.hpp"
#include "systemc/chip/tsp_chip.hpp"

namespace tsp::model {

struct LinkCounters {
  uint64_t frames = 0;
  uint64_t bits = 0;               // frame bits put on the wire
  uint64_t busy_cycles = 0;        // sender cycles spent serialising
  uint64_t bit_errors = 0;         // injected on the wire
  uint64_t corrected_symbols = 0;  // by the receiver's FEC
  uint64_t corrected_frames = 0;
  uint64_t uncorrectable_frames = 0;
  int64_t max_jitter_cycles = 0;  // largest |jitter| drawn, rounded
};

class C2cLink : public sc_core::sc_module {
 public:
  struct End {
    TspChip* chip;
    uint16_t port;
  };
  // Binds a's port tx/rx and b's port tx/rx through this link. `defined_at`
  // says where the link was defined (the topology's file:line); `index` (the
  // topology's link index) selects the wire's error streams.
  C2cLink(sc_core::sc_module_name name, End a, End b, const isa::CableDesc& cable, const WireErrorSpec& errors,
          std::string defined_at, uint32_t index);

  const isa::CableDesc& cable() const { return cable_; }
  uint32_t hop_cycles() const;  // SEND to RECV, the schedule's number
  End end(bool b) const { return b ? b_ : a_; }
  // Counters of the direction that starts at end a (false) or b (true).
  const LinkCounters& counters(bool from_b) const { return dir_[from_b]->counters; }
  const std::string& defined_at() const { return defined_at_; }

 private:
  struct Direction {
    tlm_utils::simple_target_socket_tagged<C2cLink> in;  // from the sender's tx
    tlm_utils::simple_initiator_socket<C2cLink> out;     // to the receiver's rx
    End from, to;
    Cycle busy_until = 0;  // the sender's cycle from which the next frame may start
    bool sent_any = false;
    Cycle last_sent = 0;
    sc_core::sc_time last_arrival;  // frames never overtake or crowd each other on the wire
    LinkCounters counters;
    WireErrors wire;
    Direction(const char* in_name, const char* out_name, End f, End t, const WireErrorSpec& spec, uint64_t stream)
        : in(in_name), out(out_name), from(f), to(t), wire(spec, stream) {}
  };
  void carry(int from_b, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  End a_, b_;
  const isa::CableDesc& cable_;
  const isa::Config& cfg_;
  std::string defined_at_;
  std::array<std::unique_ptr<Direction>, 2> dir_;  // from a, from b
};

}  // namespace tsp::model
