#pragma once
// One MEM slice: mem_addresses vectors, mem_banks banks, SECDED per 16-byte
// superlane word. Pages are allocated on first write (unwritten SRAM reads as
// zero), so hundreds of tsp1 chips fit in memory when programs use a fraction
// of their 220 MiB.
//
// Check bits are a pure function of the data written, so they are stored only
// for words hit by an injected fault: a clean read needs no decoding, a faulty
// one runs the real SECDED decoder. Same results, no cost on the common path.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "systemc/engine/types.hpp"
#include "systemc/mem/secded.hpp"

namespace tsp::model {

class MemSlice {
 public:
  explicit MemSlice(const isa::Config& cfg);

  struct ReadResult {
    uint32_t corrected = 0;            // single-bit errors corrected in this vector
    int uncorrectable_superlane = -1;  // first superlane with a double error, -1 when none
  };
  // Reads and writes carry no bank or port rules: the engine enforces those.
  ReadResult read(uint32_t address, Vec& out) const;
  void write(uint32_t address, const Vec& value);  // fresh data: fresh check bits
  // One 16-byte superlane word (GATHER/SCATTER). read_word returns the SECDED status.
  secded::Status read_word(uint32_t address, uint32_t superlane, uint8_t* out) const;
  void write_word(uint32_t address, uint32_t superlane, const uint8_t* in);

  // Flips codeword bit `bit` (secded bit numbering) of one superlane word.
  void flip(uint32_t address, uint32_t superlane, uint32_t bit);
  bool has_faults() const { return !faults_.empty(); }

  // Direct access for the host interface's DMI: the page holding `address`
  // (allocated if needed), kPageVectors * lanes bytes, vectors back to back.
  static constexpr uint32_t kPageVectors = 64;
  uint8_t* page(uint32_t address);

 private:
  struct Fault {
    secded::Word data;  // the word as stored, flips applied
    uint16_t check;     // its check bits, flips applied
  };
  const uint8_t* find(uint32_t address) const;  // nullptr: never written, reads as zero
  uint8_t* touch(uint32_t address);

  uint32_t lanes_;
  uint32_t superlanes_;
  std::vector<std::unique_ptr<uint8_t[]>> pages_;
  std::unordered_map<uint64_t, Fault> faults_;  // key: address * superlanes + superlane
};

}  // namespace tsp::model
