// libFuzzer target: the engine on random legal programs (tb/gen). The input
// chooses the unit's generator, a seed, the program's size and at most one
// single-bit SRAM flip (SECDED corrects it). A legal program must run to
// the end without an error, in exactly the cycles its generator predicts,
// and the engine's fast paths (by-reference READs, late WRITEs) must change
// nothing: SRAM, statistics and cycles equal with them off.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "common/error.hpp"
#include "firmware/image/image.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/mem/secded.hpp"
#include "tb/gen/random_program.hpp"

namespace {

using tsp::model::ChipEngine;

struct Outcome {
  std::unique_ptr<ChipEngine> engine;  // kept for its SRAM
  uint64_t cycles = 0;
  std::vector<uint64_t> stats;
};

Outcome run(const tsp::image::Image& img, bool fast, const std::optional<tsp::model::Flip>& flip) {
  Outcome o;
  o.engine = std::make_unique<ChipEngine>(img, 0);
  ChipEngine& e = *o.engine;
  e.set_fast_paths(fast);
  if (flip) e.add_flip(*flip);
  if (!e.run_until(~tsp::model::Cycle{0})) std::abort();  // an unbounded run must finish
  o.cycles = e.program_cycles();
  const auto& st = e.stats();
  o.stats.assign(st.instructions.begin(), st.instructions.end());
  o.stats.insert(o.stats.end(), {st.ecc_corrected, st.sram_bytes, st.stream_values, st.macs});
  return o;
}

// Every slice and address of both engines (memcmp: the fuzzer's build is unoptimised).
bool same_sram(ChipEngine& a, ChipEngine& b) {
  const auto& cfg = a.config();
  tsp::model::Vec va, vb;
  for (uint16_t s = 0; s < cfg.mem_slices; ++s) {
    const auto& sa = a.slice(s);
    const auto& sb = b.slice(s);
    for (uint32_t addr = 0; addr < cfg.mem_addresses; ++addr) {
      sa.read(addr, va);
      sb.read(addr, vb);
      if (std::memcmp(va.bytes.data(), vb.bytes.data(), cfg.lanes) != 0) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 12) return 0;
  const auto& gens = tsp::gen::generators();
  tsp::gen::RandomOptions o;
  o.config = "mini";  // every generator's smallest chip: whole-SRAM comparisons stay cheap
  std::memcpy(&o.seed, data + 1, 8);
  // Small programs: more of them per second (a run's cost is mostly the
  // program's; the engines' construction and SRAM comparison are fixed).
  o.instructions = 1 + uint32_t(data[9]) % 32;
  const auto& gen = gens[data[0] % gens.size()];
  const tsp::image::Image img = gen.generate(o);
  tsp::image::validate(img);  // a generator's program must be legal: an Error here is a finding
  std::optional<tsp::model::Flip> flip;
  if (size >= 20 && (data[10] & 1)) {
    const auto& cfg = *tsp::isa::find_config(img.config);
    uint32_t r[2];
    std::memcpy(r, data + 12, 8);
    flip = tsp::model::Flip{r[0] % (img.predicted_cycles + 1), uint16_t(r[1] % cfg.mem_slices),
                            (r[1] >> 8) % cfg.mem_addresses, data[11] % cfg.superlanes,
                            (r[0] >> 16) % tsp::model::secded::kCodeBits};
  }
  const Outcome fast = run(img, true, flip);
  if (!img.has_prediction || fast.cycles != img.predicted_cycles) std::abort();
  const Outcome slow = run(img, false, flip);
  if (fast.cycles != slow.cycles || fast.stats != slow.stats || !same_sram(*fast.engine, *slow.engine)) std::abort();
  return 0;
}
