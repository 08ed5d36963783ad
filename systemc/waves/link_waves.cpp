// The link part of a wave (WaveRecorder::LinkTap): each frame a link carries
// becomes a span of its direction's signals. `frame` shows the SEND while the
// sender serialises it (c2c_frame_cycles of the sender's clock), `in_flight`
// counts frames from the SEND to the landing, and `landed`, `bit_errors` and
// `fec` last the receiver's cycle whose edge captures the frame, which is
// when its RECV may first take it.
#include <fmt/format.h>

#include <optional>

#include "systemc/waves/wave_recorder.hpp"

namespace tsp::waves {
namespace {

// "chip 0, C2C.0 #3 `SEND S0.W`, cycle 20 (x.tsp:9)" -> "SEND S0.W"
std::string_view send_text(std::string_view from) {
  const size_t a = from.find('`'), b = a == std::string_view::npos ? a : from.find('`', a + 1);
  return b == std::string_view::npos ? from : from.substr(a + 1, b - a - 1);
}

std::string fec_text(const model::FecOutcome& f) {
  if (f.miscorrected) return "miscorrected";  // hardware would take it for good data; the simulator knows
  if (f.uncorrectable) return "uncorrectable";
  return f.corrected_symbols ? fmt::format("corrected {}", f.corrected_symbols) : "clean";
}

}  // namespace

class WaveRecorder::LinkTap : public model::LinkObserver {
 public:
  explicit LinkTap(WaveRecorder& rec) : rec_(rec) {}

  void on_frame(const model::LinkFrameEvent& e) override {
    const uint64_t n = rec_.link_frames_.at(e.link)[e.from_b]++;
    const auto& h = rec_.link_handles_[e.link][e.from_b];
    if (!h[0]) return;  // no code at either end: not declared
    const topo::Link& l = rec_.topology_->links[e.link];
    const Track& tx = rec_.tracks_.at(e.chip);
    const Track& rx = rec_.tracks_.at(e.from_b ? l.a.chip : l.b.chip);
    const uint32_t mhz = rec_.cfg_.clock_mhz;
    // The system started when the sender's cycle 0 did (TspChip::time_of: t0 + c x period).
    if (!t0_) t0_ = e.sent_at - sc_core::sc_time(double(e.sent) * tx.clock.period_ps(mhz), sc_core::SC_PS);
    const model::Cycle land = model::capture_cycle((e.arrives_at - *t0_).to_seconds() * 1e12, rx.clock.period_ps(mhz));
    const uint64_t sent = tx.ps(e.sent), landed = rx.ps(land), after = rx.ps(land + 1);
    const uint64_t end = std::numeric_limits<uint64_t>::max();
    rec_.record_span(sent, tx.ps(e.sent + rec_.cfg_.c2c_frame_cycles),
                     {h[0], Merge::Text, 0, fmt::format("frame {} {}", n, send_text(e.from))});
    rec_.record_span(sent, end, {h[1], Merge::Add, 1, {}});
    rec_.record_span(landed, end, {h[1], Merge::Add, ~uint64_t{0}, {}});  // -1
    rec_.record_span(landed, after, {h[2], Merge::Set, 1, {}});
    rec_.record_span(landed, after, {h[3], Merge::Set, e.flipped ? e.flipped->size() : 0, {}});
    rec_.record_span(landed, after, {h[4], Merge::Text, 0, fec_text(e.fec)});
    if (landed < rec_.hi_ps_ && after > rec_.lo_ps_) rec_.carried_[e.link][e.from_b] = true;
  }

 private:
  WaveRecorder& rec_;
  std::optional<sc_core::sc_time> t0_;
};

model::LinkObserver* WaveRecorder::link_observer() {
  if (!links_) links_ = std::make_unique<LinkTap>(*this);
  return links_.get();
}

std::vector<std::vector<std::string>> WaveRecorder::closed_groups() const {
  std::vector<std::vector<std::string>> closed;
  if (!topology_) return closed;
  for (const WaveVar& v : vars_)
    if (v.scope.size() > 2 && v.scope[0] != "links") {
      std::vector<std::string> group(v.scope.begin(), v.scope.begin() + 2);  // {"chip0", "west"}
      if (closed.empty() || closed.back() != group) closed.push_back(std::move(group));
    }
  for (uint32_t i = 0; i < link_handles_.size(); ++i)
    for (bool from_b : {false, true})
      if (link_handles_[i][from_b][0] && !carried_[i][from_b]) {
        closed.push_back(link_scope(*topology_, i));
        closed.back().push_back(from_b ? "b_to_a" : "a_to_b");
      }
  return closed;
}

}  // namespace tsp::waves
