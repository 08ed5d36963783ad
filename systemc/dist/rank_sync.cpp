#include "systemc/dist/rank_sync.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "common/error.hpp"

namespace tsp::dist {
namespace {

// A frame on the way between ranks, in the order delivery sorts by.
struct Wire {
  uint64_t arrives = 0;  // sc_time value (ticks of the time resolution)
  uint32_t link = 0;
  uint8_t from_b = 0;
  model::LinkFrame frame;
};

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
  template <class T>
  void put(T v) {
    const size_t n = out_.size();
    out_.resize(n + sizeof v);
    std::memcpy(out_.data() + n, &v, sizeof v);
  }
  void put(const std::string& s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void bytes(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }

 private:
  std::vector<uint8_t>& out_;
};

class Reader {
 public:
  Reader(const std::vector<uint8_t>& in, int from) : in_(in), from_(from) {}
  bool more() const { return at_ < in_.size(); }
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, in_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string str() {
    const auto n = get<uint32_t>();
    need(n);
    std::string s(reinterpret_cast<const char*>(in_.data()) + at_, n);
    at_ += n;
    return s;
  }
  void bytes(uint8_t* p, size_t n) {
    need(n);
    std::memcpy(p, in_.data() + at_, n);
    at_ += n;
  }

 private:
  void need(size_t n) const {
    if (at_ + n > in_.size())
      throw Error(fmt::format("tsp run: internal error: a frame message from rank {} ends early", from_));
  }
  const std::vector<uint8_t>& in_;
  int from_;
  size_t at_ = 0;
};

}  // namespace

RankSync::RankSync(const isa::Config& cfg, std::vector<int> rank_of, int rank, std::vector<std::string> link_names)
    : cfg_(cfg), rank_of_(std::move(rank_of)), rank_(rank), link_names_(std::move(link_names)) {
  links_.assign(link_names_.size(), nullptr);
  out_.resize(*std::max_element(rank_of_.begin(), rank_of_.end()) + 1);
}

void RankSync::post(uint32_t link, bool from_b, uint32_t to_chip, const sc_core::sc_time& arrives,
                    const model::LinkFrame& frame) {
  if (arrives < horizon_) {
    const double nominal_ps = 1e6 / cfg_.clock_mhz;
    const auto cycle = [&](const sc_core::sc_time& t) { return (t - start_).to_seconds() * 1e12 / nominal_ps; };
    throw Error(fmt::format(
        "{}: the frame chip {} (rank {}) sent to chip {} (rank {}) in its cycle {} lands at system cycle {:.1f}, "
        "inside the window that ends at cycle {:.1f}, where chip {} may have run to cycle {:.1f}: links between "
        "ranks must take at least the lookahead of {:.1f} cycles (--lookahead-cycles, or jitter beyond the receive "
        "window); this link's frame took {:.1f}",
        link_names_.at(link), frame.chip, rank_, to_chip, rank_of_.at(to_chip), frame.sent, cycle(arrives),
        cycle(window_end_), to_chip, cycle(horizon_), lookahead_cycles_,
        (arrives - start_).to_seconds() * 1e12 / nominal_ps - double(frame.sent)));
  }
  auto& out = out_.at(rank_of_.at(to_chip));
  Writer w(out);
  const size_t before = out.size();
  w.put<uint64_t>(arrives.value());
  w.put<uint32_t>(link);
  w.put<uint8_t>(from_b);
  w.put<uint32_t>(frame.chip);
  w.put<uint16_t>(frame.link);
  w.put<uint64_t>(frame.sent);
  w.put(frame.from);
  w.put(frame.uncorrectable);
  w.bytes(frame.payload.bytes.data(), cfg_.vector_bytes);
  bytes_total_ += out.size() - before;
  ++posted_;
  ++sent_total_;
}

std::vector<std::vector<uint8_t>> RankSync::take_outgoing() {
  std::vector<std::vector<uint8_t>> out(out_.size());
  out.swap(out_);
  out_.resize(out.size());
  posted_ = 0;
  return out;
}

void RankSync::deliver(const std::vector<std::vector<uint8_t>>& in) {
  std::vector<Wire> frames;
  for (size_t r = 0; r < in.size(); ++r)
    for (Reader rd(in[r], int(r)); rd.more();) {
      Wire w;
      w.arrives = rd.get<uint64_t>();
      w.link = rd.get<uint32_t>();
      w.from_b = rd.get<uint8_t>();
      w.frame.chip = rd.get<uint32_t>();
      w.frame.link = rd.get<uint16_t>();
      w.frame.sent = rd.get<uint64_t>();
      w.frame.from = rd.str();
      w.frame.uncorrectable = rd.str();
      rd.bytes(w.frame.payload.bytes.data(), cfg_.vector_bytes);
      if (w.link >= links_.size() || !links_[w.link])
        throw Error(fmt::format("tsp run: internal error: rank {} got a frame of link {}, which it does not end", rank_,
                                w.link));
      frames.push_back(std::move(w));
    }
  // The fixed order: arrival time, then link, then direction. Frames of one
  // direction never share an arrival time (the deserialiser keeps them a
  // frame apart), so this is a total order.
  std::sort(frames.begin(), frames.end(), [](const Wire& x, const Wire& y) {
    return std::tie(x.arrives, x.link, x.from_b) < std::tie(y.arrives, y.link, y.from_b);
  });
  received_total_ += frames.size();
  for (Wire& w : frames)
    links_[w.link]->deliver(w.from_b != 0, std::move(w.frame), sc_core::sc_time::from_value(w.arrives));
}

}  // namespace tsp::dist
