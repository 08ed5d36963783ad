#pragma once
// The built-in systems (docs/topology.md), shared by the `pair`, `node8`,
// `dragonfly` and `racks` statements of the text format and by the built-in
// names: each fills a topology's chips, nodes and links in a fixed order.
#include <cstdint>
#include <string>
#include <string_view>

#include "firmware/topology/topology.hpp"

namespace tsp::topo {

inline constexpr uint32_t kNodeChips = 8;  // chips per node, all-to-all [pub]
inline constexpr uint32_t kLocalPorts = kNodeChips - 1;
inline constexpr uint32_t kRackNodes = 9;        // nodes per rack, one of them the spare [2nd]
inline constexpr uint32_t kRackGlobalPorts = 4;  // global ports per chip [pub], racks: rack to rack

enum class Kind { Pair, Node8, Dragonfly, Racks };

struct Spec {
  Kind kind = Kind::Node8;
  uint32_t n = 1;                          // nodes (dragonfly) or racks (racks)
  const isa::CableDesc* global = nullptr;  // the cable between nodes (racks: between racks); null: default
};

struct Family {
  std::string_view name;  // statement and built-in prefix
  Kind kind;
  uint32_t min_n, max_n;  // 0: takes no number
};
inline constexpr Family kFamilies[] = {
    {"pair", Kind::Pair, 0, 0},
    {"node8", Kind::Node8, 0, 0},
    {"dragonfly", Kind::Dragonfly, 2, 33},  // 33 nodes use 32 global ports each: 4 per chip [pub]
    {"racks", Kind::Racks, 2, 145},         // 145 racks x 72 chips = 10,440 [pub]
};
const Family& family_of(Kind kind);

uint32_t chips_of(const Spec& s);
// Ports per chip the generator needs (the most any chip uses).
uint32_t ports_needed(const Spec& s);

// Sets t's chips (nodes, where) and appends the links, each remembering `where`.
// tsp::Error at `where` if the number is out of range or cfg has too few ports.
void generate(const Spec& s, Topology& t, const isa::Config& cfg, const std::string& where);

// What a generator promises; check_shape proves it on the result, so that a
// planted mistake in a generator (a missing or extra link) cannot pass.
struct Shape {
  uint32_t max_hops = 0;        // diameter (checked when the system is small enough to do all pairs quickly)
  uint32_t local_per_chip = 0;  // links to chips of the same node, exactly
  uint32_t max_ports = 0;       // ports any chip uses, at most
  uint32_t node_links = 0;      // links leaving each node, exactly (0: not checked)
  uint32_t links = 0;           // links in all, exactly
};
Shape shape_of(const Spec& s);
inline constexpr uint32_t kShapeHopsMaxChips = 1024;
// tsp::Error at t.where naming the broken promise.
void check_shape(const Topology& t, const Shape& shape);

}  // namespace tsp::topo
