#include "firmware/topology/wiring.hpp"

#include <fmt/format.h>

#include <utility>

#include "common/error.hpp"

namespace tsp::topo {

Error located(const std::string& where, const std::string& why) {
  return Error(fmt::format("{}: error: {}", where, why));
}

std::string cable_names() {
  std::string names;
  for (const auto& c : isa::kCables) names += (names.empty() ? "" : ", ") + std::string(c.name);
  return names;
}

const isa::CableDesc& cable_or_throw(std::string_view name, const std::string& where) {
  const isa::CableDesc* c = isa::find_cable(name);
  if (!c) throw located(where, fmt::format("unknown cable '{}' ({})", name, cable_names()));
  return *c;
}

Wiring::Wiring(const Topology& t, const isa::Config& cfg) : t_(t), cfg_(cfg), used_(t.chips.size() * cfg.c2c_links) {}

Wiring::Wiring(Topology& t, const isa::Config& cfg) : Wiring(std::as_const(t), cfg) { out_ = &t; }

void Wiring::check_port(Port p, const std::string& where) const {
  if (p.chip >= t_.chips.size())
    throw located(where, fmt::format("chip {} out of range (the system has {} chips: 0..{})", p.chip, t_.chips.size(),
                                     t_.chips.size() - 1));
  if (p.link >= cfg_.c2c_links)
    throw located(where, fmt::format("port {}.{} out of range ({} chips have {} ports: 0..{})", p.chip, p.link,
                                     cfg_.name, cfg_.c2c_links, cfg_.c2c_links - 1));
}

void Wiring::check(const Link& l, size_t index) {
  check_port(l.a, l.where);
  check_port(l.b, l.where);
  if (l.a.chip == l.b.chip)
    throw located(l.where, fmt::format("link from chip {} to itself ({}.{} - {}.{})", l.a.chip, l.a.chip, l.a.link,
                                       l.b.chip, l.b.link));
  if (!l.cable) throw located(l.where, "link without a cable");
  for (const Port p : {l.a, l.b}) {
    auto& slot = used_[size_t(p.chip) * cfg_.c2c_links + p.link];
    if (slot)
      throw located(l.where,
                    fmt::format("port {}.{} is wired twice: here and at {}", p.chip, p.link, t_.links[*slot].where));
    slot = index;
  }
}

void Wiring::link(Port a, Port b, const isa::CableDesc& cable, const std::string& where) {
  Link l{a, b, &cable, where};
  check(l, t_.links.size());
  out_->links.push_back(std::move(l));
}

void Wiring::check_existing(size_t link) { check(t_.links[link], link); }

}  // namespace tsp::topo
