// The built-in systems (firmware/topology/generators.cpp) and the graph
// questions (graph.cpp): counts worked out from the structure, hops, the HAC
// tree, the clock spread, and planted generator mistakes the checks catch.
#include "firmware/topology/topology.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.hpp"
#include "firmware/topology/generators.hpp"
#include "firmware/topology/summary.hpp"

namespace tsp::topo {
namespace {

const isa::Config& tsp1() { return *isa::find_config("tsp1"); }
const isa::Config& mini() { return *isa::find_config("mini"); }

size_t links_between_nodes(const Topology& t) {
  return size_t(std::count_if(t.links.begin(), t.links.end(),
                              [&](const Link& l) { return t.chips[l.a.chip].node != t.chips[l.b.chip].node; }));
}

uint32_t most_ports(const Topology& t) {
  const std::vector<uint32_t> used = ports_used(t);
  return *std::max_element(used.begin(), used.end());
}

TEST(TopologyBuiltin, Pair) {
  const Topology t = builtin_topology("pair", mini());
  ASSERT_EQ(t.chips.size(), 2u);
  ASSERT_EQ(t.links.size(), 1u);
  EXPECT_EQ(t.links[0].a, (Port{0, 0}));
  EXPECT_EQ(t.links[0].b, (Port{1, 0}));
  EXPECT_EQ(t.links[0].where, "builtin pair");
  EXPECT_EQ(isa::c2c_hop_cycles(mini(), *t.links[0].cable), mini().c2c_hop_latency_cycles);
}

TEST(TopologyBuiltin, Node8) {
  const Topology t = builtin_topology("node8", mini());  // 7 ports fit the mini chip's 8
  EXPECT_EQ(t.chips.size(), 8u);
  EXPECT_EQ(t.links.size(), 28u);
  for (uint32_t p : ports_used(t)) EXPECT_EQ(p, 7u);
  for (const Link& l : t.links) EXPECT_EQ(l.cable, isa::find_cable("backplane"));
  EXPECT_EQ(diameter(t), 1u);
  // port p of chip i goes to the p-th other chip
  EXPECT_EQ(t.far_end(*t.at({3, 3})), (Port{4, 3}));
  EXPECT_EQ(t.far_end(*t.at({3, 2})), (Port{2, 2}));
}

TEST(TopologyBuiltin, Dragonfly33) {
  const Topology t = builtin_topology("dragonfly33", tsp1());
  EXPECT_EQ(t.chips.size(), 264u);
  EXPECT_EQ(node_count(t), 33u);
  EXPECT_EQ(t.links.size(), 33u * 28 + 528);
  EXPECT_EQ(links_between_nodes(t), 528u);                // 33 * 32 / 2
  for (uint32_t p : ports_used(t)) EXPECT_EQ(p, 7u + 4);  // 4 global ports per chip, 32 per node
  EXPECT_EQ(diameter(t), 3u);
  const Summary s = summarize(t, tsp1());
  ASSERT_EQ(s.cables.size(), 2u);
  EXPECT_EQ(s.cables[0].cable->name, "copper");
  EXPECT_EQ(s.cables[0].links, 528u);
  EXPECT_EQ(s.cables[0].hop_cycles, tsp1().c2c_hop_latency_cycles);
  EXPECT_EQ(s.cables[1].cable->name, "backplane");
  EXPECT_EQ(s.cables[1].hop_cycles, isa::c2c_hop_cycles(tsp1(), *isa::find_cable("backplane")));
}

TEST(TopologyBuiltin, DragonflySizesAndTheirPorts) {
  for (uint32_t n = 2; n <= 33; ++n) {
    const Topology t = builtin_topology(fmt::format("dragonfly{}", n), tsp1());
    EXPECT_EQ(t.chips.size(), 8u * n);
    EXPECT_EQ(links_between_nodes(t), n * (n - 1) / 2u);
    EXPECT_LE(diameter(t), 3u);
    EXPECT_EQ(most_ports(t), 7u + (n - 1 + 7) / 8);
  }
  EXPECT_NO_THROW(builtin_topology("dragonfly9", mini()));  // 8 global links per node: port 7 of each chip
  EXPECT_THROW(builtin_topology("dragonfly10", mini()), Error);
}

TEST(TopologyBuiltin, Racks) {
  const Topology t = builtin_topology("racks8", tsp1());  // 576 chips: one Llama 2 70B
  EXPECT_EQ(t.chips.size(), 576u);
  EXPECT_EQ(node_count(t), 72u);
  EXPECT_EQ(t.links.size(), 72u * 28 + 8 * 36 + 41 * 28);  // local, node to node in a rack, 41 per rack pair
  EXPECT_LE(most_ports(t), 12u);
  EXPECT_EQ(diameter(t), 5u);
  const Topology big = builtin_topology("racks145", tsp1());  // the largest published system
  EXPECT_EQ(big.chips.size(), 10440u);
  EXPECT_EQ(big.links.size(), 1305u * 28 + 145 * 36 + 2 * 145 * 144 / 2);
  EXPECT_EQ(most_ports(big), 12u);
}

TEST(TopologyBuiltin, NamesAndFiles) {
  EXPECT_TRUE(is_builtin("dragonfly2"));
  EXPECT_FALSE(is_builtin("dragonfly1"));
  EXPECT_FALSE(is_builtin("dragonfly34"));
  EXPECT_FALSE(is_builtin("node8x"));
  EXPECT_TRUE(is_builtin("racks145"));
  try {
    load_topology("torus", tsp1());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "error: unknown topology 'torus' (built-ins: pair, node8, dragonfly2..dragonfly33, racks2..racks145; "
                 "anything else is read as a file)");
  }
  try {
    load_topology("no/such.topo", tsp1());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "no/such.topo: error: cannot open topology file");
  }
}

TEST(TopologyGraph, ShortestPathAndTree) {
  const Topology ring =
      parse_topology("chips 4\nlink 0.0 1.0\nlink 2.0 3.0\nlink 1.1 2.1\nlink 3.1 0.1\nroot 1\n", "ring.topo", tsp1());
  // two paths of two hops from 0 to 2; the one through the lower link index wins
  EXPECT_EQ(shortest_path(ring, 0, 2), (std::vector<Port>{{0, 0}, {1, 1}}));
  EXPECT_EQ(shortest_path(ring, 2, 0), (std::vector<Port>{{2, 0}, {3, 1}}));
  EXPECT_TRUE(shortest_path(ring, 3, 3).empty());
  const std::vector<TreeEdge> tree = spanning_tree(ring);
  EXPECT_FALSE(tree[1].link);
  EXPECT_EQ(tree[1].depth, 0u);
  EXPECT_EQ(tree[0].link, 0u);
  EXPECT_EQ(tree[2].link, 2u);
  EXPECT_EQ(tree[3].link, 3u);
  EXPECT_EQ(tree[3].depth, 2u);
  for (const TreeEdge& e : tree) EXPECT_TRUE(e.reached);
  EXPECT_EQ(diameter(ring), 2u);
  EXPECT_EQ(hops_from(ring, 0), (std::vector<uint32_t>{0, 1, 2, 1}));

  // dragonfly33: node 0 reaches node 32 over chip 7's port 10 into chip 256: local, global, local
  const Topology d = builtin_topology("dragonfly33", tsp1());
  EXPECT_EQ(shortest_path(d, 0, 263), (std::vector<Port>{{0, 6}, {7, 10}, {256, 6}}));
  uint32_t deepest = 0;
  for (const TreeEdge& e : spanning_tree(d)) deepest = std::max(deepest, e.depth);
  EXPECT_EQ(deepest, 3u);
  EXPECT_THROW(shortest_path(d, 0, 264), Error);
}

TEST(TopologyGraph, ClockSpreadIsDeterministicPerSeed) {
  Topology a = builtin_topology("dragonfly4", tsp1()), b = a, c = a;
  apply_clock_spread(a, 50, 7);
  apply_clock_spread(b, 50, 7);
  apply_clock_spread(c, 50, 8);
  bool differs = false;
  double lo = 0, hi = 0;
  for (size_t i = 0; i < a.chips.size(); ++i) {
    EXPECT_EQ(a.chips[i].clock_ppm, b.chips[i].clock_ppm);
    EXPECT_LE(std::abs(a.chips[i].clock_ppm), 50);
    differs |= a.chips[i].clock_ppm != c.chips[i].clock_ppm;
    lo = std::min(lo, a.chips[i].clock_ppm);
    hi = std::max(hi, a.chips[i].clock_ppm);
  }
  EXPECT_TRUE(differs);
  EXPECT_LT(lo, -25);  // 32 draws spread over the range, not stuck at one end
  EXPECT_GT(hi, 25);
  EXPECT_THROW(apply_clock_spread(a, 1001, 1), Error);
  EXPECT_THROW(apply_clock_spread(a, -1, 1), Error);
}

// Planted mistakes in a generator's output: each check of the promise catches one on its own.
TEST(TopologyShape, PlantedMissingGlobalLinkIsCaught) {
  const Spec spec{Kind::Dragonfly, 33, nullptr};
  Topology t;
  t.name = "planted";
  generate(spec, t, tsp1(), "planted");
  Shape shape = shape_of(spec);
  EXPECT_NO_THROW(check_shape(t, shape));
  const auto global = std::find_if(t.links.begin(), t.links.end(), [&](const Link& l) {
    return t.chips[l.a.chip].node == 0 && t.chips[l.b.chip].node == 32;
  });
  ASSERT_NE(global, t.links.end());
  t.links.erase(global);
  auto error_of = [&](const Shape& s) {
    try {
      check_shape(t, s);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of(shape), "planted: error: the generator broke its promise: 1451 links, expected 1452");
  shape.links = 1451;  // the count alone: the node degree still sees it
  EXPECT_EQ(error_of(shape),
            "planted: error: the generator broke its promise: node 0 has 31 links to other nodes, expected 32");
  // And the diameter: node 0 to node 32 now goes through a third node, at worst local, global, global, local.
  shape.node_links = 0;
  EXPECT_EQ(error_of(shape), "planted: error: the generator broke its promise: 4 hops between some chips, at most 3");
}

TEST(TopologyShape, PlantedLocalMistakeIsCaught) {
  const Spec spec{Kind::Node8, 1, nullptr};
  Topology t;
  generate(spec, t, tsp1(), "planted");
  t.links[5].b = {7, 8};  // one local link rewired to a chip's spare port: the same count, the wrong chip
  Shape shape = shape_of(spec);
  shape.max_ports = 16;
  try {
    check_shape(t, shape);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("links inside its node, expected 7"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tsp::topo
