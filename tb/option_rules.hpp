#pragma once
// Options that only mean something together with others. An option given
// where it would be ignored is an error that says why: a silently ignored
// option lets a user believe a run did what it did not.
#include <CLI/CLI.hpp>
#include <span>
#include <string_view>
#include <vector>

namespace tsp::cli {

struct OptionRule {
  std::string_view option;                  // e.g. "--png"
  std::vector<std::string_view> needs_any;  // it is ignored unless one of these is given too
  std::vector<std::string_view> not_with;   // it is ignored when one of these is given
  std::string_view why;                     // what the option does, so the user sees why it was ignored
};

// Throws tsp::Error "<command>: error: --png without --wave: <why>" (or "--json
// with --modules: <why>") for the first rule `cmd`'s parsed options break.
void check_option_rules(const CLI::App& cmd, std::string_view command, std::span<const OptionRule> rules);

}  // namespace tsp::cli
