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

}  // namespace

std::string WaveVar::full_name() const {
  std::string s;
  for (const auto& part : scope) s += part + ".";
  s += name;
  if (width > 1) s += fmt::format("[{}:0]", width - 1);
  return s;
}

std::vector<WaveVar> wave_layout(const image::Image& img, const isa::Config& cfg) {
  const auto addr_bits = static_cast<uint32_t>(std::bit_width(cfg.mem_addresses - 1));
  std::vector<WaveVar> vars;
  for (uint32_t chip = 0; chip < img.chips.size(); ++chip) {
    const std::string top = fmt::format("chip{}", chip);
    vars.push_back({{top}, "cycle", 64, Show::Dec, Role::Cycle, chip, 0});
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
  return vars;
}

}  // namespace tsp::waves
