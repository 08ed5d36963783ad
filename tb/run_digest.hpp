#pragma once
// The digest `tsp run --digest` prints (docs/distributed.md, "Digest"): 64-bit
// FNV-1a over a canonical serialisation of every result of a run that does
// not depend on how it was simulated: each chip's status, error, cycles,
// counters and its manifest tensors' bits, each link direction's counters,
// the checks. Wall time, ranks and the window are left out, so one process
// and any number of ranks must print the same digest.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

namespace tsp::cli {

uint64_t fnv1a64(std::string_view bytes, uint64_t h = 0xcbf29ce484222325ull);
// `stats`: the --stats JSON of the run. The canonical form is that JSON
// without its wall-clock and rank fields, dumped compactly with sorted keys.
nlohmann::json canonical_results(const nlohmann::json& stats);
uint64_t results_digest(const nlohmann::json& stats);

}  // namespace tsp::cli
