#include "systemc/sim/run_image.hpp"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <systemc>

#include "systemc/c2c/hac_alignment.hpp"
#include "systemc/chip/tsp_chip.hpp"
#include "systemc/dist/comm.hpp"
#include "systemc/dist/rank_sync.hpp"
#include "systemc/host/host_driver.hpp"
#include "systemc/sim/report_codec.hpp"
#include "systemc/sim/run_distributed.hpp"

namespace tsp::model {

bool RunReport::ok() const {
  for (const auto& c : chips)
    if (c.status != hostmap::kDone) return false;
  return !chips.empty();
}

std::string RunReport::first_error() const {
  // The earliest error in system time is the cause; later ones (a chip whose
  // partner stopped sending) follow from it. A chip that never started waits
  // for one that failed: report that one.
  const ChipReport* first = nullptr;
  for (const auto& c : chips)
    if (c.status != hostmap::kDone && c.error.find("never started") == std::string::npos &&
        (!first || c.error_seconds < first->error_seconds))
      first = &c;
  if (first) return first->error.empty() ? "chip did not finish" : first->error;
  for (const auto& c : chips)
    if (c.status != hostmap::kDone) return c.error;
  return {};
}

namespace {

ChipReport report_chip(uint32_t c, TspChip& chip, const HostDriver& host, const StartBarrier& barrier, uint32_t n,
                       const topo::Topology* topology, const std::vector<HacAlignment>& hacs) {
  const auto& r = host.result();
  ChipReport cr;
  cr.status = r.status;
  cr.error = r.error;
  if (chip.status() == hostmap::kError) {  // e.g. a vector arrived after the host read the result
    cr.status = hostmap::kError;
    cr.error = chip.error();
  }
  cr.error_seconds = chip.error_time().to_seconds();
  if (chip.status() == hostmap::kArmed) {
    cr.status = hostmap::kError;
    cr.error = fmt::format("chip {} never started: the system starts once every chip is loaded, and {} of {} were", c,
                           barrier.armed(), n);
  }
  cr.cycles = r.cycles;
  cr.drift_shift = chip.engine().drift_shift();
  cr.program_cycles = static_cast<Cycle>(int64_t(cr.cycles) - cr.drift_shift);
  cr.clock_ppm = topology ? topology->chips[c].clock_ppm : 0.0;
  if (topology) {
    cr.hac_offset_ps = hacs[c].offset_ps;
    cr.hac_depth = hacs[c].depth;
  }
  cr.stats = chip.engine().stats();
  cr.load_seconds = r.load_time.to_seconds();
  cr.run_seconds = r.run_time.to_seconds();
  return cr;
}

}  // namespace

RunReport run_image(const image::Image& img, const RunOptions& options) {
  static bool elaborated = false;
  if (elaborated) throw Error("run_image: SystemC elaborates once per process; run each simulation in its own process");
  elaborated = true;

  const isa::Config* cfg = isa::find_config(img.config);
  if (!cfg) throw Error(fmt::format("run_image: unknown configuration '{}'", img.config));
  // Hosts write each chip's SRAM from the parsed image and stage the image
  // without SRAM and without the other chips' programs: a chip parses only
  // its own program, so loading N chips costs N, not N squared.
  const auto n = static_cast<uint32_t>(img.chips.size());
  const image::ChipIndex index(img);
  const auto programs_of = [&img, &index](uint32_t chip) {
    return std::make_shared<const std::vector<uint8_t>>(image::serialize_programs(img, chip, index));
  };
  const topo::Topology* topology = options.topology;
  if (topology) topo::validate(*topology, *cfg, n);
  // A distributed run (docs/distributed.md): this rank elaborates its chips only.
  dist::Comm& comm = dist::Comm::world();
  const bool distributed = comm.distributed() && !options.rank_of.empty();
  const int rank = comm.rank();
  if (distributed && options.rank_of.size() != n)
    throw Error(fmt::format("run_image: the partition has {} chips, the image {}", options.rank_of.size(), n));
  const auto local = [&](uint32_t c) { return !distributed || options.rank_of[c] == rank; };
  // Every chip of a system starts on one epoch of the HAC root's clock.
  const double root_ppm = topology ? topology->chips.at(topology->root).clock_ppm : 0.0;
  const double root_period_ps = 1e6 / (cfg->clock_mhz * (1 + root_ppm * 1e-6));
  StartBarrier barrier(n, sc_core::sc_time(cfg->hac_period_cycles * root_period_ps, sc_core::SC_PS));
  const std::vector<HacAlignment> hacs = topology ? align_hacs(*topology, *cfg) : std::vector<HacAlignment>{};
  std::vector<std::unique_ptr<TspChip>> chips(n);
  std::vector<std::unique_ptr<HostDriver>> hosts(n);
  std::vector<std::unique_ptr<C2cLink>> links;
  uint32_t local_chips = 0;
  for (uint32_t c = 0; c < n; ++c) {
    if (!local(c)) continue;
    ++local_chips;
    chips[c] = std::make_unique<TspChip>(fmt::format("chip{}", c).c_str(), *cfg, c);
    if (topology) chips[c]->set_clock(hacs[c].clock);
    if (n > 1) chips[c]->set_start_barrier(&barrier);
    hosts[c] =
        std::make_unique<HostDriver>(fmt::format("host{}", c).c_str(), programs_of(c), img.chips[c].sram, *chips[c]);
    hosts[c]->pcie.bind(chips[c]->host);
    chips[c]->set_quantum(options.quantum);
    chips[c]->engine().set_timing_only(options.timing_only);
    if (options.observer) chips[c]->engine().set_observer(options.observer(c));
    if (c < options.flips.size())
      for (const Flip& f : options.flips[c]) chips[c]->add_flip(f);
    if (options.progress || distributed)
      chips[c]->on_quantum([&options, &comm, distributed, c, calls = uint32_t{0}](Cycle k) mutable {
        if (options.progress) options.progress(c, k);
        // A long window here is not a hang to the ranks waiting for it (the clock is read every 64th quantum).
        if (distributed && (++calls & 63) == 0) comm.heartbeat();
      });
  }
  if (distributed) {
    barrier.set_local(local_chips);
    barrier.on_arm([&comm] { comm.heartbeat(); });  // loading hundreds of chips is not a hang either
  }
  std::unique_ptr<dist::RankSync> sync;
  if (distributed) {
    std::vector<std::string> names;
    for (size_t i = 0; i < topology->links.size(); ++i)
      names.push_back(fmt::format("{}: link{}", topology->links[i].where, i));
    sync = std::make_unique<dist::RankSync>(*cfg, options.rank_of, rank, std::move(names));
  }
  if (topology)
    for (size_t i = 0; i < topology->links.size(); ++i) {
      const topo::Link& l = topology->links[i];
      if (!local(l.a.chip) && !local(l.b.chip)) {
        links.push_back(nullptr);
        continue;
      }
      links.push_back(std::make_unique<C2cLink>(fmt::format("link{}", i).c_str(),
                                                C2cLink::End{chips[l.a.chip].get(), l.a.link, l.a.chip},
                                                C2cLink::End{chips[l.b.chip].get(), l.b.link, l.b.chip}, *l.cable,
                                                options.wire, l.where, static_cast<uint32_t>(i), sync.get()));
      links.back()->set_observer(options.link_observer);
      if (sync && (!local(l.a.chip) || !local(l.b.chip))) sync->add_link(uint32_t(i), links.back().get());
    }
  RunReport report;
  const auto t0 = std::chrono::steady_clock::now();
  if (!distributed) {
    sc_core::sc_start();  // returns when every host has finished and every chip is idle
  } else {
    const WindowPlan plan =
        plan_windows(*cfg, *topology, hacs, options.rank_of, options.quantum, options.lookahead_cycles);
    report.lookahead_cycles = plan.lookahead_cycles;
    report.window_cycles = plan.window_cycles;
    const auto done = [&] {
      for (uint32_t c = 0; c < n; ++c)
        if (hosts[c] && !hosts[c]->finished()) return false;
      return true;
    };
    const auto busy = [&] {
      uint32_t k = 0;
      for (uint32_t c = 0; c < n; ++c) k += chips[c] && chips[c]->status() == hostmap::kRunning;
      return k;
    };
    // Per local chip: its links whose other end is on another rank.
    std::vector<std::vector<uint8_t>> remote(n);
    for (const topo::Link& l : topology->links)
      for (const auto& [here, there] : {std::pair{l.a, l.b}, std::pair{l.b, l.a}})
        if (local(here.chip) && !local(there.chip)) {
          auto& flags = remote[here.chip];
          flags.resize(cfg->c2c_links, 0);
          flags.at(here.link) = 1;
        }
    const auto next_send = [&] {
      sc_core::sc_time least = sc_core::sc_max_time();
      for (uint32_t c = 0; c < n; ++c) {
        if (!chips[c] || remote[c].empty()) continue;
        const hostmap::Status st = chips[c]->status();
        if (st != hostmap::kRunning && st != hostmap::kArmed) continue;  // done or failed: sends nothing more
        const Cycle k = chips[c]->engine().next_send_bound(remote[c]);
        if (k != ChipEngine::kNever) least = std::min(least, barrier.start_time() + chips[c]->cycles_to_time(k));
      }
      return least;
    };
    RankState state{done, busy, {}};
    if (options.adaptive_windows) state.next_send = next_send;
    report.ranks.push_back(run_windows(comm, barrier, *sync, plan, n, state, local_chips, options.on_window));
  }
  const auto t_end = std::chrono::steady_clock::now();
  report.wall_seconds = std::chrono::duration<double>(t_end - t0).count();
  auto first_start = t_end;
  for (const auto& chip : chips)
    if (chip && chip->started_wall() != std::chrono::steady_clock::time_point{})
      first_start = std::min(first_start, chip->started_wall());
  report.run_wall_seconds = std::chrono::duration<double>(t_end - first_start).count();
  report.chips.resize(n);
  for (uint32_t c = 0; c < n; ++c) {
    if (!chips[c]) continue;
    ChipReport cr = report_chip(c, *chips[c], *hosts[c], barrier, n, topology, hacs);
    cr.rank = rank;
    cr.sram_stored_bytes = chips[c]->engine().stored_sram_bytes();
    report.cycles = std::max(report.cycles, cr.program_cycles);
    if (options.inspect) options.inspect(c, chips[c]->engine());
    if (options.collect) cr.collected = options.collect(c, chips[c]->engine());
    if (options.waves) cr.waves = options.waves(c);
    report.chips[c] = std::move(cr);
  }
  for (size_t i = 0; i < links.size(); ++i) {
    const topo::Link& t = topology->links[i];
    LinkReport lr{fmt::format("link{}: {}.{} - {}.{}", i, t.a.chip, t.a.link, t.b.chip, t.b.link),
                  t.where,
                  std::string(t.cable->name),
                  isa::c2c_hop_cycles(*cfg, *t.cable),
                  {},
                  {}};
    if (links[i]) {
      if (local(t.a.chip)) lr.from_a = links[i]->counters(false);
      if (local(t.b.chip)) lr.from_b = links[i]->counters(true);
    }
    report.links.push_back(std::move(lr));
  }
  // SystemC elaborates once per process (above), so this run is its last:
  // the modules stay until the process ends instead of being torn down here.
  // Each one's destructor unregisters it with a linear search of every port
  // and module: on racks8 (576 chips) that was 40% of a timing-only run.
  static std::vector<std::unique_ptr<sc_core::sc_module>>* kept = nullptr;  // reachable: no leak report
  kept = new std::vector<std::unique_ptr<sc_core::sc_module>>();
  for (auto& l : links) kept->push_back(std::move(l));
  for (uint32_t c = 0; c < n; ++c) {
    kept->push_back(std::move(hosts[c]));
    kept->push_back(std::move(chips[c]));
  }
  if (distributed) {
    // Rank 0 gathers every rank's chips, link directions and costs.
    const std::string part = encode_rank_report(report, options.rank_of, rank);
    const std::vector<std::string> parts = comm.gather(part, "gathering the reports");
    if (rank != 0) {
      report.partial = true;
      return report;
    }
    RunReport all;
    all.chips.resize(n);
    all.links = report.links;
    for (auto& l : all.links) l.from_a = l.from_b = {};
    for (const auto& p : parts) merge_rank_report(all, p);
    all.wall_seconds = report.wall_seconds;
    all.run_wall_seconds = report.run_wall_seconds;
    all.lookahead_cycles = report.lookahead_cycles;
    all.window_cycles = report.window_cycles;
    return all;
  }
  return report;
}

}  // namespace tsp::model
