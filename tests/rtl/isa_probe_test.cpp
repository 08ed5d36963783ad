// The SV packages and the C++ header are both generated from isa.toml; this
// proves they agree by reading each SV constant through a Verilated probe and
// comparing it with the C++ constant of the same name.
#include <gtest/gtest.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "Vtsp_isa_probe.h"
#include "tsp/isa_probe_gen.hpp"
#include "verilated.h"

namespace {

using tsp::isa::probe::Entry;

// Every entry whose SV value differs from the expected one, as "name: SV x, C++ y".
std::vector<std::string> mismatches(std::span<const Entry> expected) {
  auto context = std::make_unique<VerilatedContext>();
  auto probe = std::make_unique<Vtsp_isa_probe>(context.get());
  std::vector<std::string> out;
  for (size_t i = 0; i < expected.size(); ++i) {
    probe->idx_i = static_cast<uint16_t>(i);
    probe->eval();
    if (probe->value_o != expected[i].value)
      out.push_back(std::string(expected[i].name) + ": SV " + std::to_string(probe->value_o) + ", C++ " +
                    std::to_string(expected[i].value));
  }
  probe->final();
  return out;
}

}  // namespace

TEST(IsaProbe, EverySvConstantEqualsItsCppTwin) {
  const std::span<const Entry> all(tsp::isa::probe::kEntries);
  ASSERT_GT(all.size(), 400u);
  const auto bad = mismatches(all);
  for (const auto& m : bad) ADD_FAILURE() << m;
  EXPECT_TRUE(bad.empty());
}

TEST(IsaProbe, CatchesAPlantedMismatch) {
  // Plant a wrong latency on the C++ side: the comparison must name it.
  std::vector<Entry> planted(std::begin(tsp::isa::probe::kEntries), std::end(tsp::isa::probe::kEntries));
  size_t victim = 0;
  while (std::string(planted[victim].name) != "LatRead") ++victim;
  const uint64_t real = planted[victim].value;
  planted[victim].value = real + 1;
  const auto bad = mismatches(planted);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0], "LatRead: SV " + std::to_string(real) + ", C++ " + std::to_string(real + 1));
}
