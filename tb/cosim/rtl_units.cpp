// The registry of Verilated unit adapters: one declaration and one table line
// per unit (tb/cosim/rtl_<unit>.cpp defines make_rtl_<unit>).
#include "tb/cosim/rtl_units.hpp"

#include "tb/cosim/rtl_mxm.hpp"
#include "tb/cosim/rtl_sxm.hpp"

namespace tsp::cosim {

std::unique_ptr<RtlUnit> make_rtl_mem(const UnitContext& ctx);
std::unique_ptr<RtlUnit> make_rtl_icu(const UnitContext& ctx);
std::unique_ptr<RtlUnit> make_rtl_vxm(const UnitContext& ctx);

const std::vector<RtlUnitEntry>& rtl_units() {
  static const std::vector<RtlUnitEntry> all = {
      {"mem", isa::Unit::MEM, &make_rtl_mem},
      {"mxm", isa::Unit::MXM, [](const UnitContext& c) { return make_rtl_mxm(c.planted); }},
      {"sxm", isa::Unit::SXM, [](const UnitContext& c) { return make_rtl_sxm(c.planted); }},
      {"icu", isa::Unit::ICU, &make_rtl_icu},
      {"vxm", isa::Unit::VXM, &make_rtl_vxm},
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
