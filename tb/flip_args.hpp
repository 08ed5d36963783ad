#pragma once
// SRAM and link bit flips given on the command line (`tsp run`, `tsp cosim`).
#include <cstdint>
#include <string>
#include <vector>

#include "systemc/c2c/wire_errors.hpp"
#include "systemc/engine/chip_engine.hpp"

namespace tsp::cli {

// "[CHIP/]SLICE:ADDRESS:SUPERLANE:BIT@CYCLE", e.g. "1/MEM.W.3:0x10:2:7@100":
// chip 1 (no prefix: chip 0), slice MEM.W.3, address 0x10, superlane 2, bit 7,
// cycle 100. Returns the flips per chip of an image of `chips` chips. Throws
// tsp::Error naming `cmd` ("tsp run") and the bad text.
std::vector<std::vector<model::Flip>> parse_flips(const isa::Config& cfg, const std::vector<std::string>& texts,
                                                  const std::string& cmd, size_t chips);

// Random flips at `rate` per million cycles over the whole SRAM, reproducible from the seed.
std::vector<model::Flip> random_flips(const isa::Config& cfg, double rate, uint64_t horizon, uint64_t seed);

// --link-flip "0.3:120:17" -> the frame chip 0 sends on its port 3 in its
// cycle 120, frame bit 17. Throws tsp::Error naming `cmd` and the bad text.
model::LinkFlip parse_link_flip(const isa::Config& cfg, const std::string& text, const std::string& cmd);

}  // namespace tsp::cli
