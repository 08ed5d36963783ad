// Random MEM programs: READs, WRITEs, GATHERs and SCATTERs over every slice,
// legal by construction. Every stream value a WRITE or SCATTER consumes (and
// every GATHER/SCATTER address map) is put there by a READ scheduled for it
// with the timing rules of firmware/sched/timing.hpp; ports, banks, queue
// slots and stream wavefronts are booked so nothing collides.
//
// SRAM plan per slice: data vectors (random, preloaded) at [0, kData), then
// free space that WRITE and SCATTER target, and address maps (preloaded) at
// the top kMaps addresses, never written, so the generator always knows the
// addresses a GATHER or SCATTER touches and which banks they hit.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <tuple>

#include "common/error.hpp"
#include "firmware/image/program_builder.hpp"
#include "firmware/sched/timing.hpp"
#include "tb/gen/random_program.hpp"

namespace tsp::gen {
namespace {

using isa::Op;
using sched::Cycle;

constexpr uint32_t kData = 32, kMaps = 64;
constexpr unsigned kAttempts = 64;  // tries per transaction before moving the cursor on

class MemGen {
 public:
  explicit MemGen(const RandomOptions& o) : o_(o), b_(o.config), cfg_(b_.config()), rng_(o.seed) {
    if (cfg_.mem_addresses < kData + kMaps + 16 || cfg_.mem_addresses % 256 != 0)
      throw Error("random mem: configuration " + o.config + " has too few SRAM addresses");
    for (uint16_t q = 0; q < cfg_.queue_table.size(); ++q)
      if (cfg_.queue_table[q].unit == isa::Unit::MEM) mem_.push_back(q);
    for (uint16_t q : mem_) {  // random data everywhere: reads of it check real bytes
      std::vector<uint8_t> bytes(size_t(kData) * cfg_.vector_bytes);
      for (auto& x : bytes) x = uint8_t(rng_());
      b_.sram(std::string(cfg_.queue_table[q].name), 0, std::move(bytes));
    }
    next_map_.assign(cfg_.mem_slices, cfg_.mem_addresses - kMaps);
  }

  image::Image run() {
    Cycle cursor = 0;
    while (count_ < o_.instructions) {
      bool done = false;
      for (unsigned a = 0; a < kAttempts && !done; ++a) done = transaction(cursor + pick(4));
      cursor += 1 + pick(2);
    }
    return emit();
  }

 private:
  struct Planned {
    Cycle t;
    isa::Instr in;
  };
  // Bookings of one attempt, committed only when the whole transaction fits.
  struct Booking {
    std::vector<std::pair<uint16_t, Cycle>> slots;                  // queue, issue cycle
    std::vector<std::tuple<uint16_t, Cycle, bool, uint32_t>> sram;  // slice, cycle, write, banks
    std::vector<std::pair<uint32_t, int64_t>> waves;                // stream code, wavefront
    std::vector<std::pair<uint16_t, Planned>> ops;
    std::vector<std::pair<uint16_t, uint32_t>> maps;  // slice, map address used
  };

  uint64_t pick(uint64_t n) { return rng_() % n; }
  const isa::QueueDesc& q(uint16_t id) const { return cfg_.queue_table[id]; }
  uint16_t slice(uint16_t id) const { return isa::mem_slice_of(q(id), cfg_); }
  uint16_t random_mem() { return mem_[pick(mem_.size())]; }
  uint32_t lat(Op op) const { return isa::op_desc(op).latency; }
  uint32_t sram_at(Op op) const { return isa::op_desc(op).sram_access; }

  bool slot_free(Booking& bk, uint16_t qid, Cycle t) {
    if (busy_.count({qid, t})) return false;
    for (auto& s : bk.slots)
      if (s == std::pair{qid, t}) return false;
    bk.slots.emplace_back(qid, t);
    return true;
  }
  // The port and bank rules of docs/timing.md "Memory".
  bool sram_free(Booking& bk, uint16_t sl, Cycle at, bool write, uint32_t banks) {
    auto clash = [&](bool w2, uint32_t b2) { return w2 == write || (b2 & banks); };
    for (bool w2 : {false, true}) {
      const auto it = ports_.find({sl, at, w2});
      if (it != ports_.end() && clash(w2, it->second)) return false;
    }
    for (const auto& [s2, a2, w2, b2] : bk.sram)
      if (s2 == sl && a2 == at && clash(w2, b2)) return false;
    bk.sram.emplace_back(sl, at, write, banks);
    return true;
  }
  // A value put at `pos` in cycle `put` on stream `s` rides one wavefront
  // (east: put - pos, west: put + pos); one value per wavefront keeps every
  // stream conflict-free and every consumer's value unambiguous.
  bool wave_free(Booking& bk, isa::StreamRef s, uint16_t pos, Cycle put) {
    const int64_t w = s.west ? int64_t(put) + pos : int64_t(put) - pos;
    const std::pair<uint32_t, int64_t> key{s.code(), w};
    if (waves_.count(key)) return false;
    for (auto& k : bk.waves)
      if (k == key) return false;
    bk.waves.push_back(key);
    return true;
  }

  // Plans a READ at queue `src` whose value on `s` passes queue `dst` in cycle
  // `t`; fails if it would issue before cycle 0 or collide.
  bool read_for(Booking& bk, uint16_t src, isa::StreamRef s, uint16_t dst, Cycle t, uint32_t address) {
    const uint16_t ps = q(src).position, pd = q(dst).position;
    if (s.west ? pd > ps : pd < ps) return false;
    const Cycle hops = s.west ? ps - pd : pd - ps;
    if (t < hops + lat(Op::READ)) return false;
    const Cycle put = t - hops, issue = put - lat(Op::READ);
    if (!sched::read_cycle(q(src), put, s.west, q(dst)) || *sched::read_cycle(q(src), put, s.west, q(dst)) != t)
      return false;
    if (!slot_free(bk, src, issue) || !wave_free(bk, s, ps, put)) return false;
    if (!sram_free(bk, slice(src), issue + sram_at(Op::READ), false, 1u << isa::mem_bank(cfg_, address))) return false;
    bk.ops.push_back({src, {issue, instr(Op::READ, {address, s.code()})}});
    return true;
  }

  isa::Instr instr(Op op, std::initializer_list<int64_t> operands) const {
    isa::Instr in{op, {}};
    size_t i = 0;
    for (int64_t v : operands) in.operand[i++] = v;
    return in;
  }

  isa::StreamRef stream_towards(uint16_t from, uint16_t to, uint32_t align) {
    const bool west = q(to).position < q(from).position || (q(to).position == q(from).position && pick(2));
    const uint32_t n = cfg_.streams_per_direction / align;
    return isa::StreamRef{uint8_t(pick(n) * align), west};
  }

  // Preloads a fresh address map on two slices and plans its two READs (low
  // byte on s, high byte on s+1) so both pass `dst` in cycle t. Returns the
  // per-superlane addresses, or nothing.
  std::optional<std::vector<uint32_t>> map_for(Booking& bk, uint16_t dst, isa::StreamRef s, Cycle t) {
    const uint16_t lo = random_mem(), hi = random_mem();
    const uint16_t slo = slice(lo), shi = slice(hi);
    if (next_map_[slo] >= cfg_.mem_addresses || next_map_[shi] >= cfg_.mem_addresses) return std::nullopt;
    const uint32_t alo = next_map_[slo], ahi = next_map_[shi] + (slo == shi ? 1 : 0);
    if (ahi >= cfg_.mem_addresses) return std::nullopt;
    if (!read_for(bk, lo, s, dst, t, alo)) return std::nullopt;
    if (!read_for(bk, hi, isa::StreamRef{uint8_t(s.index + 1), s.west}, dst, t, ahi)) return std::nullopt;
    std::vector<uint32_t> addrs(cfg_.superlanes);
    for (auto& a : addrs) a = uint32_t(pick(cfg_.mem_addresses - kMaps));
    bk.maps.emplace_back(slo, alo);
    bk.maps.emplace_back(shi, ahi);
    pending_maps_ = {{lo, alo, 0, addrs}, {hi, ahi, 8, addrs}};
    return addrs;
  }

  uint32_t banks_of(const std::vector<uint32_t>& addrs) const {
    uint32_t b = 0;
    for (uint32_t a : addrs) b |= 1u << isa::mem_bank(cfg_, a);
    return b;
  }

  // One transaction at around cycle t: a READ alone, a copy (READ then WRITE),
  // a GATHER or a SCATTER with their operands. True when it fit and was booked.
  bool transaction(Cycle t) {
    Booking bk;
    pending_maps_.clear();
    const uint16_t at = random_mem();
    const uint64_t kind = pick(8);
    if (kind < 2) {  // READ whose value nobody consumes: still compared on the stream
      const uint16_t to = random_mem();
      const isa::StreamRef s = stream_towards(at, to, 1);
      const uint32_t hops = uint32_t(std::abs(int(q(to).position) - int(q(at).position)));
      if (!read_for(bk, at, s, to, t + lat(Op::READ) + hops, random_read_addr())) return false;
    } else if (kind < 5) {  // copy: READ on `src`, WRITE at `at`
      const uint16_t src = random_mem();
      const isa::StreamRef s = stream_towards(src, at, 1);
      const uint32_t addr = uint32_t(pick(cfg_.mem_addresses - kMaps));
      if (!read_for(bk, src, s, at, t, random_read_addr())) return false;
      if (!slot_free(bk, at, t)) return false;
      if (!sram_free(bk, slice(at), t + sram_at(Op::WRITE), true, 1u << isa::mem_bank(cfg_, addr))) return false;
      bk.ops.push_back({at, {t, instr(Op::WRITE, {addr, s.code()})}});
    } else if (kind < 7) {  // GATHER: a map READ pair, the result on a stream nobody consumes
      const isa::StreamRef m = stream_towards(random_mem(), at, 2);
      const auto addrs = map_for(bk, at, m, t);
      if (!addrs) return false;
      const isa::StreamRef d{uint8_t(pick(cfg_.streams_per_direction)), bool(pick(2))};
      if (!slot_free(bk, at, t) || !wave_free(bk, d, q(at).position, t + lat(Op::GATHER))) return false;
      if (!sram_free(bk, slice(at), t + sram_at(Op::GATHER), false, banks_of(*addrs))) return false;
      bk.ops.push_back({at, {t, instr(Op::GATHER, {d.code(), m.code()})}});
    } else {  // SCATTER: a map READ pair and a data READ
      const isa::StreamRef m = stream_towards(random_mem(), at, 2);
      const auto addrs = map_for(bk, at, m, t);
      if (!addrs) return false;
      const uint16_t src = random_mem();
      const isa::StreamRef s = stream_towards(src, at, 1);
      if (!read_for(bk, src, s, at, t, random_read_addr())) return false;
      if (!slot_free(bk, at, t)) return false;
      if (!sram_free(bk, slice(at), t + sram_at(Op::SCATTER), true, banks_of(*addrs))) return false;
      bk.ops.push_back({at, {t, instr(Op::SCATTER, {s.code(), m.code()})}});
    }
    commit(bk);
    return true;
  }

  uint32_t random_read_addr() {  // mostly preloaded data, sometimes what was written
    return pick(4) ? uint32_t(pick(kData)) : uint32_t(pick(cfg_.mem_addresses - kMaps));
  }

  void commit(const Booking& bk) {
    for (auto& s : bk.slots) busy_.insert(s);
    for (auto& [sl, at, w, banks] : bk.sram) ports_[{sl, at, w}] = banks;
    for (auto& k : bk.waves) waves_.insert(k);
    for (auto& [qid, p] : bk.ops) {
      ops_[qid].push_back(p);
      ++count_;
    }
    for (auto& [sl, a] : bk.maps) next_map_[sl] = std::max(next_map_[sl], a + 1);
    for (const auto& m : pending_maps_) {  // the maps' bytes: lane 0 of each superlane
      std::vector<uint8_t> v(cfg_.vector_bytes, 0);
      for (uint32_t sl = 0; sl < cfg_.superlanes; ++sl)
        v[sl * cfg_.lanes_per_superlane] = uint8_t(m.addrs[sl] >> m.shift);
      b_.sram(std::string(q(m.queue).name), m.address, std::move(v));
    }
  }

  image::Image emit() {
    sched::ProgramLength len(cfg_);
    for (auto& [qid, list] : ops_) {
      std::sort(list.begin(), list.end(), [](const Planned& a, const Planned& b) { return a.t < b.t; });
      Cycle now = 0;
      const std::string name(q(qid).name);
      for (const auto& p : list) {
        if (p.t > now) b_.op(name, Op::NOP, {int64_t(p.t - now)});
        b_.op(name, p.in.op, {p.in.operand[0], p.in.operand[1]});
        len.unit_instr(p.in, p.t);
        now = p.t + 1;
      }
      len.queue_busy_until(now);
    }
    image::Image img = b_.image();
    img.has_prediction = true;
    img.predicted_cycles = len.end();
    return img;
  }

  struct MapData {
    uint16_t queue;
    uint32_t address;
    unsigned shift;
    std::vector<uint32_t> addrs;
  };

  RandomOptions o_;
  image::ProgramBuilder b_;
  const isa::Config& cfg_;
  std::mt19937_64 rng_;
  std::vector<uint16_t> mem_;
  std::vector<uint32_t> next_map_;  // per slice: next free map address
  std::set<std::pair<uint16_t, Cycle>> busy_;
  std::map<std::tuple<uint16_t, Cycle, bool>, uint32_t> ports_;  // slice, cycle, write -> banks
  std::set<std::pair<uint32_t, int64_t>> waves_;
  std::map<uint16_t, std::vector<Planned>> ops_;
  std::vector<MapData> pending_maps_;
  uint32_t count_ = 0;
};

}  // namespace

image::Image random_mem(const RandomOptions& o) { return MemGen(o).run(); }

}  // namespace tsp::gen
