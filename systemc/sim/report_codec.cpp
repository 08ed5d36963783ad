#include "systemc/sim/report_codec.hpp"

#include <nlohmann/json.hpp>

namespace tsp::model {
namespace {

using nlohmann::json;

json counters(const LinkCounters& n) {
  return json::array({n.frames, n.bits, n.busy_cycles, n.bit_errors, n.corrected_symbols, n.corrected_frames,
                      n.uncorrectable_frames, n.max_jitter_cycles});
}

LinkCounters counters(const json& j) {
  LinkCounters n;
  n.frames = j[0];
  n.bits = j[1];
  n.busy_cycles = j[2];
  n.bit_errors = j[3];
  n.corrected_symbols = j[4];
  n.corrected_frames = j[5];
  n.uncorrectable_frames = j[6];
  n.max_jitter_cycles = j[7];
  return n;
}

}  // namespace

std::string encode_rank_report(const RunReport& local, const std::vector<int>& rank_of, int rank) {
  json chips = json::array();
  for (size_t c = 0; c < local.chips.size(); ++c) {
    if (rank_of[c] != rank) continue;
    const ChipReport& r = local.chips[c];
    chips.push_back({{"chip", c},
                     {"status", int(r.status)},
                     {"error", r.error},
                     {"cycles", r.cycles},
                     {"program_cycles", r.program_cycles},
                     {"drift_shift", r.drift_shift},
                     {"clock_ppm", r.clock_ppm},
                     {"hac_offset_ps", r.hac_offset_ps},
                     {"hac_depth", r.hac_depth},
                     {"error_seconds", r.error_seconds},
                     {"instructions", r.stats.instructions},
                     {"ecc_corrected", r.stats.ecc_corrected},
                     {"sram_bytes", r.stats.sram_bytes},
                     {"stream_values", r.stats.stream_values},
                     {"macs", r.stats.macs},
                     {"sram_stored_bytes", r.sram_stored_bytes},
                     {"load_seconds", r.load_seconds},
                     {"run_seconds", r.run_seconds},
                     {"collected", r.collected},
                     {"waves", r.waves}});
  }
  json links = json::array();
  for (size_t i = 0; i < local.links.size(); ++i)
    links.push_back({i, counters(local.links[i].from_a), counters(local.links[i].from_b)});
  const RankReport& rr = local.ranks.at(0);
  return json{{"chips", chips},
              {"links", links},
              {"rank",
               {rr.rank, rr.chips, rr.wall_seconds, rr.exchange_seconds, rr.windows, rr.frames_sent, rr.frames_received,
                rr.bytes_sent, rr.load_wall_seconds, rr.grown_windows}}}
      .dump();
}

void merge_rank_report(RunReport& into, const std::string& part) {
  const json j = json::parse(part);
  const json& k = j["rank"];
  RankReport rr;
  rr.rank = k[0];
  rr.chips = k[1];
  rr.wall_seconds = k[2];
  rr.exchange_seconds = k[3];
  rr.windows = k[4];
  rr.frames_sent = k[5];
  rr.frames_received = k[6];
  rr.bytes_sent = k[7];
  rr.load_wall_seconds = k[8];
  rr.grown_windows = k[9];
  into.ranks.push_back(rr);
  for (const json& c : j["chips"]) {
    ChipReport& r = into.chips.at(c["chip"].get<size_t>());
    r.status = static_cast<hostmap::Status>(c["status"].get<int>());
    r.error = c["error"];
    r.cycles = c["cycles"];
    r.program_cycles = c["program_cycles"];
    r.drift_shift = c["drift_shift"];
    r.clock_ppm = c["clock_ppm"];
    r.hac_offset_ps = c["hac_offset_ps"];
    r.hac_depth = c["hac_depth"];
    r.error_seconds = c["error_seconds"];
    r.stats.instructions = c["instructions"];
    r.stats.ecc_corrected = c["ecc_corrected"];
    r.stats.sram_bytes = c["sram_bytes"];
    r.stats.stream_values = c["stream_values"];
    r.stats.macs = c["macs"];
    r.sram_stored_bytes = c["sram_stored_bytes"];
    r.load_seconds = c["load_seconds"];
    r.run_seconds = c["run_seconds"];
    r.collected = c["collected"];
    r.waves = c["waves"];
    r.rank = rr.rank;
    into.cycles = std::max(into.cycles, r.program_cycles);
  }
  // A direction's counters live on its sender's rank; the other rank's copy is all zeros.
  for (const json& l : j["links"]) {
    LinkReport& r = into.links.at(l[0].get<size_t>());
    const LinkCounters a = counters(l[1]), b = counters(l[2]);
    if (a.frames || a.bits) r.from_a = a;
    if (b.frames || b.bits) r.from_b = b;
  }
}

}  // namespace tsp::model
