#include "tb/bench_links.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <random>

#include "common/error.hpp"
#include "firmware/image/program_builder.hpp"
#include "firmware/topology/topology.hpp"
#include "systemc/sim/run_image.hpp"

namespace tsp::bench {
namespace {

using image::east;
using isa::Op;

constexpr uint32_t kCopyTo = 4096;
const isa::Config& tsp1() { return *isa::find_config("tsp1"); }

uint16_t position(const std::string& q) { return tsp1().queue_table[*isa::find_queue(tsp1(), q)].position; }

// The link traffic of a chip edge: its own slices and streams, apart from the
// copying; vectors flow out towards the edge and in away from it.
struct Edge {
  const char* from;  // the slice that feeds SENDs
  const char* to;    // the slice RECVs are written to
  bool west;
  int64_t out(unsigned s) const { return west ? image::west(s) : image::east(s); }
  int64_t in(unsigned s) const { return west ? image::east(s) : image::west(s); }
  uint64_t distance(const char* slice) const {  // floorplan positions from the slice to the edge
    const uint16_t edge = west ? 0 : uint16_t(tsp1().positions - 1);
    return west ? position(slice) - edge : edge - position(slice);
  }
};
const Edge kWest{"MEM.W.0", "MEM.W.1", true}, kEast{"MEM.E.0", "MEM.E.1", false};
constexpr unsigned kOutStream = 1, kInStream = 2;

bool link_slice(const std::string& q) {
  for (const Edge& e : {kWest, kEast})
    if (q == e.from || q == e.to) return true;
  return false;
}

// Places instructions at absolute cycles per (chip, queue), padding with NOPs.
class Placer {
 public:
  explicit Placer(image::ProgramBuilder& b) : b_(b) {}
  void op(uint32_t chip, const std::string& q, uint64_t t, Op op, std::initializer_list<int64_t> operands) {
    uint64_t& now = time_[{chip, q}];
    if (t < now) throw Error(fmt::format("bench: chip {} {} asked to go back to cycle {}", chip, q, t));
    if (t > now) b_.op(q, Op::NOP, {int64_t(t - now)}, chip);
    b_.op(q, op, operands, chip);
    now = t + 1;
  }
  // Repeats the last instruction `count` times, `interval` cycles apart after it
  // (the first repetition issues in the REPEAT's own slot).
  void repeat(uint32_t chip, const std::string& q, int64_t count, int64_t interval, int64_t stride) {
    if (count <= 0) return;
    uint64_t& now = time_[{chip, q}];
    if (interval > 1) b_.op(q, Op::NOP, {interval - 1}, chip);
    b_.op(q, Op::REPEAT, {count, interval, stride}, chip);
    now += uint64_t(interval - 1) + uint64_t(count * interval);
  }

 private:
  image::ProgramBuilder& b_;
  std::map<std::pair<uint32_t, std::string>, uint64_t> time_;
};

// The copying: every slice pair but the link traffic's, as `tsp bench`'s mem workload.
void add_copies(image::ProgramBuilder& b, Placer& p, uint32_t chip, uint32_t n, std::mt19937& rng) {
  const isa::Config& c = tsp1();
  const uint64_t read_lat = isa::op_desc(Op::READ).latency;
  for (const char* h : {"W", "E"})
    for (uint32_t i = 0; i + 1 < c.mem_slices_per_hemisphere; i += 2) {
      const std::string a = fmt::format("MEM.{}.{}", h, i), z = fmt::format("MEM.{}.{}", h, i + 1);
      const std::string from = h[0] == 'W' ? z : a, to = h[0] == 'W' ? a : z;
      if (link_slice(from) || link_slice(to)) continue;
      std::vector<uint8_t> bytes(size_t(n) * c.vector_bytes);
      for (auto& x : bytes) x = static_cast<uint8_t>(rng());
      b.sram(from, 0, std::move(bytes), chip);
      p.op(chip, from, 0, Op::READ, {0, east(0)});
      p.repeat(chip, from, n - 1, 1, 1);
      p.op(chip, to, read_lat + (position(to) - position(from)), Op::WRITE, {kCopyTo, east(0)});
      p.repeat(chip, to, n - 1, 1, 1);
    }
}

// The port of `from` that the topology wires to `to`.
uint16_t port_to(const topo::Topology& t, uint32_t from, uint32_t to) {
  for (const auto& l : t.links) {
    if (l.a.chip == from && l.b.chip == to) return l.a.link;
    if (l.b.chip == from && l.a.chip == to) return l.b.link;
  }
  throw Error(fmt::format("bench: no link from chip {} to chip {}", from, to));
}

uint32_t hop_of(const topo::Topology& t, uint32_t from, uint32_t to) {
  const uint16_t p = port_to(t, from, to);
  return isa::c2c_hop_cycles(tsp1(), *t.links[t.at(topo::Port{from, p})->link].cable);
}

std::string c2c(uint16_t port) { return fmt::format("C2C.{}", port); }

// Each hop streams `frames` vectors from a slice of the sender to a slice of
// the receiver, one per frame time, all hops at once.
void add_link_traffic(image::ProgramBuilder& b, Placer& p, const topo::Topology& t, const LinkBenchSpec& s,
                      uint32_t frames, std::mt19937& rng) {
  const isa::Config& c = tsp1();
  const int64_t f = c.c2c_frame_cycles;
  const uint64_t read_lat = isa::op_desc(Op::READ).latency, recv_lat = isa::op_desc(Op::RECV).latency;
  std::map<std::pair<uint32_t, bool>, bool> sends, receives;  // (chip, west edge)
  for (const auto& [from, to] : s.hops) {
    const uint16_t out = port_to(t, from, to), in = port_to(t, to, from);
    const Edge& eo = out < c.c2c_links / 2 ? kWest : kEast;
    const Edge& ei = in < c.c2c_links / 2 ? kWest : kEast;
    if (sends[{from, eo.west}] || receives[{to, ei.west}])
      throw Error("bench: one outgoing and one incoming stream per chip edge");
    sends[{from, eo.west}] = receives[{to, ei.west}] = true;
    std::vector<uint8_t> bytes(size_t(frames) * c.vector_bytes);
    for (auto& x : bytes) x = static_cast<uint8_t>(rng());
    b.sram(eo.from, 0, std::move(bytes), from);
    const uint64_t send = read_lat + eo.distance(eo.from);  // the first vector reaches the edge
    const uint64_t recv = send + hop_of(t, from, to);
    // Unrolled: a REPEAT's first repetition follows its instruction at once.
    for (uint32_t k = 0; k < frames; ++k) {
      const uint64_t dt = uint64_t(k) * uint64_t(f);
      p.op(from, eo.from, dt, Op::READ, {k, eo.out(kOutStream)});
      p.op(from, c2c(out), send + dt, Op::SEND, {eo.out(kOutStream)});
      p.op(to, c2c(in), recv + dt, Op::RECV, {ei.in(kInStream)});
      p.op(to, ei.to, recv + dt + recv_lat + ei.distance(ei.to), Op::WRITE, {kCopyTo + k, ei.in(kInStream)});
    }
  }
}

image::Image build(const LinkBenchSpec& s, const topo::Topology& t, bool links) {
  const auto chips = static_cast<uint32_t>(t.chips.size());
  image::ProgramBuilder b("tsp1", chips);
  Placer p(b);
  std::mt19937 rng(7);
  for (uint32_t chip = 0; chip < chips; ++chip) add_copies(b, p, chip, s.copy_vectors, rng);
  // As many frames as fit the copying's length.
  if (links) add_link_traffic(b, p, t, s, std::max<uint32_t>(1, s.copy_vectors / tsp1().c2c_frame_cycles), rng);
  return b.image();
}

struct Outcome {
  double wall = 0;
  uint64_t cycles = 0, frames = 0;
};

// One variant in a child process; the parent reads what it measured.
Outcome run_in_child(const image::Image& img, const topo::Topology* t) {
  int fd[2];
  if (pipe(fd) != 0) throw Error("tsp bench: pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw Error("tsp bench: fork failed");
  if (pid == 0) {
    close(fd[0]);
    Outcome o;
    std::string line;
    try {
      model::RunOptions opt;
      opt.topology = t;
      const model::RunReport r = model::run_image(img, opt);
      if (!r.ok()) throw Error(r.first_error());
      o.wall = r.run_wall_seconds;
      o.cycles = r.cycles;
      for (const auto& l : r.links) o.frames += l.from_a.frames + l.from_b.frames;
      line = fmt::format("ok {} {} {}\n", o.wall, o.cycles, o.frames);
    } catch (const std::exception& e) {
      line = fmt::format("error {}\n", e.what());
    }
    (void)!write(fd[1], line.data(), line.size());
    _exit(0);
  }
  close(fd[1]);
  std::string got;
  char buf[4096];
  for (ssize_t k; (k = read(fd[0], buf, sizeof buf)) > 0;) got.append(buf, size_t(k));
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome o;
  unsigned long long cycles = 0, frames = 0;
  if (std::sscanf(got.c_str(), "ok %lf %llu %llu", &o.wall, &cycles, &frames) != 3)
    throw Error("tsp bench: a link benchmark run failed: " + (got.empty() ? std::string("no answer") : got));
  o.cycles = cycles;
  o.frames = frames;
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

std::vector<LinkBenchSpec> link_bench_specs(uint32_t copy_vectors) {
  LinkBenchSpec ring{"node8_ring", "node8", {}, copy_vectors};
  for (uint32_t i = 0; i < 8; ++i) ring.hops.emplace_back(i, (i + 1) % 8);
  // dragonfly2: chip 1 -> 0 (local) -> 8 (global) -> 9 (local), each hop streaming.
  LinkBenchSpec fly{"dragonfly2_3hop", "dragonfly2", {{1, 0}, {0, 8}, {8, 9}}, copy_vectors};
  return {ring, fly};
}

nlohmann::json measure_links(const LinkBenchSpec& spec, uint32_t rounds) {
  const topo::Topology t = topo::builtin_topology(spec.topology, tsp1());
  const image::Image with = build(spec, t, true), without = build(spec, t, false);
  std::vector<double> linked, alone;
  Outcome a, b;
  for (uint32_t r = 0; r < rounds; ++r) {
    a = run_in_child(with, &t);
    b = run_in_child(without, nullptr);
    linked.push_back(a.wall);
    alone.push_back(b.wall);
  }
  const double ml = median(linked), ma = median(alone);
  return {{"workload", spec.name},
          {"topology", spec.topology},
          {"chips", t.chips.size()},
          {"copy_vectors_per_pair", spec.copy_vectors},
          {"cycles", a.cycles},
          {"frames", a.frames},
          {"rounds", rounds},
          {"seconds_with_links", ml},
          {"seconds_without_links", ma},
          {"cycles_per_second_with_links", double(a.cycles) / ml},
          {"chip_cycles_per_second_with_links", double(a.cycles) * double(t.chips.size()) / ml},
          {"link_and_sync_share", (ml - ma) / ml},
          {"link_and_sync_overhead", (ml - ma) / ma}};
}

}  // namespace tsp::bench
