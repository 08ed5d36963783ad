#pragma once
// `tsp bench --links`: what links and synchronisation cost. Every tsp1 chip
// of a system copies vectors between its MEM slice pairs (the MEM-bound work
// of `tsp bench`) while vectors stream over the system's links at one frame
// per c2c_frame_cycles; the baseline is the same chips' copying alone, with no
// topology (so no links and the default quantum). Each variant runs in a child
// process: SystemC elaborates once per process.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tsp::bench {

struct LinkBenchSpec {
  std::string name;      // "node8_ring", "dragonfly2_3hop"
  std::string topology;  // a built-in
  // Each hop: sender chip, receiver chip (a direct link joins them).
  std::vector<std::pair<uint32_t, uint32_t>> hops;
  uint32_t copy_vectors = 2000;  // per slice pair, per chip
};

std::vector<LinkBenchSpec> link_bench_specs(uint32_t copy_vectors);
// Runs `spec` with and without links, `rounds` times each, alternating.
nlohmann::json measure_links(const LinkBenchSpec& spec, uint32_t rounds);

}  // namespace tsp::bench
