#include "firmware/topology/generators.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "firmware/topology/wiring.hpp"

namespace tsp::topo {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

// Index of `other` among the peers of `self` (0..count-2), peers in ascending order without self.
uint32_t peer_index(uint32_t self, uint32_t other) { return other < self ? other : other - 1; }

const isa::CableDesc& cable(std::string_view name) { return *isa::find_cable(name); }
const isa::CableDesc& default_cable() { return isa::kCables[isa::kDefaultCable]; }

// Racks: links per rack pair, so that every chip's kRackGlobalPorts are shared evenly by the other racks.
uint32_t rack_pair_links(uint32_t racks) { return kRackNodes * kNodeChips * kRackGlobalPorts / (racks - 1); }

// Chips of one node all-to-all: port p of chip i goes to the p-th other chip (ports 0..6).
void wire_node(Wiring& w, uint32_t node, const std::string& where) {
  const uint32_t base = node * kNodeChips;
  for (uint32_t i = 0; i < kNodeChips; ++i)
    for (uint32_t j = i + 1; j < kNodeChips; ++j)
      w.link({base + i, uint16_t(peer_index(i, j))}, {base + j, uint16_t(peer_index(j, i))}, cable("backplane"), where);
}

// Nodes first..first+count-1 all-to-all, one link per pair: node a's link to its k-th peer is on its
// chip k % 8, port first_port + k / 8 (so 32 peers use 4 ports of every chip).
void wire_nodes(Wiring& w, uint32_t first, uint32_t count, uint16_t first_port, const isa::CableDesc& c,
                const std::string& where) {
  auto end = [&](uint32_t a, uint32_t b) {
    const uint32_t k = peer_index(a, b);
    return Port{(first + a) * kNodeChips + k % kNodeChips, uint16_t(first_port + k / kNodeChips)};
  };
  for (uint32_t a = 0; a < count; ++a)
    for (uint32_t b = a + 1; b < count; ++b) w.link(end(a, b), end(b, a), c, where);
}

// Racks all-to-all, rack_pair_links(racks) links per pair: the m-th link of rack r to its j-th peer
// takes slot m * (racks - 1) + j of r's 288 global ports: chip slot % 72, port 8 + slot / 72.
void wire_racks(Wiring& w, uint32_t racks, const isa::CableDesc& c, const std::string& where) {
  constexpr uint32_t kRackChips = kRackNodes * kNodeChips;
  const uint32_t copies = rack_pair_links(racks);
  auto end = [&](uint32_t r, uint32_t q, uint32_t m) {
    const uint32_t slot = m * (racks - 1) + peer_index(r, q);
    return Port{r * kRackChips + slot % kRackChips, uint16_t(kLocalPorts + 1 + slot / kRackChips)};
  };
  for (uint32_t m = 0; m < copies; ++m)
    for (uint32_t r = 0; r < racks; ++r)
      for (uint32_t q = r + 1; q < racks; ++q) w.link(end(r, q, m), end(q, r, m), c, where);
}

}  // namespace

const Family& family_of(Kind kind) {
  for (const Family& f : kFamilies)
    if (f.kind == kind) return f;
  throw Error("family_of: no such kind");
}

uint32_t chips_of(const Spec& s) {
  switch (s.kind) {
    case Kind::Pair:
      return 2;
    case Kind::Node8:
      return kNodeChips;
    case Kind::Dragonfly:
      return s.n * kNodeChips;
    case Kind::Racks:
      return s.n * kRackNodes * kNodeChips;
  }
  return 0;
}

uint32_t ports_needed(const Spec& s) {
  switch (s.kind) {
    case Kind::Pair:
      return 1;
    case Kind::Node8:
      return kLocalPorts;
    case Kind::Dragonfly:
      return kLocalPorts + ceil_div(s.n - 1, kNodeChips);
    case Kind::Racks:  // local, one rack port, the global ports
      return kLocalPorts + 1 +
             std::min(kRackGlobalPorts, ceil_div(rack_pair_links(s.n) * (s.n - 1), kRackNodes * kNodeChips));
  }
  return 0;
}

void generate(const Spec& s, Topology& t, const isa::Config& cfg, const std::string& where) {
  const Family& f = family_of(s.kind);
  if (f.max_n && (s.n < f.min_n || s.n > f.max_n))
    throw located(where, fmt::format("{} {}: out of range ({}..{})", f.name, s.n, f.min_n, f.max_n));
  if (ports_needed(s) > cfg.c2c_links)
    throw located(where, fmt::format("{} needs {} ports per chip but {} chips have {}", f.name, ports_needed(s),
                                     cfg.name, cfg.c2c_links));
  const uint32_t chips = chips_of(s);
  t.where = where;
  t.chips.assign(chips, Chip{0, 0, where});
  for (uint32_t c = 0; c < chips; ++c) t.chips[c].node = s.kind == Kind::Pair ? c : c / kNodeChips;
  Wiring w(t, cfg);
  if (s.kind == Kind::Pair) {
    w.link({0, 0}, {1, 0}, s.global ? *s.global : default_cable(), where);
    return;
  }
  const uint32_t nodes = chips / kNodeChips;
  for (uint32_t n = 0; n < nodes; ++n) wire_node(w, n, where);
  if (s.kind == Kind::Dragonfly) wire_nodes(w, 0, s.n, kLocalPorts, s.global ? *s.global : default_cable(), where);
  if (s.kind == Kind::Racks) {
    // Nodes of a rack: one copper link per pair, on port 7 of every chip; racks: optical unless told.
    for (uint32_t r = 0; r < s.n; ++r) wire_nodes(w, r * kRackNodes, kRackNodes, kLocalPorts, default_cable(), where);
    wire_racks(w, s.n, s.global ? *s.global : cable("optical"), where);
  }
}

Shape shape_of(const Spec& s) {
  const uint32_t chips = chips_of(s), nodes = chips / kNodeChips;
  switch (s.kind) {
    case Kind::Pair:
      return {1, 0, 1, 1, 1};
    case Kind::Node8:
      return {1, kLocalPorts, kLocalPorts, 0, 28};
    case Kind::Dragonfly:  // local, global, local
      return {3, kLocalPorts, ports_needed(s), s.n - 1, nodes * 28 + s.n * (s.n - 1) / 2};
    case Kind::Racks:  // to the rack's gateway node (local, rack, local), global, and the same again
      return {7, kLocalPorts, ports_needed(s), 0,
              nodes * 28 + s.n * kRackNodes * (kRackNodes - 1) / 2 + rack_pair_links(s.n) * s.n * (s.n - 1) / 2};
  }
  return {};
}

void check_shape(const Topology& t, const Shape& shape) {
  auto fail = [&](const std::string& why) { throw located(t.where, "the generator broke its promise: " + why); };
  if (t.links.size() != shape.links) fail(fmt::format("{} links, expected {}", t.links.size(), shape.links));
  const std::vector<uint32_t> used = ports_used(t);
  std::vector<uint32_t> local(t.chips.size()), leaving(node_count(t));
  for (const Link& l : t.links) {
    const uint32_t na = t.chips[l.a.chip].node, nb = t.chips[l.b.chip].node;
    if (na == nb) {
      ++local[l.a.chip];
      ++local[l.b.chip];
    } else {
      ++leaving[na];
      ++leaving[nb];
    }
  }
  for (uint32_t c = 0; c < t.chips.size(); ++c) {
    if (local[c] != shape.local_per_chip)
      fail(fmt::format("chip {} has {} links inside its node, expected {}", c, local[c], shape.local_per_chip));
    if (used[c] > shape.max_ports) fail(fmt::format("chip {} uses {} ports, at most {}", c, used[c], shape.max_ports));
  }
  if (shape.node_links)
    for (uint32_t n = 0; n < leaving.size(); ++n)
      if (leaving[n] != shape.node_links)
        fail(fmt::format("node {} has {} links to other nodes, expected {}", n, leaving[n], shape.node_links));
  if (t.chips.size() <= kShapeHopsMaxChips)
    if (const uint32_t d = diameter(t); d > shape.max_hops)
      fail(d == UINT32_MAX ? std::string("the system is not connected")
                           : fmt::format("{} hops between some chips, at most {}", d, shape.max_hops));
}

}  // namespace tsp::topo
