#pragma once
// A rank's part of a run report as text, and rank 0's merge of every rank's
// part into one report (docs/distributed.md, "Results"): each chip's report
// comes from the rank that simulated it, each link direction's counters from
// the rank of its sender, where the wire, the FEC and the counters run.
#include <string>

#include "systemc/sim/run_image.hpp"

namespace tsp::model {

// `local`: this rank's chips (ChipReport::rank set), its links with the
// counters of the directions it sends, and its own RankReport.
std::string encode_rank_report(const RunReport& local, const std::vector<int>& rank_of, int rank);
// Adds one rank's part to `into`, which has every chip and link slot already.
void merge_rank_report(RunReport& into, const std::string& part);

}  // namespace tsp::model
