#pragma once
// Reads a tensor of the manifest out of a chip's SRAM and prints it in its
// type. A b-byte type is stored as b byte planes on adjacent slices (byte i on
// slice + i), one element per lane, `vectors` addresses long.
#include <cstdint>
#include <string>
#include <vector>

#include "firmware/image/image.hpp"
#include "systemc/engine/chip_engine.hpp"

namespace tsp::model {

// Raw lane values (zero-extended bits), vectors x lanes.
std::vector<uint32_t> read_tensor(ChipEngine& chip, const image::Symbol& sym);
// "name (f16, [32]) = [3, 3, ...]" with the values decoded.
std::string format_tensor(const image::Symbol& sym, const std::vector<uint32_t>& bits);

}  // namespace tsp::model
