// Options that are ignored unless given with others (tb/option_rules.hpp).
#include "tb/option_rules.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"

namespace tsp::cli {
namespace {

// "--a", "--a or --b", "--a, --b or --c"
std::string either(const std::vector<std::string_view>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += fmt::format("{}{}", i == 0 ? "" : i + 1 == names.size() ? " or " : ", ", names[i]);
  return s;
}

}  // namespace

void check_option_rules(const CLI::App& cmd, std::string_view command, std::span<const OptionRule> rules) {
  const auto given = [&](std::string_view name) { return cmd.count(std::string(name)) > 0; };
  for (const OptionRule& r : rules) {
    if (!given(r.option)) continue;
    if (!r.needs_any.empty() && std::none_of(r.needs_any.begin(), r.needs_any.end(), given))
      throw Error(fmt::format("{}: error: {} without {}: {}", command, r.option, either(r.needs_any), r.why));
    for (const auto other : r.not_with)
      if (given(other)) throw Error(fmt::format("{}: error: {} with {}: {}", command, r.option, other, r.why));
  }
}

}  // namespace tsp::cli
