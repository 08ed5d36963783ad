#pragma once
// Shared by the compiler's model tests: compile a graph, run it on the
// cycle-exact engine, expect simulated == predicted cycles and every output
// bit-equal to the host reference, and return the outputs' elements by name.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/reference.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/sim/tensor_dump.hpp"

namespace tsp::compiler {

inline std::map<std::string, std::vector<uint32_t>> run_exact_outputs(const Graph& src, const std::string& config) {
  const isa::Config& cfg = *isa::find_config(config);
  const Compiled c = compile(src, cfg);
  model::ChipEngine e(c.image, 0);
  e.run_until(~0ull);
  EXPECT_EQ(e.end_cycle(), c.predicted_cycles);
  const Graph& g = c.graph;
  std::vector<std::vector<uint32_t>> got(g.tensors().size());
  std::map<std::string, std::vector<uint32_t>> out;
  for (size_t i = 0; i < g.tensors().size(); ++i)
    if (g.tensors()[i].output) {
      got[i] = unpack(g.tensors()[i], cfg.lanes, model::read_tensor(e, symbol_of(c.image, g.tensors()[i])));
      out[g.tensors()[i].name] = got[i];
    }
  const auto bad = compare_outputs(g, run_reference(g, cfg.mxm_dim), got);
  EXPECT_TRUE(bad.empty()) << (bad.empty() ? "" : fmt::format("{}[{}]", bad[0].tensor, bad[0].index));
  return out;
}

}  // namespace tsp::compiler
