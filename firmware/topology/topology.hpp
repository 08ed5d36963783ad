#pragma once
// A multi-chip system as data (docs/topology.md): chips with their clock offset
// and node, full-duplex links between chip ports with their cable class, and
// the root of the HAC spanning tree. Built from text (parse.cpp) or by the
// built-in generators (generators.cpp); the graph questions in graph.cpp.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/isa/isa.hpp"

namespace tsp::topo {

// Above the largest published system (10,440 chips), and what an image can hold.
inline constexpr uint32_t kMaxChips = 1u << 16;
// A chip's oscillator is off by at most this much (plesiochronous clocks).
inline constexpr double kMaxClockPpm = 1000;

struct Port {
  uint32_t chip = 0;
  uint16_t link = 0;  // the port number on that chip, 0 .. cfg.c2c_links-1
  bool operator==(const Port&) const = default;
};

struct Link {
  Port a, b;                    // full duplex: a's tx -> b's rx and b's tx -> a's rx
  const isa::CableDesc* cable;  // never null
  std::string where;            // "file:line" or "builtin node8"
};

struct Chip {
  double clock_ppm = 0;
  uint32_t node = 0;
  std::string where;  // where its clock or node was set (or where the chip count was)
};

struct Topology {
  std::string name;
  std::vector<Chip> chips;
  std::vector<Link> links;
  uint32_t root = 0;  // root of the HAC spanning tree
  std::string where;  // where the chip count was set: errors about the whole system point here

  // The link on a chip's port and which end of it the port is, if wired.
  struct End {
    size_t link;
    bool is_a;
  };
  // Indexed lazily; the index is rebuilt when the chip or link count changes
  // (call reindex() after editing a link in place). Not thread safe.
  std::optional<End> at(Port p) const;
  void reindex() const { index_.clear(); }

  // The other end of a link, seen from `end`.
  Port far_end(End end) const { return end.is_a ? links[end.link].b : links[end.link].a; }

 private:
  mutable std::vector<std::optional<End>> index_;  // chip * ports_ + port
  mutable size_t indexed_links_ = 0;
  mutable uint32_t ports_ = 0;
};

Topology parse_topology(std::string_view text, std::string_view file, const isa::Config& cfg);
// Reads a file; tsp::Error if it cannot be read.
Topology read_topology_file(const std::string& path, const isa::Config& cfg);
Topology load_topology(std::string_view name_or_file, const isa::Config& cfg);  // built-in or file
Topology builtin_topology(std::string_view name, const isa::Config& cfg);       // throws for unknown names
// True when `name` is a built-in's name (pair, node8, dragonfly2..33, racks2..145).
bool is_builtin(std::string_view name);
// Every check of the text format, plus the chip count of the image it will run.
void validate(const Topology& t, const isa::Config& cfg, uint32_t image_chips);
// The same without an image: what parse_topology and the generators end with.
void validate_structure(const Topology& t, const isa::Config& cfg);

// Breadth-first spanning tree from t.root: per chip the parent's link index (root: nullopt), and depth.
// Neighbours are visited in link order, so the tree is deterministic.
struct TreeEdge {
  std::optional<size_t> link;
  uint32_t depth = 0;
  bool reached = false;  // false: the chip is not connected to the root
};
std::vector<TreeEdge> spanning_tree(const Topology& t);
// A shortest path (fewest hops, ties broken deterministically by lowest link index) as the
// sequence of sending ports, one per hop, from chip `from` to chip `to` (empty when from == to).
// The hop's link is t.at(port)->link. tsp::Error if `to` cannot be reached.
std::vector<Port> shortest_path(const Topology& t, uint32_t from, uint32_t to);
// Seeded uniform in [-P, +P] per chip, deterministic (the same seed gives the same clocks).
void apply_clock_spread(Topology& t, double ppm_spread, uint64_t seed);

// Hops from `from` to every chip (UINT32_MAX where unreachable).
std::vector<uint32_t> hops_from(const Topology& t, uint32_t from);
// The most hops any shortest path needs (all pairs; UINT32_MAX if disconnected).
uint32_t diameter(const Topology& t);
// Wired ports per chip.
std::vector<uint32_t> ports_used(const Topology& t);
// Number of nodes (1 + the largest node number).
uint32_t node_count(const Topology& t);

}  // namespace tsp::topo
