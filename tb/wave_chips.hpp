#pragma once
// `tsp run --wave-chips`: which chips a wave shows.
#include <cstdint>
#include <string>
#include <vector>

namespace tsp::cli {

// "0,3,5-7" -> shown[c] for each of `chips` chips; "" -> empty (every chip).
// Throws tsp::Error naming the bad item (not a number, a chip past the image's
// last, a range that runs backwards).
std::vector<bool> parse_wave_chips(const std::string& list, uint32_t chips);

}  // namespace tsp::cli
