#pragma once
// Adding links one at a time with every per-link check (chip and port in
// range, not to itself, no port wired twice), so that the parser and the
// generators report a mistake at the line or built-in that made it.
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "firmware/topology/topology.hpp"

namespace tsp::topo {

class Wiring {
 public:
  Wiring(Topology& t, const isa::Config& cfg);        // adds links to t
  Wiring(const Topology& t, const isa::Config& cfg);  // only checks t's links
  // Appends the link; tsp::Error "{where}: error: ..." if it breaks a rule.
  void link(Port a, Port b, const isa::CableDesc& cable, const std::string& where);
  // Checks a link already in t.links (validate_structure) the same way.
  void check_existing(size_t link);

 private:
  void check(const Link& l, size_t index);
  void check_port(Port p, const std::string& where) const;

  const Topology& t_;
  Topology* out_ = nullptr;
  const isa::Config& cfg_;
  std::vector<std::optional<size_t>> used_;  // chip * ports + port -> link index
};

// "{where}: error: {why}" as a tsp::Error.
Error located(const std::string& where, const std::string& why);
// "copper, backplane, optical": the cable names of the table, for messages.
std::string cable_names();
// A cable by name, or a located error listing the known ones.
const isa::CableDesc& cable_or_throw(std::string_view name, const std::string& where);

}  // namespace tsp::topo
