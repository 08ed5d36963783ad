// The port index, the whole-system checks and where a topology comes from
// (a built-in name or a file).
#include "firmware/topology/topology.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "firmware/topology/generators.hpp"
#include "firmware/topology/wiring.hpp"

namespace tsp::topo {
namespace {

// "dragonfly33" -> its family and number; nullopt for anything else.
std::optional<Spec> builtin_spec(std::string_view name) {
  for (const Family& f : kFamilies) {
    if (!name.starts_with(f.name)) continue;
    const std::string_view rest = name.substr(f.name.size());
    if (!f.max_n) {
      if (rest.empty()) return Spec{f.kind, 1, nullptr};
      continue;
    }
    uint32_t n = 0;
    const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (rest.empty() || ec != std::errc() || p != rest.data() + rest.size() || n < f.min_n || n > f.max_n) continue;
    return Spec{f.kind, n, nullptr};
  }
  return std::nullopt;
}

std::string builtin_names() {
  std::string names;
  for (const Family& f : kFamilies)
    names += (names.empty() ? "" : ", ") +
             (f.max_n ? fmt::format("{}{}..{}{}", f.name, f.min_n, f.name, f.max_n) : std::string(f.name));
  return names;
}

}  // namespace

std::optional<Topology::End> Topology::at(Port p) const {
  if (p.chip >= chips.size()) return std::nullopt;
  if (indexed_links_ != links.size() || index_.size() != size_t(ports_) * chips.size() || index_.empty()) {
    ports_ = 1;
    for (const Link& l : links) ports_ = std::max<uint32_t>(ports_, std::max(l.a.link, l.b.link) + 1u);
    index_.assign(size_t(ports_) * chips.size(), std::nullopt);
    for (size_t i = 0; i < links.size(); ++i) {
      // Out-of-range ends (a topology not yet validated) are left out of the index.
      if (links[i].a.chip < chips.size()) index_[size_t(links[i].a.chip) * ports_ + links[i].a.link] = End{i, true};
      if (links[i].b.chip < chips.size()) index_[size_t(links[i].b.chip) * ports_ + links[i].b.link] = End{i, false};
    }
    indexed_links_ = links.size();
  }
  if (p.link >= ports_) return std::nullopt;
  return index_[size_t(p.chip) * ports_ + p.link];
}

void validate_structure(const Topology& t, const isa::Config& cfg) {
  if (t.chips.empty() || t.chips.size() > kMaxChips)
    throw located(t.where, fmt::format("{} chips: out of range (1..{})", t.chips.size(), kMaxChips));
  if (t.root >= t.chips.size())
    throw located(t.where, fmt::format("root chip {} out of range (the system has {} chips)", t.root, t.chips.size()));
  for (size_t c = 0; c < t.chips.size(); ++c)
    if (!(std::abs(t.chips[c].clock_ppm) <= kMaxClockPpm))
      throw located(t.chips[c].where, fmt::format("chip {}: clock offset {} ppm out of range (|ppm| <= {})", c,
                                                  t.chips[c].clock_ppm, kMaxClockPpm));
  Wiring w(t, cfg);
  for (size_t i = 0; i < t.links.size(); ++i) w.check_existing(i);
  const std::vector<TreeEdge> tree = spanning_tree(t);
  size_t unreached = 0, first = 0;
  for (size_t c = tree.size(); c-- > 0;)
    if (!tree[c].reached) ++unreached, first = c;
  if (unreached)
    throw located(t.where, fmt::format("the system is not connected: the HAC spanning tree from root chip {} cannot "
                                       "reach chip {} ({} of {} chips unreachable)",
                                       t.root, first, unreached, t.chips.size()));
}

void validate(const Topology& t, const isa::Config& cfg, uint32_t image_chips) {
  validate_structure(t, cfg);
  if (t.chips.size() != image_chips)
    throw located(t.where, fmt::format("the topology has {} chips but the image has {}", t.chips.size(), image_chips));
}

bool is_builtin(std::string_view name) { return builtin_spec(name).has_value(); }

Topology builtin_topology(std::string_view name, const isa::Config& cfg) {
  const std::optional<Spec> spec = builtin_spec(name);
  if (!spec)
    throw Error(fmt::format("error: unknown topology '{}' (built-ins: {}; anything else is read as a file)", name,
                            builtin_names()));
  Topology t;
  t.name = std::string(name);
  generate(*spec, t, cfg, "builtin " + t.name);
  validate_structure(t, cfg);
  check_shape(t, shape_of(*spec));
  return t;
}

Topology read_topology_file(const std::string& path, const isa::Config& cfg) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: error: cannot open topology file", path));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_topology(text.str(), path, cfg);
}

Topology load_topology(std::string_view name_or_file, const isa::Config& cfg) {
  if (is_builtin(name_or_file)) return builtin_topology(name_or_file, cfg);
  const std::string path(name_or_file);
  // A bare word that is no file was meant as a name: say which names exist.
  if (!std::filesystem::exists(path) && path.find_first_of("/.") == std::string::npos)
    return builtin_topology(name_or_file, cfg);
  return read_topology_file(path, cfg);
}

}  // namespace tsp::topo
