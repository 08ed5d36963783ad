#pragma once
// Which signals a transaction-level wave of a program has, and where they sit:
// chip<N> > hemisphere (west, centre, east, c2c) > unit (MEM, SXM, MXM, VXM,
// C2C) > queue (MEM_W_3 ...). Only queues that hold code in the image are
// declared, so waves of small programs stay small. The FST writer and the
// GTKWave save file both walk this one list.
#include <cstdint>
#include <string>
#include <vector>

#include "firmware/image/image.hpp"
#include "systemc/engine/types.hpp"

namespace tsp::waves {

// What a variable shows. Queue roles: one variable each per declared queue.
enum class Role : uint8_t { Instr, Opcode, Index, StreamsE, StreamsW, SramRd, SramWr, Cycle };
inline constexpr size_t kQueueRoles = 7;  // Instr .. SramWr

// How GTKWave should display it.
enum class Show : uint8_t { Text, Hex, Dec, Bin };

struct WaveVar {
  std::vector<std::string> scope;  // e.g. {"chip0", "west", "MEM", "MEM_W_3"}
  std::string name;                // e.g. "sram_wr_addr"
  uint32_t width = 0;              // bits; 0 for a string
  Show show = Show::Hex;
  Role role = Role::Cycle;
  uint32_t chip = 0;
  uint16_t queue = 0;  // Config::queue_table index, for queue roles
  // The name GTKWave gives it: dotted scope, name, and [msb:0] for vectors.
  std::string full_name() const;
};

// Every variable of a wave of `img`, in scope order (scopes are contiguous).
// Per chip: `cycle` (64 bits) first, then per queue with code, by hemisphere,
// unit and queue index: instr (text; "-" when idle), opcode (8 bits) and index
// (32 bits; z when idle), streams_e / streams_w (one bit per stream put at the
// queue's floorplan position that cycle; 0 when idle), and for MEM queues
// sram_rd_addr / sram_wr_addr (the slice's array access; z when idle).
std::vector<WaveVar> wave_layout(const image::Image& img, const isa::Config& cfg);

// Picoseconds from cycle 0 to the start of cycle `c` at the configuration's
// clock, from the absolute cycle (no accumulated rounding).
constexpr uint64_t cycle_ps(const isa::Config& cfg, model::Cycle c) { return c * 1'000'000 / cfg.clock_mhz; }

}  // namespace tsp::waves
