#pragma once
// Which rank owns which chip (docs/distributed.md, "Partition"). Plain C++.
#include <cstdint>
#include <string>
#include <vector>

namespace tsp::dist {

// rank_of[chip]. Default: contiguous blocks of chips, the first `chips % ranks`
// ranks one chip more. `spec` (when not empty) is "interleave" (chip c on rank
// c % ranks: a node's chips spread over the ranks, so that a pipeline, which
// runs one stage at a time, still keeps every rank busy), a list of one rank
// per chip ("0,0,1,1,2,2,3,3") or a file holding that list (whitespace or
// commas, `#` comments). Every rank must own at least one chip.
std::vector<int> partition(uint32_t chips, int ranks, const std::string& spec);

}  // namespace tsp::dist
