// `tsp isa`: the instruction set reference, printed from the generated table.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "firmware/isa/isa.hpp"
#include "tb/commands.hpp"

namespace tsp::cli {
namespace {

std::string operands(const isa::OpDesc& d) {
  std::string s;
  for (const auto& f : d.fields) {
    if (f.kind == isa::FieldKind::Type && f.name == "type") continue;
    s += fmt::format("{}{}[{}:{}]", s.empty() ? "" : ", ", f.name, f.lsb + f.width - 1, f.lsb);
  }
  return s;
}

std::string types(const isa::OpDesc& d) {
  std::string s;
  for (const auto& t : isa::kDTypes)
    if (d.type_mask >> static_cast<unsigned>(t.type) & 1u) s += fmt::format("{}{}", s.empty() ? "" : ",", t.name);
  return s;
}

}  // namespace

void add_isa(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("isa", "Print the instruction set: opcodes, operand bits, latencies");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Machine-readable output");
  cmd->callback([json, &exit_code] {
    if (*json) {
      nlohmann::json ops = nlohmann::json::array();
      for (const auto& d : isa::kOps) {
        nlohmann::json fields = nlohmann::json::array();
        for (const auto& f : d.fields) fields.push_back({{"name", f.name}, {"lsb", f.lsb}, {"width", f.width}});
        ops.push_back({{"mnemonic", d.mnemonic},
                       {"opcode", static_cast<int>(d.op)},
                       {"unit", isa::unit_name(d.unit)},
                       {"latency", d.latency},
                       {"types", types(d)},
                       {"fields", fields},
                       {"summary", d.summary}});
      }
      fmt::print("{}\n", ops.dump(2));
    } else {
      fmt::print("{:<11}{:<6}{:<5}{:>4}  {:<44}{}\n", "mnemonic", "code", "unit", "lat", "operands [bits]", "types");
      for (const auto& d : isa::kOps)
        fmt::print("{:<11}0x{:02x}  {:<5}{:>4}  {:<44}{}\n    {}\n", d.mnemonic, static_cast<int>(d.op),
                   isa::unit_name(d.unit), d.latency, operands(d), types(d), d.summary);
    }
    exit_code = 0;
  });
}

}  // namespace tsp::cli
