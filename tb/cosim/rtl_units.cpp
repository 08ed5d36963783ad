// The registry of Verilated unit adapters: one declaration and one table line
// per unit (tb/cosim/rtl_<unit>.cpp defines make_rtl_<unit>).
#include "tb/cosim/rtl_units.hpp"

namespace tsp::cosim {

std::unique_ptr<RtlUnit> make_rtl_mem(const UnitContext& ctx);

const std::vector<RtlUnitEntry>& rtl_units() {
  static const std::vector<RtlUnitEntry> all = {
      {"mem", isa::Unit::MEM, &make_rtl_mem},
  };
  return all;
}

const RtlUnitEntry* find_rtl_unit(std::string_view name) {
  for (const auto& u : rtl_units())
    if (u.name == name) return &u;
  return nullptr;
}

std::string rtl_unit_names() {
  std::string s;
  for (const auto& u : rtl_units()) s += (s.empty() ? "" : ", ") + std::string(u.name);
  return s;
}

}  // namespace tsp::cosim
