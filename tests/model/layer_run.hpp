#pragma once
// Shared by the layer tests: compile a graph, run it on the cycle-exact
// engine, require simulated == predicted cycles and every output bit-equal to
// the host reference, and hand back the outputs as doubles for the
// independent double-precision checks. Tensor data read back by name.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/numerics/float_format.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/reference.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/sim/tensor_dump.hpp"

namespace tsp::compiler::test {

inline double to_double(isa::DType t, uint32_t bits) {
  switch (t) {
    case isa::DType::f32:
      return num::to_double<num::kF32>(bits);
    case isa::DType::f16:
      return num::to_double<num::kF16>(bits);
    case isa::DType::i8:
      return double(int8_t(uint8_t(bits)));
    case isa::DType::i32:
      return double(int32_t(bits));
    default:
      throw std::runtime_error("to_double: unexpected type");
  }
}

// A tensor's data (inputs and constants) as doubles, by name.
inline std::vector<double> data_of(const Graph& g, const std::string& name) {
  const auto id = g.find(name);
  if (!id) throw std::runtime_error("no tensor " + name);
  const Tensor& t = g.tensor(*id);
  std::vector<double> v(t.data.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = to_double(t.dtype, t.data[i]);
  return v;
}

// The W8A8 scheme's input rounding (docs/compiler.md): int8 steps of
// max|x| / 127, ties to even as the chip's CVT.
inline std::vector<double> int8_steps(const std::vector<double>& x) {
  double m = 0;
  for (double v : x) m = std::max(m, std::abs(v));
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = std::nearbyint(x[i] * 127.0 / m) * m / 127.0;
  return y;
}

struct LayerRun {
  Compiled compiled;
  uint64_t cycles = 0;
  double reference_seconds = 0, model_seconds = 0;
  std::map<std::string, std::vector<double>> outputs;  // by name, from the model
  std::string error;                                   // "" when cycles and bits are exact
};

inline LayerRun run_layer(const Graph& source, const isa::Config& cfg) {
  using clock = std::chrono::steady_clock;
  LayerRun r;
  r.compiled = compile(source, cfg);
  const Graph& g = r.compiled.graph;
  model::ChipEngine e(r.compiled.image, 0);
  auto t0 = clock::now();
  e.run_until(~0ull);
  r.model_seconds = std::chrono::duration<double>(clock::now() - t0).count();
  r.cycles = e.end_cycle();
  if (r.cycles != r.compiled.predicted_cycles)
    r.error = fmt::format("simulated {} cycles, predicted {}", r.cycles, r.compiled.predicted_cycles);
  std::vector<std::vector<uint32_t>> got(g.tensors().size());
  for (size_t i = 0; i < g.tensors().size(); ++i) {
    const Tensor& t = g.tensors()[i];
    if (!t.output) continue;
    got[i] = unpack(t, cfg.lanes, model::read_tensor(e, symbol_of(r.compiled.image, t)));
    std::vector<double>& d = r.outputs[t.name];
    for (uint32_t b : got[i]) d.push_back(to_double(t.dtype, b));
  }
  t0 = clock::now();
  const auto want = run_reference(g, cfg.mxm_dim);
  r.reference_seconds = std::chrono::duration<double>(clock::now() - t0).count();
  const auto bad = compare_outputs(g, want, got);
  if (!bad.empty() && r.error.empty())
    r.error =
        fmt::format("{}[{}]: model 0x{:x}, reference 0x{:x}", bad[0].tensor, bad[0].index, bad[0].got, bad[0].want);
  return r;
}

// Largest |got - want| over the root mean square of want.
inline double rel_rms_error(const std::vector<double>& got, const std::vector<double>& want) {
  double ss = 0, worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    ss += want[i] * want[i];
    worst = std::max(worst, std::isnan(got[i]) ? INFINITY : std::abs(got[i] - want[i]));
  }
  return worst / std::sqrt(ss / double(want.size()));
}

// SRAM in use: per slice the highest address any symbol reaches, times the vector's bytes (nothing is freed).
inline uint64_t sram_bytes(const image::Image& img, const isa::Config& cfg) {
  std::map<uint32_t, uint32_t> top;
  for (const image::Symbol& s : img.symbols)
    for (unsigned b = 0; b < isa::dtype_desc(s.dtype).bytes; ++b)
      top[s.slice + b] = std::max(top[s.slice + b], s.address + s.vectors);
  uint64_t n = 0;
  for (const auto& [slice, t] : top) n += uint64_t(t) * cfg.lanes;
  return n;
}

inline void print_run(const char* what, const LayerRun& r, const isa::Config& cfg) {
  const double sram = double(sram_bytes(r.compiled.image, cfg));
  const double cap = 2.0 * cfg.mem_slices_per_hemisphere * cfg.mem_addresses * cfg.lanes;
  std::string util;
  for (const auto& [u, use] : r.compiled.units)
    if (u != isa::Unit::ICU && use.queues && use.busy)
      util += fmt::format(" {} {:.1f}%", isa::unit_name(u), 100 * r.compiled.utilisation(u));
  fmt::print(
      "{} on {}: {} cycles (predicted {}) = {:.1f} us at {} MHz; {} chip ops; compile {:.2f} s, model {:.2f} s, "
      "host reference {:.2f} s; SRAM {:.1f} MB of {:.1f} ({:.1f}%); utilisation{}\n",
      what, cfg.name, r.cycles, r.compiled.predicted_cycles, double(r.cycles) / cfg.clock_mhz, cfg.clock_mhz,
      r.compiled.graph.nodes().size(), r.compiled.seconds, r.model_seconds, r.reference_seconds, sram / 1e6, cap / 1e6,
      100.0 * sram / cap, util);
}

}  // namespace tsp::compiler::test
