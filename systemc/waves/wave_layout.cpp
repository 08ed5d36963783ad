#include "systemc/waves/wave_layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <tuple>

namespace tsp::waves {
namespace {

// Scope order: hemispheres west to east, then the chip-to-chip links.
constexpr std::array<std::string_view, 4> kHemispheres = {"west", "centre", "east", "c2c"};
constexpr std::array<isa::Unit, 5> kUnits = {isa::Unit::MEM, isa::Unit::SXM, isa::Unit::MXM, isa::Unit::VXM,
                                             isa::Unit::C2C};

size_t hemisphere_rank(const isa::QueueDesc& q) {
  if (q.unit == isa::Unit::C2C) return 3;
  return q.hemisphere == 0 ? 0 : q.hemisphere == 2 ? 1 : 2;  // QueueDesc: 0 west, 1 east, 2 centre
}

size_t unit_rank(isa::Unit u) { return size_t(std::find(kUnits.begin(), kUnits.end(), u) - kUnits.begin()); }

std::string scope_name(std::string_view queue) {
  std::string s(queue);
  std::replace(s.begin(), s.end(), '.', '_');
  return s;
}

// A link is declared when the C2C queue of its port holds code on either chip
// and either chip is shown.
void add_links(std::vector<WaveVar>& vars, const image::Image& img, const isa::Config& cfg, const topo::Topology& t,
               const std::vector<bool>& shown) {
  auto has_code = [&](const topo::Port& p) {
    for (const auto& qp : img.chips.at(p.chip).queues) {
      const isa::QueueDesc& q = cfg.queue_table[qp.queue];
      if (!qp.words.empty() && q.unit == isa::Unit::C2C && q.index == p.link) return true;
    }
    return false;
  };
  for (uint32_t i = 0; i < t.links.size(); ++i) {
    if (!has_code(t.links[i].a) && !has_code(t.links[i].b)) continue;
    if (!shown.empty() && !shown.at(t.links[i].a.chip) && !shown.at(t.links[i].b.chip)) continue;
    for (bool from_b : {false, true}) {
      std::vector<std::string> scope = link_scope(t, i);
      scope.push_back(from_b ? "b_to_a" : "a_to_b");
      auto add = [&](std::string name, uint32_t width, Show show, Role role) {
        WaveVar v{scope, std::move(name), width, show, role, 0, 0};
        v.link = i;
        v.from_b = from_b;
        vars.push_back(std::move(v));
      };
      add("frame", 0, Show::Text, Role::Frame);
      add("in_flight", 16, Show::Dec, Role::InFlight);
      add("landed", 1, Show::Bin, Role::Landed);
      add("bit_errors", 16, Show::Dec, Role::BitErrors);
      add("fec", 0, Show::Text, Role::Fec);
    }
  }
}

}  // namespace

std::string WaveVar::full_name() const {
  std::string s;
  for (const auto& part : scope) s += part + ".";
  s += name;
  if (width > 1) s += fmt::format("[{}:0]", width - 1);
  return s;
}

std::vector<std::string> link_scope(const topo::Topology& t, uint32_t link) {
  const topo::Link& l = t.links.at(link);
  return {"links", fmt::format("link{}_c{}p{}_c{}p{}", link, l.a.chip, l.a.link, l.b.chip, l.b.link)};
}

std::vector<WaveVar> wave_layout(const image::Image& img, const isa::Config& cfg, const topo::Topology* topology,
                                 const std::vector<bool>& shown) {
  const auto addr_bits = static_cast<uint32_t>(std::bit_width(cfg.mem_addresses - 1));
  std::vector<WaveVar> vars;
  for (uint32_t chip = 0; chip < img.chips.size(); ++chip) {
    if (!shown.empty() && !shown.at(chip)) continue;
    const std::string top = fmt::format("chip{}", chip);
    vars.push_back({{top}, "cycle", 64, Show::Dec, Role::Cycle, chip, 0});
    if (topology) {
      // The chip's own counter again (an alias), next to the schedule's and what told them apart.
      const std::vector<std::string> clock = {top, "clock"};
      vars.push_back({clock, "cycle", 64, Show::Dec, Role::Cycle, chip, 0});
      vars.push_back({clock, "sac", 64, Show::Dec, Role::Sac, chip, 0});
      vars.push_back({clock, "drift", 32, Show::Signed, Role::Drift, chip, 0});
      vars.push_back({clock, "hac_epoch", 1, Show::Bin, Role::HacEpoch, chip, 0});
    }
    std::vector<uint16_t> used;
    for (const auto& qp : img.chips[chip].queues)
      if (!qp.words.empty()) used.push_back(qp.queue);
    std::stable_sort(used.begin(), used.end(), [&](uint16_t a, uint16_t b) {
      const auto &qa = cfg.queue_table[a], &qb = cfg.queue_table[b];
      return std::tuple(hemisphere_rank(qa), unit_rank(qa.unit), qa.index) <
             std::tuple(hemisphere_rank(qb), unit_rank(qb.unit), qb.index);
    });
    for (uint16_t id : used) {
      const isa::QueueDesc& q = cfg.queue_table[id];
      const std::vector<std::string> scope = {top, std::string(kHemispheres[hemisphere_rank(q)]),
                                              std::string(isa::unit_name(q.unit)), scope_name(q.name)};
      auto add = [&](std::string name, uint32_t width, Show show, Role role) {
        vars.push_back({scope, std::move(name), width, show, role, chip, id});
      };
      add("instr", 0, Show::Text, Role::Instr);
      add("opcode", 8, Show::Hex, Role::Opcode);
      add("index", 32, Show::Dec, Role::Index);
      add("streams_e", cfg.streams_per_direction, Show::Hex, Role::StreamsE);
      add("streams_w", cfg.streams_per_direction, Show::Hex, Role::StreamsW);
      if (q.unit == isa::Unit::MEM) {
        add("sram_rd_addr", addr_bits, Show::Hex, Role::SramRd);
        add("sram_wr_addr", addr_bits, Show::Hex, Role::SramWr);
      }
    }
  }
  if (topology) add_links(vars, img, cfg, *topology, shown);
  return vars;
}

}  // namespace tsp::waves
