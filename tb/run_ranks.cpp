#include "tb/run_ranks.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <string_view>
#include <thread>

#include "common/error.hpp"

namespace tsp::cli {

std::function<void(const model::WindowInfo&)> rank_progress(int rank, int ranks, uint64_t predicted,
                                                            std::chrono::seconds period) {
  const auto t0 = std::chrono::steady_clock::now();
  auto last = t0;
  double first_wall = -1, first_cycles = 0;  // the first window's end: the rate leaves loading out
  return [=](const model::WindowInfo& w) mutable {
    const auto now = std::chrono::steady_clock::now();
    const double wall = std::chrono::duration<double>(now - t0).count();
    if (first_wall < 0) {
      first_wall = wall;
      first_cycles = w.cycles;
    }
    if (now - last < period) return;
    last = now;
    std::string share, end = "end unknown (no prediction in the image)";
    if (predicted && w.cycles > first_cycles) {
      const double rate = (w.cycles - first_cycles) / (wall - first_wall);  // simulated cycles per wall second
      share = fmt::format(" ({:.1f}% of {})", 100.0 * w.cycles / double(predicted), predicted);
      end = fmt::format("projected end in {:.0f} s", std::max(0.0, (double(predicted) - w.cycles) / rate));
    }
    fmt::print(stderr, "tsp run: rank {}/{}: cycle {:.0f}{}, {}/{} chips busy, {:.1f} s wall, {}\n", rank, ranks,
               w.cycles, share, w.busy, w.chips, wall, end);
  };
}

namespace {
constexpr std::string_view kFaults[] = {"exit", "hang", "throw", "slow", "silent"};
}  // namespace

RankFault parse_rank_fault(const std::string& spec) {
  RankFault f;
  if (spec.empty()) return f;
  const auto c1 = spec.find(':'), c2 = spec.find(':', c1 == std::string::npos ? c1 : c1 + 1);
  if (c1 == std::string::npos || c2 == std::string::npos)
    throw Error(fmt::format("--test-rank-fault {}: error: expected RANK:WINDOW:{}", spec, fmt::join(kFaults, "|")));
  f.rank = std::atoi(spec.substr(0, c1).c_str());
  f.window = std::strtoull(spec.substr(c1 + 1, c2 - c1 - 1).c_str(), nullptr, 10);
  f.kind = spec.substr(c2 + 1);
  if (std::find(std::begin(kFaults), std::end(kFaults), f.kind) == std::end(kFaults))
    throw Error(fmt::format("--test-rank-fault {}: error: the fault is one of {}", spec, fmt::join(kFaults, ", ")));
  return f;
}

void apply_rank_fault(const RankFault& f, int rank, uint64_t window, dist::Comm& comm) {
  if (f.rank != rank || f.window != window) return;
  if (f.kind == "slow" || f.kind == "silent") {  // busy for 2.5 timeouts, then goes on (no line: outputs match)
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                            std::chrono::duration<double>(2.5 * comm.timeout()));
    while (std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (f.kind == "slow") comm.heartbeat();  // as a simulating rank does
    }
    return;
  }
  fmt::print(stderr, "tsp run: rank {}: test fault '{}' after window {}\n", rank, f.kind, window);
  if (f.kind == "exit") std::_Exit(7);  // dies: no MPI_Finalize, no message to the others
  if (f.kind == "hang")
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  throw Error(fmt::format("tsp run: rank {}: error: test fault after window {}", rank, window));
}

nlohmann::json ranks_json(const model::RunReport& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& k : r.ranks)
    out.push_back({{"rank", k.rank},
                   {"chips", k.chips},
                   {"wall_seconds", k.wall_seconds},
                   {"load_wall_seconds", k.load_wall_seconds},
                   {"exchange_seconds", k.exchange_seconds},
                   {"exchange_share", k.wall_seconds > 0 ? k.exchange_seconds / k.wall_seconds : 0.0},
                   {"windows", k.windows},
                   {"grown_windows", k.grown_windows},
                   {"frames_sent", k.frames_sent},
                   {"frames_received", k.frames_received},
                   {"bytes_sent", k.bytes_sent}});
  return out;
}

void print_ranks(const model::RunReport& r) {
  if (r.ranks.empty()) return;
  fmt::print("  {:<14}{} ranks, lookahead {:.1f} cycles, window {:.1f} cycles\n", "ranks", r.ranks.size(),
             r.lookahead_cycles, r.window_cycles);
  for (const auto& k : r.ranks)
    fmt::print(
        "  {:<14}rank {}: {} chips, {} windows ({} grown), {} frames out, {} in, {:.3f} s wall ({:.3f} s loading), "
        "{:.1f}% in exchange\n",
        "", k.rank, k.chips, k.windows, k.grown_windows, k.frames_sent, k.frames_received, k.wall_seconds,
        k.load_wall_seconds, k.wall_seconds > 0 ? 100.0 * k.exchange_seconds / k.wall_seconds : 0.0);
}

}  // namespace tsp::cli
