#pragma once
// `tsp cosim --random UNIT --coverage-goal N`: draws seeds one after the other
// (each generated program cosimulated, the RTL checked as in `tsp cosim
// --random`) and counts the model's functional coverage bins, until N seeds in
// a row add no bin; prints which seed added which bins, then the seeds needed
// (the last seed that added one) and the unit's bins never hit.
// docs/coverage.md, "Seeds to closure".
#include <cstdint>
#include <string>
#include <vector>

namespace tsp::cli {

struct CoverageGoalArgs {
  std::string unit;  // a generator (tb/gen), not c2c
  std::string config = "mini";
  std::vector<std::string> rtl;  // the RTL units checked on each seed
  uint64_t first_seed = 1;
  uint32_t instructions = 64;
  uint32_t goal = 10;        // seeds in a row that add nothing
  uint32_t max_seeds = 500;  // give up (exit 1) after this many
  uint32_t random_flips = 0;
  std::string coverage;  // the merged bins, written at the end
  bool quiet = false;    // no bin names, only counts
};

// 0: the goal was reached; 1: a seed diverged or failed, or max_seeds ran out.
int run_coverage_goal(const CoverageGoalArgs& a);

}  // namespace tsp::cli
