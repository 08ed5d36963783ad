// `tsp topo`: a multi-chip system (built-in name or topology file,
// docs/topology.md): counts, links per cable class with their hop, ports per
// chip, diameter and HAC tree depth; optionally an SVG picture.
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "firmware/isa/isa.hpp"
#include "firmware/topology/summary.hpp"
#include "firmware/topology/svg.hpp"
#include "firmware/topology/topology.hpp"
#include "tb/commands.hpp"

namespace tsp::cli {
namespace {

struct TopoArgs {
  std::string topology, config = "tsp1", svg;
  bool json = false;
  double ppm_spread = 0;
  uint64_t seed = 1;
};

nlohmann::json to_json(const topo::Topology& t, const topo::Summary& s) {
  nlohmann::json cables = nlohmann::json::array();
  for (const auto& c : s.cables)
    cables.push_back({{"cable", c.cable->name}, {"links", c.links}, {"hop_cycles", c.hop_cycles}});
  nlohmann::json chips = nlohmann::json::array();
  for (const auto& c : t.chips) chips.push_back({{"node", c.node}, {"clock_ppm", c.clock_ppm}});
  return {{"name", t.name},
          {"chips", s.chips},
          {"nodes", s.nodes},
          {"links", s.links},
          {"cables", cables},
          {"ports_per_chip", {{"min", s.min_ports}, {"max", s.max_ports}}},
          {"diameter", s.diameter},
          {"hac_root", t.root},
          {"hac_tree_depth", s.tree_depth},
          {"clock_ppm", {{"min", s.min_ppm}, {"max", s.max_ppm}}},
          {"chip", chips}};
}

void print_text(const topo::Topology& t, const topo::Summary& s, const isa::Config& cfg) {
  auto row = [](std::string_view k, const std::string& v) { fmt::print("  {:<16}{}\n", k, v); };
  fmt::print("topology {} ({} chips with {} ports each)\n", t.name, cfg.name, cfg.c2c_links);
  row("chips", fmt::format("{} in {} nodes", s.chips, s.nodes));
  row("links", fmt::format("{} full duplex", s.links));
  for (const auto& c : s.cables)
    row(fmt::format("  {}", c.cable->name),
        fmt::format("{} links, hop {} cycles ({})", c.links, c.hop_cycles, c.cable->summary));
  row("ports per chip",
      s.min_ports == s.max_ports ? fmt::format("{}", s.max_ports) : fmt::format("{}..{}", s.min_ports, s.max_ports));
  row("diameter", fmt::format("{} hops", s.diameter));
  row("HAC tree", fmt::format("root chip {}, depth {}", t.root, s.tree_depth));
  row("clocks", fmt::format("{:+.3f} .. {:+.3f} ppm", s.min_ppm, s.max_ppm));
}

}  // namespace

void add_topo(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("topo", "Describe a multi-chip system: a built-in name or a topology file (docs/topology.md)");
  auto a = std::make_shared<TopoArgs>();
  cmd->add_option("topology", a->topology, "pair, node8, dragonfly2..33, racks2..145, or a file")->required();
  cmd->add_option("-c,--config", a->config, "Configuration (ports per chip)")->capture_default_str();
  cmd->add_option("--svg", a->svg, "Write a picture of the system");
  cmd->add_flag("--json", a->json, "Machine-readable output");
  auto* spread = cmd->add_option("--clock-ppm-spread", a->ppm_spread, "Clock offsets uniform in [-P, +P] ppm per chip");
  cmd->add_option("--seed", a->seed, "Seed of the clock spread")->capture_default_str()->needs(spread);
  cmd->callback([a, &exit_code] {
    const isa::Config* cfg = isa::find_config(a->config);
    if (!cfg) throw Error(fmt::format("tsp topo: error: unknown configuration '{}'", a->config));
    topo::Topology t = topo::load_topology(a->topology, *cfg);
    if (a->ppm_spread != 0) topo::apply_clock_spread(t, a->ppm_spread, a->seed);
    const topo::Summary s = topo::summarize(t, *cfg);
    if (a->json)
      fmt::print("{}\n", to_json(t, s).dump(2));
    else
      print_text(t, s, *cfg);
    if (!a->svg.empty()) {
      std::ofstream out(a->svg, std::ios::binary);
      out << topo::topology_svg(t, *cfg);
      if (!out) throw Error(fmt::format("{}: error: cannot write the picture", a->svg));
    }
    exit_code = 0;
  });
}

}  // namespace tsp::cli
