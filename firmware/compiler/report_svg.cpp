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

namespace {

constexpr double kLeft = 110, kWidth = 1100, kRow = 14;

// One chip's queue rows from y = top on: labels ("<prefix>MEM.W.3") and a bar per run.
// Returns the rows drawn.
size_t chip_rows(std::string& s, const Compiled& c, const isa::Config& cfg, double cycles, double top,
                 const std::string& prefix) {
  std::map<uint16_t, size_t> row;  // queue -> row, in queue table order
  for (const Timed& r : c.timed) row[r.queue] = 0;
  size_t i = 0;
  for (auto& [q, rix] : row) rix = i++;
  for (const auto& [q, r] : row)
    s += fmt::format("<text x=\"4\" y=\"{}\">{}{}</text>\n", top + kRow * double(r) + 10, prefix,
                     cfg.queue_table[q].name);
  for (const Timed& r : c.timed) {
    const double x = kLeft + kWidth * double(r.t) / cycles, w = std::max(0.5, kWidth * double(r.span()) / cycles);
    s += fmt::format(
        "<rect x=\"{:.2f}\" y=\"{}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\"><title>{}{}: {} x{} at "
        "{}</title></rect>\n",
        x, top + kRow * double(row[r.queue]) + 1, w, kRow - 2, colour(cfg.queue_table[r.queue].unit), prefix,
        escape(c.chains[r.chain]), escape(isa::format(r.instr)), r.count, r.t);
  }
  return row.size();
}

std::string header(double height, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"monospace\" "
      "font-size=\"10\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"4\" y=\"14\" font-size=\"12\">{}</text>\n",
      kLeft + kWidth + 20, height, escape(title));
}

}  // namespace

std::string schedule_svg(const Compiled& c, const isa::Config& cfg) {
  const double cycles = std::max<double>(1, double(c.predicted_cycles));
  const double top = 40;
  std::string rows;
  const size_t n = chip_rows(rows, c, cfg, cycles, top, "");
  std::string s = header(top + kRow * double(n) + 60,
                         fmt::format("{}: {} cycles ({:.2f} us at {} MHz); {}", cfg.name, c.predicted_cycles,
                                     cycles / cfg.clock_mhz, cfg.clock_mhz, c.bound.summary(c.predicted_cycles)));
  s += rows;
  double lx = 4;
  const double ly = top + kRow * double(n) + 30;
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

std::string system_schedule_svg(const SystemCompiled& sys, const topo::Topology& t, const isa::Config& cfg) {
  const double cycles = std::max<double>(1, double(sys.predicted_cycles));
  double top = 40;
  std::string rows;
  for (uint32_t c = 0; c < sys.chips.size(); ++c) {
    rows += fmt::format("<line x1=\"0\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#bbbbbb\"/>\n", kLeft + kWidth, top - 2,
                        top - 2);
    top += kRow * double(chip_rows(rows, sys.chips[c], cfg, cycles, top, fmt::format("c{} ", c))) + 6;
  }
  // Links: a row per direction that carries frames, a bar from each SEND to its RECV (the hop).
  std::map<std::pair<uint32_t, uint16_t>, std::vector<Cycle>> sends;  // (chip, port) -> SEND cycles
  for (uint32_t c = 0; c < sys.chips.size(); ++c)
    for (const Timed& r : sys.chips[c].timed)
      if (r.instr.op == isa::Op::SEND) {
        const std::string& q = std::string(cfg.queue_table[r.queue].name);
        sends[{c, uint16_t(std::stoul(q.substr(q.find('.') + 1)))}].push_back(r.t);
      }
  size_t link_rows = 0;
  for (const auto& [from, at] : sends) {
    const auto end = t.at(topo::Port{from.first, from.second});
    if (!end) continue;
    const topo::Port to = t.far_end(*end);
    const uint32_t hop = isa::c2c_hop_cycles(cfg, *t.links[end->link].cable);
    const double y = top + kRow * double(link_rows++);
    rows +=
        fmt::format("<text x=\"4\" y=\"{}\">{}.{} > {}.{}</text>\n", y + 10, from.first, from.second, to.chip, to.link);
    for (Cycle s0 : at)
      rows += fmt::format(
          "<rect x=\"{:.2f}\" y=\"{}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.35\"><title>frame "
          "chip {} port {} at {} to chip {} port {} at {}</title></rect>\n",
          kLeft + kWidth * double(s0) / cycles, y + 1, std::max(0.5, kWidth * double(hop) / cycles), kRow - 2,
          colour(isa::Unit::C2C), from.first, from.second, s0, to.chip, to.link, s0 + hop);
  }
  top += kRow * double(link_rows);
  std::string s = header(top + 40, fmt::format("{} chips of {} ({}): {} cycles ({:.2f} us at {} MHz); a band per "
                                               "chip, then a row per link direction (frames from SEND to RECV)",
                                               sys.chips.size(), t.name, cfg.name, sys.predicted_cycles,
                                               cycles / cfg.clock_mhz, cfg.clock_mhz));
  return s + rows +
         fmt::format("<text x=\"4\" y=\"{}\">cycle 0 .. {}</text>\n</svg>\n", top + 20, sys.predicted_cycles);
}

}  // namespace tsp::compiler
