#include "systemc/dist/partition.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace tsp::dist {
namespace {

// The spec's numbers with where each came from ("file:line" or "--partition").
struct Entry {
  long value;
  std::string where;
};

std::vector<Entry> read_entries(const std::string& spec) {
  std::vector<Entry> out;
  // A list of 576 ranks is longer than a file name may be: is_regular_file's
  // error (ENAMETOOLONG) means "not a file", not a failure.
  std::error_code not_a_file;
  const bool file = std::filesystem::is_regular_file(spec, not_a_file);
  std::istringstream text_in(spec);
  std::ifstream file_in;
  if (file) file_in.open(spec);
  std::istream& in = file ? static_cast<std::istream&>(file_in) : text_in;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (char& c : line)
      if (c == ',') c = ' ';
    std::istringstream words(line);
    const std::string where = file ? fmt::format("{}:{}", spec, n) : std::string("--partition");
    for (std::string w; words >> w;) {
      char* end = nullptr;
      const long v = std::strtol(w.c_str(), &end, 10);
      if (*end || v < 0) throw Error(fmt::format("{}: error: '{}' is not a rank number", where, w));
      out.push_back({v, where});
    }
  }
  return out;
}

}  // namespace

std::vector<int> partition(uint32_t chips, int ranks, const std::string& spec) {
  if (ranks < 1) throw Error("partition: no ranks");
  std::vector<int> rank_of(chips);
  if (spec.empty() || spec == "interleave") {
    if (uint32_t(ranks) > chips)
      throw Error(fmt::format("tsp run: error: {} ranks for {} chips: every rank needs a chip (use fewer ranks)", ranks,
                              chips));
    if (!spec.empty()) {
      for (uint32_t c = 0; c < chips; ++c) rank_of[c] = int(c % uint32_t(ranks));
      return rank_of;
    }
    const uint32_t base = chips / ranks, extra = chips % ranks;
    uint32_t c = 0;
    for (int r = 0; r < ranks; ++r)
      for (uint32_t k = 0; k < base + (uint32_t(r) < extra); ++k) rank_of[c++] = r;
    return rank_of;
  }
  const std::vector<Entry> e = read_entries(spec);
  if (e.size() != chips)
    throw Error(fmt::format("{}: error: the partition names {} chips' ranks, the system has {} chips",
                            e.empty() ? std::string("--partition") : e.back().where, e.size(), chips));
  std::vector<bool> used(ranks);
  for (uint32_t c = 0; c < chips; ++c) {
    if (e[c].value >= ranks)
      throw Error(
          fmt::format("{}: error: chip {} on rank {}, but the job has {} ranks", e[c].where, c, e[c].value, ranks));
    rank_of[c] = int(e[c].value);
    used[rank_of[c]] = true;
  }
  for (int r = 0; r < ranks; ++r)
    if (!used[r]) throw Error(fmt::format("--partition: error: rank {} owns no chip: every rank needs one", r));
  return rank_of;
}

}  // namespace tsp::dist
