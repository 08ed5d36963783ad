#include "systemc/waves/gtkw.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"

namespace tsp::waves {
namespace {

// GTKWave trace flags (its analyzer.h): display bases, right-justify, group markers.
constexpr unsigned kHex = 0x2, kDec = 0x4, kBin = 0x8, kRjustify = 0x20, kBlank = 0x200, kAscii = 0x800;
constexpr unsigned kCollapsed = 0x1000, kClosed = 0x400000, kGroupBegin = 0x800000, kGroupEnd = 0x1000000;
constexpr unsigned kSigned = 0x400;

// Window geometry: the wave pane is what is left of the window next to the tree and names.
constexpr int kWidth = 1600, kHeight = 900, kTreeWidth = 220, kNamesWidth = 340;

unsigned flags(Show show) {
  switch (show) {
    case Show::Text:
      return kAscii | kRjustify;
    case Show::Hex:
      return kHex | kRjustify;
    case Show::Dec:
      return kDec | kRjustify;
    case Show::Bin:
      return kBin | kRjustify;
    case Show::Signed:
      return kDec | kSigned | kRjustify;
  }
  return kHex;
}

// GTKWave's zoom z shows about 2^-z / 200 time units per pixel (measured with
// scripts/wave-png on 3.3.118): the largest zoom at which the whole span fits.
double zoom_to_fit(uint64_t span_ps) {
  const double pane = kWidth - kTreeWidth - kNamesWidth - 60;
  return -std::ceil(std::log2(std::max(1.0, double(span_ps) * 200.0 / pane)));
}

}  // namespace

void write_gtkw(const std::string& gtkw_path, const GtkwView& view, const std::vector<WaveVar>& vars) {
  namespace fs = std::filesystem;
  std::ofstream out(gtkw_path);
  out << "[*] GTKWave save file written by `tsp run --wave` (tsp-cosim); open: gtkwave " << gtkw_path << "\n";
  out << fmt::format("[dumpfile] \"{}\"\n", fs::absolute(view.fst_path).string());
  out << fmt::format("[savefile] \"{}\"\n", fs::absolute(gtkw_path).string());
  out << fmt::format("[timestart] {}\n[size] {} {}\n[pos] -1 -1\n", view.from_ps, kWidth, kHeight);
  // Zoom, primary marker at the window's first cycle, named markers A (first cycle) and B (end), C..Z unset.
  out << fmt::format("*{:.6f} {} {} {}", zoom_to_fit(view.to_ps - view.from_ps), view.from_ps, view.from_ps,
                     view.to_ps);
  for (int i = 2; i < 26; ++i) out << " -1";
  out << "\n";
  out << fmt::format("[sst_width] {}\n[signals_width] {}\n[sst_expanded] 1\n[sst_vpaned_height] 250\n", kTreeWidth,
                     kNamesWidth);
  for (size_t i = 0; i < vars.size(); ++i)  // each chip's scope (a --wave-chips wave has some of them)
    if (vars[i].scope[0] != "links" && (i == 0 || vars[i].scope[0] != vars[i - 1].scope[0]))
      out << fmt::format("[treeopen] {}.\n", vars[i].scope[0]);
  if (std::any_of(vars.begin(), vars.end(), [](const WaveVar& v) { return v.scope[0] == "links"; }))
    out << "[treeopen] links.\n";

  // Groups: level 1 is the hemisphere, the clock or the link (scope[1]),
  // level 2 the unit or the link's direction (scope[2]). A closed group's
  // traces are collapsed, as GTKWave itself saves them.
  struct Group {
    std::string name;
    bool closed;  // shown closed
    bool hidden;  // inside a closed group, this one included
  };
  std::vector<Group> groups;
  auto line_flags = [](bool closed, bool collapsed) { return (closed ? kClosed : 0) | (collapsed ? kCollapsed : 0); };
  auto close_to = [&](size_t depth) {
    for (; groups.size() > depth; groups.pop_back())
      out << fmt::format("@{:x}\n-{}\n", kGroupEnd | kBlank | line_flags(groups.back().closed, groups.back().hidden),
                         groups.back().name);
  };
  auto is_closed = [&](const WaveVar& v, size_t level) {
    const std::vector<std::string> scope(v.scope.begin(), v.scope.begin() + std::ptrdiff_t(level) + 2);
    return std::find(view.closed.begin(), view.closed.end(), scope) != view.closed.end();
  };
  // Links first: a view of a system is about them (the FST keeps the chips first).
  std::vector<const WaveVar*> order;
  for (const WaveVar& v : vars) order.push_back(&v);
  std::stable_partition(order.begin(), order.end(), [](const WaveVar* v) { return v->scope[0] == "links"; });
  unsigned last_flags = 0;
  for (const WaveVar* pv : order) {
    const WaveVar& v = *pv;
    const size_t levels = std::min<size_t>(2, v.scope.size() - 1);  // 0: a chip-level variable, outside every group
    close_to(std::min(levels, groups.size()));
    for (size_t level = 0; level < levels; ++level) {
      std::string name = v.scope[level + 1];
      if (level == 0 && view.chips > 1 && v.scope[0] != "links") name = v.scope[0] + " " + name;
      if (groups.size() > level && groups[level].name == name) continue;
      close_to(level);
      const bool outer_hidden = !groups.empty() && groups.back().hidden;
      const bool closed = is_closed(v, level);
      out << fmt::format("@{:x}\n-{}\n", kGroupBegin | kBlank | line_flags(closed, outer_hidden), name);
      groups.push_back({name, closed, closed || outer_hidden});
      last_flags = 0;
    }
    const unsigned f = flags(v.show) | line_flags(false, !groups.empty() && groups.back().hidden);
    if (f != last_flags) out << fmt::format("@{:x}\n", f);
    last_flags = f;
    // Aliased to "<queue> <name>": GTKWave would show only the last part of the name.
    if (v.scope.size() > 1) out << "+{" << v.scope.back() << " " << v.name << "} ";
    out << v.full_name() << "\n";
  }
  close_to(0);
  out << "[pattern_trace] 1\n[pattern_trace] 0\n";
  if (!out) throw Error(fmt::format("cannot write {}", gtkw_path));
}

}  // namespace tsp::waves
