#include "firmware/topology/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "firmware/topology/summary.hpp"

namespace tsp::topo {
namespace {

// Colour per cable class of isa.toml; a cable the table adds later gets the fallback.
constexpr std::pair<std::string_view, std::string_view> kCableColours[] = {
    {"backplane", "#8c8c8c"}, {"copper", "#f28e2b"}, {"optical", "#4e79a7"}};
std::string_view colour(const isa::CableDesc* c) {
  for (const auto& [name, col] : kCableColours)
    if (c && c->name == name) return col;
  return "#e15759";
}

struct Point {
  double x, y;
};

std::string escape(std::string_view s) {
  std::string out;
  for (char ch : s) out += ch == '<' ? "&lt;" : ch == '>' ? "&gt;" : ch == '&' ? "&amp;" : std::string(1, ch);
  return out;
}

// Nodes around a big circle; `inner` > 0 puts each node's chips on a small circle around the node's centre.
struct Layout {
  double size = 0;
  std::vector<Point> node_at, chip_at;
};

Layout layout(const Topology& t, double inner) {
  const uint32_t nodes = node_count(t);
  std::vector<std::vector<uint32_t>> members(nodes);
  for (uint32_t c = 0; c < t.chips.size(); ++c) members[t.chips[c].node].push_back(c);
  size_t widest = 1;
  for (const auto& m : members) widest = std::max(widest, m.size());
  const double ring = inner > 0 ? std::max(inner, double(widest) * 14 / (2 * std::numbers::pi)) : 3;
  const double big = nodes > 1 ? std::max(3 * ring, double(nodes) * (2 * ring + 16) / (2 * std::numbers::pi)) : 0;
  Layout l;
  l.size = 2 * (big + ring) + 160;
  const Point centre{l.size / 2, l.size / 2 + 20};
  for (uint32_t n = 0; n < nodes; ++n) {
    const double a = 2 * std::numbers::pi * n / std::max<uint32_t>(nodes, 1) - std::numbers::pi / 2;
    l.node_at.push_back({centre.x + big * std::cos(a), centre.y + big * std::sin(a)});
  }
  l.chip_at.resize(t.chips.size());
  for (uint32_t n = 0; n < nodes; ++n)
    for (size_t k = 0; k < members[n].size(); ++k) {
      const double a = 2 * std::numbers::pi * double(k) / double(members[n].size()) - std::numbers::pi / 2;
      l.chip_at[members[n][k]] = {l.node_at[n].x + ring * std::cos(a), l.node_at[n].y + ring * std::sin(a)};
    }
  return l;
}

std::string line(Point a, Point b, std::string_view col, double width, double opacity) {
  return fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"{}\" "
      "stroke-opacity=\"{}\"/>\n",
      a.x, a.y, b.x, b.y, col, width, opacity);
}

// Chips as boxes with their numbers, local links under global ones.
std::string chips_picture(const Topology& t, const Layout& l) {
  std::string s;
  for (int pass = 0; pass < 2; ++pass)
    for (const Link& k : t.links) {
      const bool local = t.chips[k.a.chip].node == t.chips[k.b.chip].node;
      if (local == (pass == 0))
        s += line(l.chip_at[k.a.chip], l.chip_at[k.b.chip], colour(k.cable), local ? 0.6 : 0.8, local ? 0.8 : 0.5);
    }
  for (uint32_t c = 0; c < t.chips.size(); ++c) {
    const Point p = l.chip_at[c];
    s += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"9\" height=\"9\" fill=\"{}\" stroke=\"black\" stroke-width=\"0.5\">"
        "<title>chip {} node {} clock {:+.3f} ppm</title></rect>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"5\" text-anchor=\"middle\">{}</text>\n",
        p.x - 4.5, p.y - 4.5, c == t.root ? "#ffd966" : "white", c, t.chips[c].node, t.chips[c].clock_ppm, p.x,
        p.y + 1.8, c);
  }
  for (size_t n = 0; n < l.node_at.size() && l.node_at.size() > 1; ++n)
    s +=
        fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"7\" text-anchor=\"middle\" fill=\"#555\">n{}</text>\n",
                    l.node_at[n].x, l.node_at[n].y + 2.5, n);
  return s;
}

// Above kSvgChipLimit: nodes as dots, the links between two nodes as one line per cable class.
std::string nodes_picture(const Topology& t, const Layout& l) {
  std::map<std::tuple<uint32_t, uint32_t, const isa::CableDesc*>, size_t> merged;
  for (const Link& k : t.links) {
    const uint32_t na = t.chips[k.a.chip].node, nb = t.chips[k.b.chip].node;
    if (na != nb) ++merged[{std::min(na, nb), std::max(na, nb), k.cable}];
  }
  std::string s;
  for (const auto& [key, count] : merged)
    s += line(l.node_at[std::get<0>(key)], l.node_at[std::get<1>(key)], colour(std::get<2>(key)), 0.3, 0.25);
  for (size_t n = 0; n < l.node_at.size(); ++n)
    s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2\" fill=\"black\"><title>node {}</title></circle>\n",
                     l.node_at[n].x, l.node_at[n].y, n);
  return s;
}

}  // namespace

std::string topology_svg(const Topology& t, const isa::Config& cfg) {
  const bool summary = t.chips.size() > kSvgChipLimit;
  const Layout l = layout(t, summary ? 0 : 22);
  const Summary sum = summarize(t, cfg);
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{0:.0f}\" font-family=\"monospace\" "
      "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"8\" y=\"18\" font-size=\"14\">{1}: {2} chips, {3} nodes, {4} links; diameter {5} hops, HAC tree "
      "depth {6} from chip {7}{8}</text>\n",
      l.size + 40, escape(t.name), sum.chips, sum.nodes, sum.links, sum.diameter, sum.tree_depth, t.root,
      summary ? " (summary: nodes as dots, links between nodes merged)" : "");
  for (size_t i = 0; i < sum.cables.size(); ++i) {
    const CableUse& c = sum.cables[i];
    const double y = 40 + 16 * double(i);
    s += line({8, y - 4}, {32, y - 4}, colour(c.cable), 3, 1);
    s += fmt::format("<text x=\"38\" y=\"{}\">{}: {} links, hop {} cycles ({})</text>\n", y, c.cable->name, c.links,
                     c.hop_cycles, escape(c.cable->summary));
  }
  s += summary ? nodes_picture(t, l) : chips_picture(t, l);
  s += "</svg>\n";
  return s;
}

}  // namespace tsp::topo
