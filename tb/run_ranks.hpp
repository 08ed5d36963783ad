#pragma once
// `tsp run` under mpirun (docs/distributed.md): the per-rank progress line,
// the per-rank statistics, and the test-only fault hook.
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "systemc/dist/comm.hpp"
#include "systemc/sim/run_image.hpp"

namespace tsp::cli {

// A progress line on stderr for this rank every `period`: simulated cycles
// (and the share of `predicted`, when known), chips busy, wall time, the
// projected end.
std::function<void(const model::WindowInfo&)> rank_progress(int rank, int ranks, uint64_t predicted,
                                                            std::chrono::seconds period);

// --test-rank-fault RANK:WINDOW:KIND (hidden; tests only): rank RANK exits
// (KIND exit), hangs (hang) or throws (throw) after window WINDOW, so the
// tests can show that every rank then ends non-zero within the timeout; or
// is busy for 2.5 timeouts while it beats (slow), as a rank simulating a long
// window is, which must not end the job, or without beating (silent), which must.
struct RankFault {
  int rank = -1;
  uint64_t window = 0;
  std::string kind;
};
RankFault parse_rank_fault(const std::string& spec);
void apply_rank_fault(const RankFault& f, int rank, uint64_t window, dist::Comm& comm);

// --stats "ranks": one entry per rank.
nlohmann::json ranks_json(const model::RunReport& r);
// The summary's lines about the ranks (rank 0 prints them).
void print_ranks(const model::RunReport& r);

}  // namespace tsp::cli
