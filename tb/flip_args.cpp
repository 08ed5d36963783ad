// Command-line SRAM and link flips (tb/flip_args.hpp).
#include "tb/flip_args.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <random>
#include <regex>
#include <string_view>
#include <utility>

#include "common/error.hpp"
#include "systemc/mem/secded.hpp"

namespace tsp::cli {

namespace {

constexpr std::string_view kFlipForm =
    "[CHIP/]SLICE:ADDRESS:SUPERLANE:BIT@CYCLE, e.g. MEM.W.3:0x10:2:7@100 or 1/MEM.W.3:0x10:2:7@100";

// One --flip; returns its chip and the flip.
std::pair<size_t, model::Flip> parse_flip(const isa::Config& cfg, const std::string& text, const std::string& cmd,
                                          size_t chips) {
  static const std::regex re(R"((?:(\d{1,9})/)?([A-Za-z]+\.[EWew]\.\d+):(\w+):(\d+):(\d+)@(\d+))");
  std::smatch m;
  if (!std::regex_match(text, m, re))
    throw Error(fmt::format("{}: error: --flip '{}': expected {}", cmd, text, kFlipForm));
  const size_t chip = m[1].matched ? std::stoul(m[1].str()) : 0;
  if (chip >= chips)
    throw Error(fmt::format("{}: error: --flip '{}': no chip {} (the image has {} chip{})", cmd, text, chip, chips,
                            chips == 1 ? "" : "s"));
  const auto q = isa::find_queue(cfg, m[2].str());
  if (!q || cfg.queue_table[*q].unit != isa::Unit::MEM)
    throw Error(fmt::format("{}: error: --flip '{}': no MEM slice {}", cmd, text, m[2].str()));
  model::Flip f;
  f.slice = isa::mem_slice_of(cfg.queue_table[*q], cfg);
  f.address = static_cast<uint32_t>(std::stoul(m[3].str(), nullptr, 0));
  f.superlane = static_cast<uint32_t>(std::stoul(m[4].str()));
  f.bit = static_cast<uint32_t>(std::stoul(m[5].str()));
  f.at = std::stoull(m[6].str());
  if (f.address >= cfg.mem_addresses || f.superlane >= cfg.superlanes || f.bit >= model::secded::kCodeBits)
    throw Error(fmt::format("{}: error: --flip '{}': address < {}, superlane < {}, bit < {} required", cmd, text,
                            cfg.mem_addresses, cfg.superlanes, model::secded::kCodeBits));
  return {chip, f};
}

}  // namespace

std::vector<std::vector<model::Flip>> parse_flips(const isa::Config& cfg, const std::vector<std::string>& texts,
                                                  const std::string& cmd, size_t chips) {
  std::vector<std::vector<model::Flip>> out(chips);
  for (const auto& t : texts) {
    const auto [chip, f] = parse_flip(cfg, t, cmd, chips);
    out[chip].push_back(f);
  }
  return out;
}

// Random flips at `rate` per million cycles over the whole SRAM, reproducible from the seed.
std::vector<model::Flip> random_flips(const isa::Config& cfg, double rate, uint64_t horizon, uint64_t seed) {
  std::vector<model::Flip> out;
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> gap(rate / 1e6);
  for (double t = gap(rng); t < double(horizon); t += gap(rng))
    out.push_back({static_cast<model::Cycle>(t), static_cast<uint16_t>(rng() % cfg.mem_slices),
                   static_cast<uint32_t>(rng() % cfg.mem_addresses), static_cast<uint32_t>(rng() % cfg.superlanes),
                   static_cast<uint32_t>(rng() % model::secded::kCodeBits)});
  return out;
}

model::LinkFlip parse_link_flip(const isa::Config& cfg, const std::string& text, const std::string& cmd) {
  model::LinkFlip f;
  unsigned long long chip = 0, port = 0, cycle = 0, bit = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%llu.%llu:%llu:%llu%c", &chip, &port, &cycle, &bit, &tail) != 4)
    throw Error(fmt::format("{}: error: --link-flip {}: expected CHIP.PORT:CYCLE:BIT, e.g. 0.3:120:17", cmd, text));
  if (port >= cfg.c2c_links)
    throw Error(fmt::format("{}: error: --link-flip {}: port {} out of range (a {} chip has {} links)", cmd, text, port,
                            cfg.name, cfg.c2c_links));
  if (bit >= cfg.c2c_frame_bits)
    throw Error(fmt::format("{}: error: --link-flip {}: bit {} out of range (a {} frame has {} bits)", cmd, text, bit,
                            cfg.name, cfg.c2c_frame_bits));
  f.chip = static_cast<uint32_t>(chip);
  f.port = static_cast<uint16_t>(port);
  f.cycle = cycle;
  f.bit = static_cast<uint32_t>(bit);
  return f;
}

}  // namespace tsp::cli
