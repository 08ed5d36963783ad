// MEM slice semantics: READ, WRITE, GATHER, SCATTER with bank/port rules and ECC.
#include <fmt/format.h>

#include <bit>

#include "systemc/engine/chip_engine.hpp"
#include "systemc/engine/engine_hot.hpp"

namespace tsp::model {
#ifdef TSP_PLANT_BUG_ENGINE
extern int planted_engine_bug;  // tests/cosim/planted_engine.cpp
#endif
namespace {

using isa::Op;
using isa::operand_index;
constexpr size_t kReadAddr = operand_index(Op::READ, "addr"), kReadDst = operand_index(Op::READ, "dst");
constexpr size_t kWriteAddr = operand_index(Op::WRITE, "addr"), kWriteSrc = operand_index(Op::WRITE, "src");
constexpr size_t kGatherDst = operand_index(Op::GATHER, "dst"), kGatherMap = operand_index(Op::GATHER, "map");
constexpr size_t kScatterSrc = operand_index(Op::SCATTER, "src"), kScatterMap = operand_index(Op::SCATTER, "map");
// Addresses are decoded as 16-bit little-endian words below.
static_assert(isa::carried_streams(Op::GATHER, "map") == 2 && isa::carried_streams(Op::SCATTER, "map") == 2);

isa::StreamRef stream_at(const isa::Instr& in, size_t i) { return isa::StreamRef::from_code(uint64_t(in.operand[i])); }

// Per-superlane SRAM addresses carried by a map stream group (16-bit, lane 0 of each superlane).
uint32_t superlane_address(const Vec* const* map, uint32_t superlane, uint32_t lanes_per_superlane) {
  const uint32_t lane = superlane * lanes_per_superlane;
  return uint32_t(map[0]->bytes[lane]) | uint32_t(map[1]->bytes[lane]) << 8;
}

}  // namespace

// READ and WRITE (almost every MEM instruction) apart from GATHER/SCATTER,
// whose 320-byte scratch vector and loops would otherwise give them a large
// stack frame and spills.
void ChipEngine::exec_mem(const Exec& x) {
  switch (x.in.op) {
    case isa::Op::READ:
      exec_read(x);
      break;
    case isa::Op::WRITE:
      exec_write(x);
      break;
    case isa::Op::GATHER:
    case isa::Op::SCATTER:
      exec_gather_scatter(x);
      break;
    default:
      fail(x, "not a MEM instruction");
  }
}

uint32_t ChipEngine::bank_of(uint32_t address) const {
  const uint32_t nbanks = cfg_.mem_banks;  // isa::mem_bank without a division when banks are a power of two
  // Not std::has_single_bit: without -mpopcnt it is a libgcc call per instruction.
  return (nbanks & (nbanks - 1)) == 0 ? address & (nbanks - 1) : address % nbanks;
}

// How many repetitions of a REPEAT ahead the cache hints look (SRAM addresses,
// stream slots). Two, not one: the host's memory latency exceeds one
// repetition's work when every slice streams (measured on the MEM-bound
// bench, ~5% faster).
constexpr uint32_t kAhead = 2;

// The address the queue will use kAhead repetitions of this instruction ahead
// when a REPEAT strides through SRAM (for a cache hint only), else ~0u.
uint32_t ChipEngine::next_address(const Exec& x, size_t field) {
  if (x.q.rep_left <= kAhead || x.q.rep_field != static_cast<int8_t>(field)) return ~0u;
  return static_cast<uint32_t>(x.in.operand[field] + kAhead * x.q.rep_stride);
}

void ChipEngine::check_ecc(const Exec& x, uint16_t slice, const MemSlice::ReadResult& r, uint32_t address) {
  stats_.ecc_corrected += r.corrected;
  if (r.uncorrectable_superlane >= 0)
    fail(x, fmt::format("uncorrectable ECC error (two or more flipped bits) in {} address 0x{:x} superlane {}",
                        isa::mem_slice_name(cfg_, slice), address, r.uncorrectable_superlane));
}

void ChipEngine::exec_read(const Exec& x) {
  const uint16_t slice = x.q.slice;
  MemSlice& mem = slices_[slice];
  const auto address = static_cast<uint32_t>(x.in.operand[kReadAddr]);
  if (x.q.rep_left > kAhead)  // the stream slot kAhead repetitions ahead, as next_address does for SRAM
    fabric_.prefetch(stream_at(x.in, kReadDst), x.q.desc->position, x.t + x.d.latency + kAhead * x.q.rep_interval);
#ifdef TSP_PLANT_BUG_TIMING  // test-only build (tests/support/CMakeLists.txt): timing-only READs skip the port rule
  if (!timing_only_)
#endif
    sram_access(x, slice, false, 1u << bank_of(address), address);
  if (timing_only_) {  // a flip's ECC outcome is its error pattern's alone: decoded over zero data
    no_results(x, stream_at(x.in, kReadDst), 1);  // first, as the full read puts its value before the check
    if (mem.has_faults()) {
      Vec scratch;
      check_ecc(x, slice, mem.read(address, scratch), address);
    }
    stats_.sram_bytes += cfg_.vector_bytes;
    return;
  }
  // Observed runs (cosim) take this path too: it is what every `tsp run` takes.
  if (by_ref_[slice] && !mem.has_faults() && !mem.has_generated()) {
    result_ref(x, stream_at(x.in, kReadDst), mem.stored(address));  // nothing changes it while it is read
  } else {
    mem.prefetch(next_address(x, kReadAddr), false);
    check_ecc(x, slice, mem.read(address, result_stream(x, stream_at(x.in, kReadDst))), address);
  }
  stats_.sram_bytes += cfg_.vector_bytes;
}

void ChipEngine::exec_write(const Exec& x) {
  const uint16_t slice = x.q.slice;
  MemSlice& mem = slices_[slice];
  auto address = static_cast<uint32_t>(x.in.operand[kWriteAddr]);
#ifdef TSP_PLANT_BUG_ENGINE  // test-only build (tests/cosim/planted_engine.cpp): the address field's bit 0 lost
  if (planted_engine_bug == 1) address ^= 1;
#endif
  const Vec* v;
  bool ref = false;
  read_streams(x, stream_at(x.in, kWriteSrc), 1, &v, &ref);
  sram_access(x, slice, true, 1u << bank_of(address), address);
  if (timing_only_) {
    mem.discard_write(address);     // the flips it overwrites are gone; no data kept
  } else if (ref && fast_paths_) {  // the bytes stay put until run_until returns: copied with the REPEAT's next ones
    mem.write_later(address, v->bytes.data());
  } else {
    mem.prefetch(next_address(x, kWriteAddr), true);
    mem.write(address, *v);
  }
  stats_.sram_bytes += cfg_.vector_bytes;
}

void ChipEngine::exec_gather_scatter(const Exec& x) {
  const uint16_t slice = x.q.slice;
  MemSlice& mem = slices_[slice];
  const uint32_t slw = cfg_.lanes_per_superlane;
  const bool scatter = x.in.op == isa::Op::SCATTER;
  if (timing_only_)
    fail(x, fmt::format("--timing-only: {}'s SRAM addresses (hence its banks and range) are data, which a "
                        "timing-only run does not compute; run this program with full data",
                        scatter ? "SCATTER" : "GATHER"));
  const Vec* map[2];
  read_streams(x, stream_at(x.in, scatter ? kScatterMap : kGatherMap), 2, map);
  const Vec* src = nullptr;
  if (scatter) read_streams(x, stream_at(x.in, kScatterSrc), 1, &src);
  uint32_t banks = 0;
  for (uint32_t sl = 0; sl < cfg_.superlanes; ++sl) {
    const uint32_t address = superlane_address(map, sl, slw);
    if (address >= cfg_.mem_addresses)
      fail(x, fmt::format("superlane {} addresses 0x{:x}, beyond the {} addresses of {}", sl, address,
                          cfg_.mem_addresses, isa::mem_slice_name(cfg_, slice)));
    banks |= 1u << bank_of(address);
  }
  sram_access(x, slice, scatter, banks, superlane_address(map, 0, slw));
  Vec out;
  for (uint32_t sl = 0; sl < cfg_.superlanes; ++sl) {
    const uint32_t address = superlane_address(map, sl, slw);
    if (scatter) {
      mem.write_word(address, sl, &src->bytes[sl * slw]);
      continue;
    }
    const auto status = mem.read_word(address, sl, &out.bytes[sl * slw]);
    MemSlice::ReadResult r;
    r.corrected = status == secded::Status::Corrected;
    r.uncorrectable_superlane = status == secded::Status::Uncorrectable ? int(sl) : -1;
    check_ecc(x, slice, r, address);
  }
  if (!scatter) write_streams(x, stream_at(x.in, kGatherDst), 1, &out);
  stats_.sram_bytes += cfg_.vector_bytes;
}

}  // namespace tsp::model
