#include "systemc/chip/c2c_port.hpp"

#include <fmt/format.h>

#include "systemc/chip/tsp_chip.hpp"

namespace tsp::model {

C2cPort::C2cPort(sc_core::sc_module_name name, TspChip& chip, uint16_t link)
    : sc_module(name), tx("tx"), rx("rx"), chip_(chip), link_(link) {
  rx.register_b_transport(this, &C2cPort::b_transport);
}

void C2cPort::transmit(const LinkFrame& frame) {
  const isa::Config& cfg = chip_.engine().config();
  C2cFrame ext;
  ext.frame = frame;
  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_WRITE_COMMAND);
  trans.set_address(0);
  trans.set_data_ptr(ext.frame.payload.bytes.data());
  trans.set_data_length(cfg.vector_bytes);
  trans.set_streaming_width(cfg.vector_bytes);
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  trans.set_extension(&ext);
  // The payload deletes extensions it still holds: take ours back even when
  // the link throws (a SEND on a busy link), or the stack object is freed.
  struct Detach {
    tlm::tlm_generic_payload& t;
    C2cFrame& e;
    ~Detach() { t.clear_extension(&e); }
  } detach{trans, ext};
  sc_core::sc_time delay = chip_.time_of(frame.sent) - sc_core::sc_time_stamp();
  tx->b_transport(trans, delay);
  if (trans.get_response_status() != tlm::TLM_OK_RESPONSE)
    throw Error(fmt::format("{}: the link refused the vector ({})", name(), trans.get_response_string()));
  ++sent_;
}

void C2cPort::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  C2cFrame* ext = nullptr;
  trans.get_extension(ext);
  const uint32_t bytes = chip_.engine().config().vector_bytes;
  if (!trans.is_write() || trans.get_data_length() != bytes || !ext) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);  // not a link vector: the sender's error
    return;
  }
  LinkFrame frame = ext->frame;
  std::copy_n(trans.get_data_ptr(), bytes, frame.payload.bytes.begin());
  chip_.arrive(link_, sc_core::sc_time_stamp() + delay, std::move(frame));
  ++received_;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);  // a receiver's problem is reported by the receiver
}

}  // namespace tsp::model
