#include "systemc/c2c/c2c_link.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "systemc/c2c/link_fec.hpp"

namespace tsp::model {

C2cLink::C2cLink(sc_core::sc_module_name name, End a, End b, const isa::CableDesc& cable, const WireErrorSpec& errors,
                 std::string defined_at, uint32_t index)
    : C2cLink(name, a, b, cable, errors, std::move(defined_at), index, nullptr) {}

C2cLink::C2cLink(sc_core::sc_module_name name, End a, End b, const isa::CableDesc& cable, const WireErrorSpec& errors,
                 std::string defined_at, uint32_t index, RemoteFrameSink* remote)
    : sc_module(name),
      a_(a),
      b_(b),
      cable_(cable),
      cfg_((a.chip ? a.chip : b.chip)->engine().config()),
      defined_at_(std::move(defined_at)),
      index_(index),
      remote_(remote) {
  if ((!a.chip || !b.chip) && !remote)
    throw Error(fmt::format("{}: a link with a chip on another rank needs a remote frame sink",
                            static_cast<const char*>(name)));
  dir_[0] = std::make_unique<Direction>("a_in", "b_out", a, b, errors, 2ull * index);
  dir_[1] = std::make_unique<Direction>("b_in", "a_out", b, a, errors, 2ull * index + 1);
  for (int d = 0; d < 2; ++d) {
    Direction& x = *dir_[d];
    x.in.register_b_transport(this, &C2cLink::carry, d);
    if (x.from.chip) x.from.chip->c2c(x.from.port).tx.bind(x.in);
    if (x.to.chip) x.out.bind(x.to.chip->c2c(x.to.port).rx);
  }
}

void C2cLink::deliver(bool from_b, LinkFrame frame, const sc_core::sc_time& at) {
  Direction& d = *dir_[from_b];
  C2cFrame ext;
  ext.frame = std::move(frame);
  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_WRITE_COMMAND);
  trans.set_address(0);
  trans.set_data_ptr(ext.frame.payload.bytes.data());
  trans.set_data_length(cfg_.vector_bytes);
  trans.set_streaming_width(cfg_.vector_bytes);
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  trans.set_extension(&ext);
  struct Detach {
    tlm::tlm_generic_payload& t;
    C2cFrame& e;
    ~Detach() { t.clear_extension(&e); }
  } detach{trans, ext};
  sc_core::sc_time delay = at - sc_core::sc_time_stamp();
  d.out->b_transport(trans, delay);
}

uint32_t C2cLink::hop_cycles() const { return isa::c2c_hop_cycles(cfg_, cable_); }

void C2cLink::carry(int from_b, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  Direction& d = *dir_[from_b];
  C2cFrame* ext = nullptr;
  trans.get_extension(ext);
  if (!ext || !trans.is_write() || trans.get_data_length() != cfg_.vector_bytes) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  LinkFrame& frame = ext->frame;
  const Cycle sent = frame.sent;
  if (d.sent_any && sent < d.busy_until)
    throw Error(fmt::format("{}: link {} busy until cycle {}: the frame sent in cycle {} is still being serialised "
                            "({} cycles per frame of {} bits at {} lanes x {} Mb/s)",
                            frame.from, d.from.port, d.busy_until, d.last_sent, cfg_.c2c_frame_cycles,
                            cfg_.c2c_frame_bits, cfg_.c2c_lanes_per_link, cfg_.c2c_mbps_per_lane));
  d.sent_any = true;
  d.last_sent = sent;
  d.busy_until = sent + cfg_.c2c_frame_cycles;
  LinkCounters& n = d.counters;
  ++n.frames;
  n.bits += cfg_.c2c_frame_bits;
  n.busy_cycles += cfg_.c2c_frame_cycles;

  // What the wire and the receiver's FEC make of the frame. The payload is
  // the transaction's data (C2cPort::transmit), changed in place.
  const std::vector<uint32_t> flipped =
      d.wire.bits(d.from.chip->engine().chip(), d.from.port, sent, cfg_.c2c_frame_bits);
  std::optional<Vec> sent_payload;
  if (observer_) sent_payload = frame.payload;
  FecOutcome fec;
  if (!flipped.empty()) {
    n.bit_errors += flipped.size();
    if (!sent_payload) sent_payload = frame.payload;
    fec = pass_through_fec(cfg_, flipped, frame.payload);
    n.corrected_symbols += fec.corrected_symbols;
    n.corrected_frames += fec.corrected_symbols > 0 && !fec.uncorrectable && !fec.miscorrected;
    if (fec.uncorrectable || fec.miscorrected) {
      ++n.uncorrectable_frames;
      frame.uncorrectable =
          fec.uncorrectable
              ? fmt::format("{} bit(s) flipped on {} ({}), more than the FEC corrects ({} symbols)", flipped.size(),
                            name(), defined_at_, isa::kFecT)
              : fmt::format("{} bit(s) flipped on {} ({}) made another codeword: hardware would deliver it "
                            "silently",
                            flipped.size(), name(), defined_at_);
      frame.payload = *sent_payload;  // the RECV fails; the bytes stay the sender's
    }
  }

  // Serialisation and the fixed pipeline run on the sender's clock, the cable in real time.
  const double jitter = d.wire.jitter_cycles();
  n.max_jitter_cycles = std::max<int64_t>(n.max_jitter_cycles, std::llround(std::abs(jitter)));
  const double nominal_ps = 1e6 / cfg_.clock_mhz;
  const double cycles = double(cfg_.c2c_frame_cycles + cfg_.c2c_fixed_cycles) * d.from.chip->period_ps();
  delay += sc_core::sc_time(cycles + double(cable_.wire_ps) + jitter * nominal_ps, sc_core::SC_PS);
  // Jitter moves a frame, but the deserialiser still takes frames in order, a
  // frame's time apart: one cannot land before the previous one has.
  const sc_core::sc_time frame_time(double(cfg_.c2c_frame_cycles) * nominal_ps, sc_core::SC_PS);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (n.frames > 1 && now + delay < d.last_arrival + frame_time) delay = d.last_arrival + frame_time - now;
  d.last_arrival = now + delay;
  if (observer_)
    observer_->on_frame(LinkFrameEvent{index_, from_b != 0, d.from.chip->engine().chip(), d.from.port, sent,
                                       &*sent_payload, &flipped, fec, d.from.chip->time_of(sent), now + delay,
                                       frame.from});
  if (!d.to.chip) {
    remote_->post(index_, from_b != 0, d.to.id, now + delay, frame);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  d.out->b_transport(trans, delay);
}

}  // namespace tsp::model
