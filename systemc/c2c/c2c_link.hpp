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

#include "systemc/c2c/link_fec.hpp"
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

// One frame as a link carried it: for observers (the FEC RTL's cosim, waves).
struct LinkFrameEvent {
  uint32_t link = 0;    // the topology's link index
  bool from_b = false;  // direction: from end b to end a
  uint32_t chip = 0;    // sender
  uint16_t port = 0;
  Cycle sent = 0;                        // the SEND's cycle on the sender's clock
  const Vec* payload = nullptr;          // the vector as sent (vector_bytes bytes)
  const std::vector<uint32_t>* flipped;  // frame bits the wire flipped
  FecOutcome fec;                        // what the receiver's decoder made of it
  sc_core::sc_time sent_at, arrives_at;  // system time of the SEND and of the landing
  std::string_view from;                 // the SEND, located
};

class LinkObserver {
 public:
  virtual ~LinkObserver() = default;
  // Called once per frame, in the sender's SEND order per direction.
  virtual void on_frame(const LinkFrameEvent& e) = 0;
};

// Where a link sends the frames of a direction whose receiver lives on another
// rank (systemc/dist/rank_sync.hpp): the frame as the wire and the FEC left it,
// with the system time it lands. May throw Error (a frame inside the current
// window), which fails the sender.
class RemoteFrameSink {
 public:
  virtual ~RemoteFrameSink() = default;
  virtual void post(uint32_t link, bool from_b, uint32_t to_chip, const sc_core::sc_time& arrives,
                    const LinkFrame& frame) = 0;
};

class C2cLink : public sc_core::sc_module {
 public:
  // A chip's port; `chip` is nullptr for a chip on another rank, then `id`
  // says which chip it is.
  struct End {
    TspChip* chip;
    uint16_t port;
    uint32_t id = 0;
  };
  // Binds a's port tx/rx and b's port tx/rx through this link. `defined_at`
  // says where the link was defined (the topology's file:line); `index` (the
  // topology's link index) selects the wire's error streams.
  C2cLink(sc_core::sc_module_name name, End a, End b, const isa::CableDesc& cable, const WireErrorSpec& errors,
          std::string defined_at, uint32_t index);
  // Half of a link whose other end sits on another rank (one End's chip is
  // nullptr): the local sender's direction runs here as above and hands its
  // frames to `remote`; the other direction's frames come in through deliver().
  C2cLink(sc_core::sc_module_name name, End a, End b, const isa::CableDesc& cable, const WireErrorSpec& errors,
          std::string defined_at, uint32_t index, RemoteFrameSink* remote);
  // A frame of the direction from the remote end, landing at system time `at`
  // (not before now): handed to the local receiver's rx socket.
  void deliver(bool from_b, LinkFrame frame, const sc_core::sc_time& at);

  const isa::CableDesc& cable() const { return cable_; }
  uint32_t hop_cycles() const;  // SEND to RECV, the schedule's number
  End end(bool b) const { return b ? b_ : a_; }
  // Counters of the direction that starts at end a (false) or b (true).
  const LinkCounters& counters(bool from_b) const { return dir_[from_b]->counters; }
  const std::string& defined_at() const { return defined_at_; }
  void set_observer(LinkObserver* observer) { observer_ = observer; }  // not owned

 private:
  struct Direction {
    tlm_utils::simple_target_socket_tagged_optional<C2cLink> in;  // from the sender's tx (unbound: remote sender)
    tlm_utils::simple_initiator_socket_optional<C2cLink> out;     // to the receiver's rx (unbound: remote receiver)
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
  uint32_t index_;
  LinkObserver* observer_ = nullptr;
  RemoteFrameSink* remote_ = nullptr;
  std::array<std::unique_ptr<Direction>, 2> dir_;  // from a, from b
};

}  // namespace tsp::model
