#include "tb/run_digest.hpp"

namespace tsp::cli {

uint64_t fnv1a64(std::string_view bytes, uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

nlohmann::json canonical_results(const nlohmann::json& stats) {
  // How the run was simulated, not what it computed.
  static const char* const kRunFields[] = {
      "wall_seconds", "run_wall_seconds", "cycles_per_second", "ranks", "lookahead_cycles", "window_cycles", "digest"};
  nlohmann::json j = stats;
  for (const char* f : kRunFields) j.erase(f);
  for (auto& c : j["chips"]) c.erase("rank");
  return j;
}

uint64_t results_digest(const nlohmann::json& stats) { return fnv1a64(canonical_results(stats).dump()); }

}  // namespace tsp::cli
