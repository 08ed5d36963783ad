#include "tb/wave_chips.hpp"

#include <fmt/format.h>

#include <charconv>
#include <string_view>

#include "common/error.hpp"

namespace tsp::cli {

std::vector<bool> parse_wave_chips(const std::string& list, uint32_t chips) {
  if (list.empty()) return {};
  std::vector<bool> shown(chips, false);
  const auto bad = [&](std::string_view item, std::string_view why) {
    return Error(fmt::format("tsp run: error: --wave-chips {}: '{}' {}", list, item, why));
  };
  std::string_view rest(list);
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const size_t dash = item.find('-');
    uint32_t lo = 0, hi = 0;
    const auto number = [&](std::string_view text, uint32_t& v) {
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        throw bad(item, "is not a chip number or a range A-B");
    };
    number(item.substr(0, dash), lo);
    hi = lo;
    if (dash != std::string_view::npos) number(item.substr(dash + 1), hi);
    if (hi < lo) throw bad(item, "runs backwards");
    if (hi >= chips) throw bad(item, fmt::format("names a chip past the image's last (it has {} chips)", chips));
    for (uint32_t c = lo; c <= hi; ++c) shown[c] = true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return shown;
}

}  // namespace tsp::cli
