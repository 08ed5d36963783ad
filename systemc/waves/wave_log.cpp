#include "systemc/waves/wave_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <tuple>

#include "common/error.hpp"

namespace tsp::waves {

using model::Cycle;

// One line per event, numbers in decimal:
//   i QUEUE INDEX T OP N OPERAND...      on_issue (the instruction's op and its N operands)
//   p INDEX WEST POSITION AT QUEUE       on_stream_put
//   s SLICE ADDRESS AT WRITE             on_sram
//   d AT SHIFT                           on_drift
//   f LINK FROM_B CHIP PORT SENT FLIPS CORRECTED UNCORRECTABLE MISCORRECTED SENT_AT ARRIVES_AT FROM...
// (SENT_AT and ARRIVES_AT: sc_time values; FROM, the located SEND, to the end of the line.)
class WaveLog::ChipLog : public model::Observer {
 public:
  explicit ChipLog(std::string& out) : out_(out) {}
  void on_issue(uint16_t queue, uint32_t index, Cycle t, const isa::Instr& in) override {
    const size_t n = in.desc().fields.size();
    fmt::format_to(std::back_inserter(out_), "i {} {} {} {} {}", queue, index, t, static_cast<unsigned>(in.op), n);
    for (size_t k = 0; k < n; ++k) fmt::format_to(std::back_inserter(out_), " {}", in.operand[k]);
    out_ += '\n';
  }
  void on_stream_put(isa::StreamRef s, uint16_t position, Cycle at, uint16_t queue) override {
    fmt::format_to(std::back_inserter(out_), "p {} {} {} {} {}\n", s.index, int(s.west), position, at, queue);
  }
  void on_sram(uint16_t slice, uint32_t address, Cycle at, bool write) override {
    fmt::format_to(std::back_inserter(out_), "s {} {} {} {}\n", slice, address, at, int(write));
  }
  void on_drift(Cycle at, int64_t shift) override { fmt::format_to(std::back_inserter(out_), "d {} {}\n", at, shift); }

 private:
  std::string& out_;
};

class WaveLog::FrameLog : public model::LinkObserver {
 public:
  explicit FrameLog(WaveLog& log) : log_(log) {}
  void on_frame(const model::LinkFrameEvent& e) override {
    const topo::Link& l = log_.topology_->links.at(e.link);
    if (!log_.shown_[l.a.chip] && !log_.shown_[l.b.chip]) return;
    fmt::format_to(std::back_inserter(log_.text_.at(e.chip)), "f {} {} {} {} {} {} {} {} {} {} {} {}\n", e.link,
                   int(e.from_b), e.chip, e.port, e.sent, e.flipped ? e.flipped->size() : 0, e.fec.corrected_symbols,
                   int(e.fec.uncorrectable), int(e.fec.miscorrected), e.sent_at.value(), e.arrives_at.value(), e.from);
  }

 private:
  WaveLog& log_;
};

WaveLog::WaveLog(uint32_t chips, std::vector<bool> shown, const topo::Topology* topology)
    : shown_(shown.empty() ? std::vector<bool>(chips, true) : std::move(shown)), topology_(topology), text_(chips) {
  for (uint32_t c = 0; c < chips; ++c) chips_.push_back(shown_.at(c) ? std::make_unique<ChipLog>(text_[c]) : nullptr);
}

WaveLog::~WaveLog() = default;

model::Observer* WaveLog::observer(uint32_t chip) { return chips_.at(chip).get(); }

model::LinkObserver* WaveLog::link_observer() {
  if (!frames_) frames_ = std::make_unique<FrameLog>(*this);
  return frames_.get();
}

std::string WaveLog::take(uint32_t chip) { return std::exchange(text_.at(chip), {}); }

namespace {

// Reads the numbers of one line in order; any malformed field is an error naming the line.
class Fields {
 public:
  Fields(std::string_view line, uint32_t chip, size_t number)
      : line_(line), rest_(line.substr(std::min<size_t>(1, line.size()))), chip_(chip), number_(number) {}
  template <typename T>
  T next() {
    while (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
    T v{};
    const auto [end, ec] = std::from_chars(rest_.data(), rest_.data() + rest_.size(), v);
    if (ec != std::errc{}) fail();
    rest_.remove_prefix(size_t(end - rest_.data()));
    return v;
  }
  std::string_view tail() {  // after one separating space
    if (rest_.empty() || rest_.front() != ' ') fail();
    return rest_.substr(1);
  }
  [[noreturn]] void fail() const {
    throw Error(
        fmt::format("waves: chip {}'s wave log line {} is malformed: '{}'", chip_, number_, line_.substr(0, 80)));
  }

 private:
  std::string_view line_, rest_;
  uint32_t chip_;
  size_t number_;
};

struct Frame {
  model::LinkFrameEvent event;
  std::vector<uint32_t> flipped;
  std::string from;
};

template <typename Fn>
void each_line(const std::string& text, uint32_t chip, Fn fn) {
  size_t number = 0;
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    fn(std::string_view(text).substr(at, end - at),
       Fields(std::string_view(text).substr(at, end - at), chip, ++number));
    at = end + 1;
  }
}

}  // namespace

void replay(WaveRecorder& rec, const std::vector<std::string>& texts) {
  // Frames first: their spans must wait in the recorder before any chip's events let it write past them.
  std::vector<Frame> frames;
  for (uint32_t chip = 0; chip < texts.size(); ++chip)
    each_line(texts[chip], chip, [&](std::string_view line, Fields f) {
      if (line.empty() || line[0] != 'f') return;
      Frame fr;
      model::LinkFrameEvent& e = fr.event;
      e.link = f.next<uint32_t>();
      e.from_b = f.next<int>() != 0;
      e.chip = f.next<uint32_t>();
      e.port = f.next<uint16_t>();
      e.sent = f.next<Cycle>();
      fr.flipped.resize(f.next<size_t>());
      e.fec.corrected_symbols = f.next<unsigned>();
      e.fec.uncorrectable = f.next<int>() != 0;
      e.fec.miscorrected = f.next<int>() != 0;
      e.sent_at = sc_core::sc_time::from_value(f.next<sc_dt::uint64>());
      e.arrives_at = sc_core::sc_time::from_value(f.next<sc_dt::uint64>());
      fr.from = std::string(f.tail());
      frames.push_back(std::move(fr));
    });
  // Each direction's frames stay in SEND order (a stable sort, and one sender per direction).
  std::stable_sort(frames.begin(), frames.end(), [](const Frame& a, const Frame& b) {
    return std::tuple(a.event.sent_at, a.event.link, a.event.from_b) <
           std::tuple(b.event.sent_at, b.event.link, b.event.from_b);
  });
  static const model::Vec kNoPayload{};
  for (Frame& fr : frames) {
    fr.event.payload = &kNoPayload;  // the wave shows counts and outcomes, not the bytes
    fr.event.flipped = &fr.flipped;
    fr.event.from = fr.from;
    rec.link_observer()->on_frame(fr.event);
  }
  // Every frame is in: chips only linked to shown ones need not hold the wave back.
  for (uint32_t chip = 0; chip < texts.size(); ++chip)
    if (!rec.shown(chip)) rec.release(chip);
  for (uint32_t chip = 0; chip < texts.size(); ++chip) {
    if (texts[chip].empty()) continue;
    model::Observer* o = rec.shown(chip) ? rec.observer(chip) : nullptr;  // a chip not shown logs frames only
    each_line(texts[chip], chip, [&](std::string_view line, Fields f) {
      if (!o && (line.empty() || line[0] != 'f'))
        throw Error(fmt::format("waves: chip {} is not in the wave but its log has events", chip));
      switch (line.empty() ? ' ' : line[0]) {
        case 'i': {
          const auto queue = f.next<uint16_t>();
          const auto index = f.next<uint32_t>();
          const auto t = f.next<Cycle>();
          const auto op = f.next<unsigned>();
          const auto n = f.next<size_t>();
          isa::Instr in;
          in.op = static_cast<isa::Op>(op);
          const bool known =
              std::any_of(isa::kOps.begin(), isa::kOps.end(), [&](const auto& d) { return d.op == in.op; });
          if (!known || n != in.desc().fields.size()) f.fail();
          for (size_t k = 0; k < n; ++k) in.operand[k] = f.next<int64_t>();
          o->on_issue(queue, index, t, in);
          break;
        }
        case 'p': {
          isa::StreamRef s;
          s.index = f.next<uint8_t>();
          s.west = f.next<int>() != 0;
          const auto position = f.next<uint16_t>();
          const auto at = f.next<Cycle>();
          o->on_stream_put(s, position, at, f.next<uint16_t>());
          break;
        }
        case 's': {
          const auto slice = f.next<uint16_t>();
          const auto address = f.next<uint32_t>();
          const auto at = f.next<Cycle>();
          o->on_sram(slice, address, at, f.next<int>() != 0);
          break;
        }
        case 'd': {
          const auto at = f.next<Cycle>();
          o->on_drift(at, f.next<int64_t>());
          break;
        }
        case 'f':
          break;
        default:
          f.fail();
      }
    });
  }
}

}  // namespace tsp::waves
