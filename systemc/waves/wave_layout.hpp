#pragma once
// Which signals a transaction-level wave of a program has, and where they sit:
// chip<N> > hemisphere (west, centre, east, c2c) > unit (MEM, SXM, MXM, VXM,
// C2C) > queue (MEM_W_3 ...). Only queues that hold code in the image are
// declared, so waves of small programs stay small. A run on a topology adds
// chip<N> > clock and links > link<I>_c<A>p<P>_c<B>p<Q> > a_to_b / b_to_a for
// every link with code at either end. The FST writer and the GTKWave save
// file both walk this one list.
#include <cstdint>
#include <string>
#include <vector>

#include "firmware/image/image.hpp"
#include "firmware/topology/topology.hpp"
#include "systemc/engine/types.hpp"

namespace tsp::waves {

// What a variable shows. Queue roles: one variable each per declared queue;
// then a chip's clock, then a link direction's.
enum class Role : uint8_t {
  Instr,
  Opcode,
  Index,
  StreamsE,
  StreamsW,
  SramRd,
  SramWr,  // per queue
  Cycle,
  Sac,
  Drift,
  HacEpoch,  // per chip
  Frame,
  InFlight,
  Landed,
  BitErrors,
  Fec,  // per link direction
};
inline constexpr size_t kQueueRoles = 7;  // Instr .. SramWr

// How GTKWave should display it.
enum class Show : uint8_t { Text, Hex, Dec, Bin, Signed };

struct WaveVar {
  std::vector<std::string> scope;  // e.g. {"chip0", "west", "MEM", "MEM_W_3"}
  std::string name;                // e.g. "sram_wr_addr"
  uint32_t width = 0;              // bits; 0 for a string
  Show show = Show::Hex;
  Role role = Role::Cycle;
  uint32_t chip = 0;
  uint16_t queue = 0;   // Config::queue_table index, for queue roles
  uint32_t link = 0;    // the topology's link index, for link roles
  bool from_b = false;  // the link direction from end b to end a
  // The name GTKWave gives it: dotted scope, name, and [msb:0] for vectors.
  std::string full_name() const;
};

// Every variable of a wave of `img`, in scope order (scopes are contiguous).
// Per chip: `cycle` (64 bits) first, then per queue with code, by hemisphere,
// unit and queue index: instr (text; "-" when idle), opcode (8 bits) and index
// (32 bits; z when idle), streams_e / streams_w (one bit per stream put at the
// queue's floorplan position that cycle; 0 when idle), and for MEM queues
// sram_rd_addr / sram_wr_addr (the slice's array access; z when idle).
// With a topology, per chip a clock scope (cycle: an alias of the chip's
// counter, sac, drift, hac_epoch) and after the chips the links (frame,
// in_flight, landed, bit_errors, fec per direction); see docs/links.md "Waves".
// `shown` (empty: every chip) keeps chip c when shown[c], and the links with a
// kept end.
std::vector<WaveVar> wave_layout(const image::Image& img, const isa::Config& cfg,
                                 const topo::Topology* topology = nullptr, const std::vector<bool>& shown = {});

// The scope of a link's variables: {"links", "link3_c0p3_c1p3"}.
std::vector<std::string> link_scope(const topo::Topology& t, uint32_t link);

// Picoseconds from cycle 0 to the start of cycle `c` at the configuration's
// clock, from the absolute cycle (no accumulated rounding).
constexpr uint64_t cycle_ps(const isa::Config& cfg, model::Cycle c) { return c * 1'000'000 / cfg.clock_mhz; }

}  // namespace tsp::waves
