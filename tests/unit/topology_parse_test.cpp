// The topology text format (firmware/topology/parse.cpp, docs/topology.md):
// what each statement builds, and every error with its file:line and why.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "firmware/topology/topology.hpp"

namespace tsp::topo {
namespace {

const isa::Config& tsp1() { return *isa::find_config("tsp1"); }
const isa::Config& mini() { return *isa::find_config("mini"); }

std::string error_of(const std::string& text, const isa::Config& cfg = tsp1()) {
  try {
    parse_topology(text, "t.topo", cfg);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TopologyParse, EveryStatement) {
  const Topology t = parse_topology(
      "# a comment line\n"
      "chips 3   # three chips\n"
      "node 2 1\n"
      "clock 1 -12.5\n"
      "clock 2 +0.25\n"
      "link 0.0 1.3\n"
      "link 2.15 1.0 cable optical\n"
      "\n"
      "root 1\n",
      "dir/sys.topo", tsp1());
  EXPECT_EQ(t.name, "sys");
  EXPECT_EQ(t.where, "dir/sys.topo:2");
  ASSERT_EQ(t.chips.size(), 3u);
  EXPECT_EQ(t.chips[2].node, 1u);
  EXPECT_EQ(t.chips[0].node, 0u);
  EXPECT_EQ(t.chips[1].clock_ppm, -12.5);
  EXPECT_EQ(t.chips[1].where, "dir/sys.topo:4");
  EXPECT_EQ(t.chips[2].clock_ppm, 0.25);
  ASSERT_EQ(t.links.size(), 2u);
  EXPECT_EQ(t.links[0].a, (Port{0, 0}));
  EXPECT_EQ(t.links[0].b, (Port{1, 3}));
  EXPECT_EQ(t.links[0].cable, &isa::kCables[isa::kDefaultCable]);
  EXPECT_EQ(t.links[0].where, "dir/sys.topo:6");
  EXPECT_EQ(t.links[1].cable, isa::find_cable("optical"));
  EXPECT_EQ(t.links[1].a, (Port{2, 15}));
  EXPECT_EQ(t.root, 1u);
  const auto end = t.at({1, 3});
  ASSERT_TRUE(end);
  EXPECT_EQ(end->link, 0u);
  EXPECT_FALSE(end->is_a);
  EXPECT_EQ(t.far_end(*end), (Port{0, 0}));
  EXPECT_FALSE(t.at({1, 4}));
}

TEST(TopologyParse, GeneratorLinksRememberTheirLine) {
  const Topology t = parse_topology("\n\ndragonfly 3 global_cable optical\nlink 0.11 8.11\n", "g.topo", tsp1());
  EXPECT_EQ(t.chips.size(), 24u);
  ASSERT_EQ(t.links.size(), 3 * 28 + 3 + 1u);
  EXPECT_EQ(t.links.front().where, "g.topo:3");
  EXPECT_EQ(t.links[3 * 28].cable, isa::find_cable("optical"));
  EXPECT_EQ(t.links.back().where, "g.topo:4");
  EXPECT_EQ(t.chips[9].node, 1u);
}

TEST(TopologyParse, ErrorsNameTheLineAndWhy) {
  // a port wired twice, naming both lines; also against a generated link
  EXPECT_EQ(error_of("chips 3\nlink 0.0 1.0\nlink 2.0 0.0\n"),
            "t.topo:3: error: port 0.0 is wired twice: here and at t.topo:2");
  EXPECT_EQ(error_of("node8\nlink 7.3 6.9\n"), "t.topo:2: error: port 7.3 is wired twice: here and at t.topo:1");
  // port out of range for the configuration
  EXPECT_EQ(error_of("chips 2\nlink 0.16 1.0\n"),
            "t.topo:2: error: port 0.16 out of range (tsp1 chips have 16 ports: 0..15)");
  EXPECT_EQ(error_of("chips 2\nlink 0.0 1.8\n", mini()),
            "t.topo:2: error: port 1.8 out of range (mini chips have 8 ports: 0..7)");
  // chip out of range
  EXPECT_EQ(error_of("chips 2\nlink 0.0 2.0\n"), "t.topo:2: error: chip 2 out of range (the system has 2 chips: 0..1)");
  EXPECT_EQ(error_of("chips 2\nclock 5 1\n"), "t.topo:2: error: chip 5 out of range (the system has 2 chips: 0..1)");
  EXPECT_EQ(error_of("chips 2\nroot 2\n"), "t.topo:2: error: chip 2 out of range (the system has 2 chips: 0..1)");
  // a link from a chip to itself
  EXPECT_EQ(error_of("chips 2\nlink 1.0 1.1\n"), "t.topo:2: error: link from chip 1 to itself (1.0 - 1.1)");
  // an unknown cable
  EXPECT_EQ(error_of("chips 2\nlink 0.0 1.0 cable fibre\n"),
            "t.topo:2: error: unknown cable 'fibre' (copper, backplane, optical)");
  EXPECT_EQ(error_of("dragonfly 2 global_cable wet_string\n"),
            "t.topo:1: error: unknown cable 'wet_string' (copper, backplane, optical)");
  // duplicate statements
  EXPECT_EQ(error_of("chips 2\nlink 0.0 1.0\nroot 0\nroot 1\n"),
            "t.topo:4: error: duplicate 'root' statement (first at t.topo:3)");
  EXPECT_EQ(error_of("chips 2\nchips 2\n"),
            "t.topo:2: error: duplicate chip count: 'chips' here and 'chips' at t.topo:1");
  EXPECT_EQ(error_of("node8\nchips 8\n"),
            "t.topo:2: error: duplicate chip count: 'chips' here and 'node8' at t.topo:1");
  EXPECT_EQ(error_of("chips 2\nclock 1 3\nclock 1 4\n"),
            "t.topo:3: error: duplicate 'clock' for chip 1 (first at t.topo:2)");
  EXPECT_EQ(error_of("chips 2\nnode 1 3\nnode 1 4\n"),
            "t.topo:3: error: duplicate 'node' for chip 1 (first at t.topo:2)");
  // malformed numbers
  EXPECT_EQ(error_of("chips 2x\n"), "t.topo:1: error: chip count: '2x' is not a whole number");
  EXPECT_EQ(error_of("chips -2\n"), "t.topo:1: error: chip count: '-2' is not a whole number");
  EXPECT_EQ(error_of("chips 99999999999\n"), "t.topo:1: error: chip count '99999999999' is too large");
  EXPECT_EQ(error_of("chips 2\nlink 0.a 1.0\n"), "t.topo:2: error: port: 'a' is not a whole number");
  EXPECT_EQ(error_of("chips 2\nlink 0 1.0\n"), "t.topo:2: error: port '0' is not CHIP.PORT");
  EXPECT_EQ(error_of("chips 2\nclock 0 1.5.2\n"), "t.topo:2: error: clock offset in ppm: '1.5.2' is not a number");
  EXPECT_EQ(error_of("chips 2\nclock 0 nan\n"), "t.topo:2: error: clock offset in ppm: 'nan' is not a number");
  EXPECT_EQ(error_of("chips 2\nclock 0 +-3\n"), "t.topo:2: error: clock offset in ppm: '+-3' is not a number");
  // a bad ppm
  EXPECT_EQ(error_of("chips 2\nclock 0 1000.5\n"),
            "t.topo:2: error: clock offset 1000.5 ppm out of range (|ppm| <= 1000)");
  EXPECT_EQ(error_of("chips 2\nclock 0 -1001\n"),
            "t.topo:2: error: clock offset -1001 ppm out of range (|ppm| <= 1000)");
  // a disconnected system: the HAC spanning tree cannot reach every chip
  EXPECT_EQ(error_of("chips 4\nlink 0.0 1.0\nlink 2.0 3.0\n"),
            "t.topo:1: error: the system is not connected: the HAC spanning tree from root chip 0 cannot reach chip 2 "
            "(2 of 4 chips unreachable)");
  // the rest of the grammar
  EXPECT_EQ(error_of("chips 0\n"), "t.topo:1: error: chip count 0 out of range (1..65536)");
  EXPECT_EQ(error_of("\nlink 0.0 1.0\n"),
            "t.topo:2: error: 'link' before the chip count ('chips N' or a generator must come first)");
  EXPECT_EQ(error_of("chips 2\nwire 0.0 1.0\n"),
            "t.topo:2: error: unknown statement 'wire' (chips node clock link root pair node8 dragonfly racks)");
  EXPECT_EQ(error_of("chips 2 3\n"), "t.topo:1: error: unexpected '3' after the statement");
  EXPECT_EQ(error_of("chips 2\nlink 0.0 1.0 kable copper\n"),
            "t.topo:2: error: expected 'cable' or the end of the line, found 'kable'");
  EXPECT_EQ(error_of("chips 2\nlink 0.0\n"), "t.topo:2: error: expected a port CHIP.PORT at the end of the line");
  EXPECT_EQ(error_of("# nothing\n"),
            "t.topo: error: no chip count: write 'chips N' or a generator such as 'node8' first");
  EXPECT_EQ(error_of("dragonfly 34\n"), "t.topo:1: error: dragonfly 34: out of range (2..33)");
  EXPECT_EQ(error_of("dragonfly 10\n", mini()),
            "t.topo:1: error: dragonfly needs 9 ports per chip but mini chips have 8");
  EXPECT_EQ(error_of("racks 2\n", mini()), "t.topo:1: error: racks needs 12 ports per chip but mini chips have 8");
}

TEST(TopologyParse, ChipCountMustMatchTheImage) {
  const Topology t = parse_topology("chips 2\nlink 0.0 1.0\n", "t.topo", tsp1());
  EXPECT_NO_THROW(validate(t, tsp1(), 2));
  try {
    validate(t, tsp1(), 3);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "t.topo:1: error: the topology has 2 chips but the image has 3");
  }
}

TEST(TopologyParse, ValidateChecksTopologiesBuiltInCode) {
  Topology t = parse_topology("chips 2\nlink 0.0 1.0\n", "t.topo", tsp1());
  t.links.push_back({{1, 0}, {0, 5}, &isa::kCables[0], "api"});
  EXPECT_THROW(validate(t, tsp1(), 2), Error);
  t.links.pop_back();
  t.chips[1].clock_ppm = 2000;
  t.chips[1].where = "api";
  try {
    validate(t, tsp1(), 2);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "api: error: chip 1: clock offset 2000 ppm out of range (|ppm| <= 1000)");
  }
}

TEST(TopologyParse, ExamplesParse) {
  const std::string dir = std::string(TSP_SOURCE_DIR) + "/firmware/topology/examples/";
  struct Expect {
    const char* file;
    size_t chips, links;
    uint32_t root;
  };
  for (const Expect& e :
       {Expect{"pair.topo", 2, 1, 0}, Expect{"node8.topo", 8, 28, 0}, Expect{"dragonfly4.topo", 32, 4 * 28 + 6, 9},
        Expect{"racks2.topo", 144, 18 * 28 + 2 * 36 + 288, 0}, Expect{"ring4.topo", 4, 4, 1}}) {
    const Topology t = load_topology(dir + e.file, tsp1());
    EXPECT_EQ(t.chips.size(), e.chips) << e.file;
    EXPECT_EQ(t.links.size(), e.links) << e.file;
    EXPECT_EQ(t.root, e.root) << e.file;
  }
  EXPECT_EQ(load_topology(dir + "dragonfly4.topo", tsp1()).chips[31].clock_ppm, -40);
}

}  // namespace
}  // namespace tsp::topo
