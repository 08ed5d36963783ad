// libFuzzer target: the topology parser on arbitrary text. tsp::Error is the
// only acceptable failure; a topology that parses must satisfy its own checks
// and give the same answers when parsed again.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/error.hpp"
#include "firmware/topology/topology.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const tsp::isa::Config& cfg = *tsp::isa::find_config(size % 2 ? "mini" : "tsp1");
  tsp::topo::Topology t;
  try {
    t = tsp::topo::parse_topology(text, "fuzz.topo", cfg);
  } catch (const tsp::Error&) {
    return 0;
  }
  tsp::topo::validate(t, cfg, uint32_t(t.chips.size()));  // must not throw
  for (size_t i = 0; i < t.links.size(); ++i) {
    const auto end = t.at(t.links[i].a);
    if (!end || end->link != i || !end->is_a) std::abort();
  }
  const auto tree = tsp::topo::spanning_tree(t);
  if (t.chips.size() <= 256) {
    const uint32_t last = uint32_t(t.chips.size() - 1);
    if (tsp::topo::shortest_path(t, t.root, last).size() != tree[last].depth) std::abort();
  }
  return 0;
}
