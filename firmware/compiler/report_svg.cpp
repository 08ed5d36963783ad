#include "firmware/compiler/report_svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace tsp::compiler {
namespace {

const char* colour(isa::Unit u) {
  switch (u) {
    case isa::Unit::MEM:
      return "#4e79a7";
    case isa::Unit::VXM:
      return "#f28e2b";
    case isa::Unit::MXM:
      return "#59a14f";
    case isa::Unit::SXM:
      return "#b07aa1";
    case isa::Unit::C2C:
      return "#e15759";
    default:
      return "#999999";
  }
}

std::string escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '<')
      out += "&lt;";
    else if (ch == '>')
      out += "&gt;";
    else if (ch == '&')
      out += "&amp;";
    else
      out += ch;
  }
  return out;
}

}  // namespace

std::string schedule_svg(const Compiled& c, const isa::Config& cfg) {
  std::map<uint16_t, size_t> row;  // queue -> row, in queue table order
  for (const Timed& r : c.timed) row[r.queue] = 0;
  size_t i = 0;
  for (auto& [q, rix] : row) rix = i++;
  const double cycles = std::max<double>(1, double(c.predicted_cycles));
  const double left = 90, width = 1100, rh = 14, top = 40;
  const double height = top + rh * double(row.size()) + 60;
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"monospace\" "
      "font-size=\"10\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"4\" y=\"14\" font-size=\"12\">{}: {} cycles ({:.2f} us at {} MHz); {}</text>\n",
      left + width + 20, height, cfg.name, c.predicted_cycles, cycles / cfg.clock_mhz, cfg.clock_mhz,
      c.bound.summary(c.predicted_cycles));
  for (const auto& [q, r] : row)
    s += fmt::format("<text x=\"4\" y=\"{}\">{}</text>\n", top + rh * double(r) + 10, cfg.queue_table[q].name);
  for (const Timed& r : c.timed) {
    const double x = left + width * double(r.t) / cycles, w = std::max(0.5, width * double(r.span()) / cycles);
    s += fmt::format(
        "<rect x=\"{:.2f}\" y=\"{}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\"><title>{}: {} x{} at "
        "{}</title></rect>\n",
        x, top + rh * double(row[r.queue]) + 1, w, rh - 2, colour(cfg.queue_table[r.queue].unit),
        escape(c.chains[r.chain]), escape(isa::format(r.instr)), r.count, r.t);
  }
  double lx = 4;
  const double ly = top + rh * double(row.size()) + 30;
  for (const auto& [u, use] : c.units) {
    if (!use.busy) continue;
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>", lx, ly - 9, colour(u));
    s += fmt::format("<text x=\"{}\" y=\"{}\">{} {:.1f}%</text>\n", lx + 14, ly, isa::unit_name(u),
                     100 * c.utilisation(u));
    lx += 130;
  }
  s += fmt::format(
      "<text x=\"4\" y=\"{}\">cycle 0 .. {}; utilisation = busy issue slots / (cycles x queues of the unit)</text>\n",
      ly + 18, c.predicted_cycles);
  return s + "</svg>\n";
}

}  // namespace tsp::compiler
