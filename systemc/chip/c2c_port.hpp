#pragma once
// One chip-to-chip link attachment point (ports only: the links themselves,
// with their latency, serialisation and FEC, are separate modules bound here).
//
// tx: the chip's SENDs on this link go out as TLM-2.0 WRITEs of one vector
//     (data = the vector_bytes payload, a C2cFrame extension says who sent it
//     and when). The delay argument is the SEND's time ahead of SystemC time
//     (temporal decoupling: the chip runs quanta ahead). The link adds its own
//     latency to the delay and calls the peer's rx.
// rx: a vector arriving at sc_time_stamp() + delay is handed to the engine
//     for the cycle edge at or after that time; a RECV in that cycle takes it.
//
// Both are optional. An unbound tx makes SEND a schedule error (no receiver);
// RECV with nothing arriving is one as well. Exactness across chips needs the
// link's latency to be at least the chip's synchronisation quantum: TspChip
// shortens its quantum to the ISA table's hop latency once a link is bound, and
// a vector delivered into the receiver's past is an error, never a shift.
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <systemc>
#include <tlm>

#include "systemc/engine/link.hpp"

namespace tsp::model {

class TspChip;

// Rides on a link's payload: the frame minus the bytes, which are the data.
struct C2cFrame : tlm::tlm_extension<C2cFrame> {
  LinkFrame frame;
  tlm::tlm_extension_base* clone() const override { return new C2cFrame(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { frame = static_cast<const C2cFrame&>(other).frame; }
};

class C2cPort : public sc_core::sc_module, public LinkSink {
 public:
  tlm_utils::simple_initiator_socket_optional<C2cPort> tx;
  tlm_utils::simple_target_socket_optional<C2cPort> rx;

  C2cPort(sc_core::sc_module_name name, TspChip& chip, uint16_t link);
  uint16_t link() const { return link_; }
  bool transmits() const { return tx.size() > 0; }
  bool receives() const { return rx.size() > 0; }
  uint64_t sent() const { return sent_; }
  uint64_t received() const { return received_; }

  void transmit(const LinkFrame& frame) override;  // the engine's SEND

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  TspChip& chip_;
  uint16_t link_;
  uint64_t sent_ = 0, received_ = 0;
};

}  // namespace tsp::model
