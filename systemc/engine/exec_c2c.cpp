// C2C endpoints: SEND hands the vector on `src` to the link attached to this
// queue's link; RECV takes the oldest vector in the link's receive buffer that
// arrived within its receive window and puts it on `dst`. With nothing
// attached (a lone chip) both are schedule errors, and a vector that no RECV
// takes in its window is one too (check_arrivals): links have no flow
// control, so nothing may be silently dropped.
#include <fmt/format.h>

#include "systemc/engine/chip_engine.hpp"
#include "systemc/engine/engine_hot.hpp"

namespace tsp::model {

void ChipEngine::exec_c2c(const Exec& x) {
  const uint16_t link = x.q.desc->index;
  LinkEnd& end = links_.at(link);
  const auto stream = [&](const isa::OperandPositions& field) { return stream_of(x.in, field); };
  if (x.in.op == isa::Op::SEND) {
    const Vec* v;
    read_streams(x, stream(operands::kSrc), 1, &v);
    if (!end.tx) fail(x, fmt::format("link {} is not connected: the vector sent has no receiver", link));
    const std::string src = source_of(x.q, x.index);
    static const Vec kNoPayload{};  // timing only: the link carries no data
    end.tx->transmit(LinkFrame{timing_only_ ? kNoPayload : *v,
                               chip_,
                               link,
                               x.t,
                               instr_text(x.q, x.index, x.t, x.in) + (src.empty() ? "" : " (" + src + ")"),
                               {}});
    return;
  }
  if (x.in.op != isa::Op::RECV) return;  // DESKEW/RDESKEW: the queue's own timing, handled at issue
  // The receive buffer: the oldest frame that arrived in t - window .. t.
  const Cycle window = cfg_.c2c_receive_window_cycles;
  auto& arrivals = end.arrivals;
  if (!arrivals.empty() && arrivals.front().at + window < x.t)
    fail(x, fmt::format("the vector from {} arrived in cycle {}, RECV in cycle {}: {} cycles before the RECV, "
                        "beyond its receive window of {} cycles",
                        arrivals.front().frame.from, arrivals.front().at, x.t, x.t - arrivals.front().at, window));
  if (arrivals.empty() || arrivals.front().at > x.t) {
    if (!end.receives && arrivals.empty())
      fail(x, fmt::format("link {} is not connected: no vector arrives for this RECV", link));
    fail(x, arrivals.empty()
                ? fmt::format("no vector has arrived on link {} by cycle {} (receive window {}..{})", link, x.t,
                              x.t > window ? x.t - window : 0, x.t)
                : fmt::format("the vector from {} arrived in cycle {}, RECV in cycle {}: {} cycles after the RECV",
                              arrivals.front().frame.from, arrivals.front().at, x.t, arrivals.front().at - x.t));
  }
  if (!arrivals.front().frame.uncorrectable.empty())
    fail(x, fmt::format("the frame from {} that arrived in cycle {} is uncorrectable: {}; links do not retransmit",
                        arrivals.front().frame.from, arrivals.front().at, arrivals.front().frame.uncorrectable));
  if (timing_only_)
    no_results(x, stream(operands::kDst), 1);
  else
    result_stream(x, stream(operands::kDst)) = arrivals.front().frame.payload;
  arrivals.pop_front();
}

}  // namespace tsp::model
