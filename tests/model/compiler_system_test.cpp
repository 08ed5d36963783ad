// The system compiler (firmware/compiler/system.hpp) on node8: every chip runs
// in exactly its predicted cycles and holds outputs bit-equal to the host
// reference of the graph before partitioning; planted RECVs off their frame's
// arrival are caught; what cannot be compiled for a system says why.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/reference.hpp"
#include "firmware/compiler/system.hpp"
#include "systemc/sim/run_image.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "tests/support/planted_bugs.hpp"

namespace tsp::compiler {
namespace {

// Two MatMuls with an elementwise op between them: both split 8 ways (5120 and
// 2560 columns), M = 4 rows, f16 products into f32.
constexpr const char* kMlp = R"(config tsp1
input x : f16[4, 1280] random 1
const w1 : f16[1280, 5120] random 2
const w2 : f16[5120, 2560] random 3
h = matmul x w1
hc = cast f16 h
r = relu hc
y = matmul r w2
output y
)";

// Compiles for node8, runs, checks every chip. "" when exact, else what was seen.
std::string system_run_check(const std::string& text, std::function<void(Chain&)> hook = {},
                             SystemCompiled* keep = nullptr) {
  const Program p = parse_program(text, "mlp.txt");
  const isa::Config& cfg = *isa::find_config(p.config.value_or("tsp1"));
  const topo::Topology t = topo::builtin_topology("node8", cfg);
  CompileOptions opt;
  opt.chain_hook = std::move(hook);
  const SystemCompiled s = compile_system(p.graph, cfg, t, opt);
  const Graph& g = s.graph;
  const auto P = static_cast<uint32_t>(s.chips.size());
  std::vector<std::vector<std::vector<uint32_t>>> got(P, std::vector<std::vector<uint32_t>>(g.tensors().size()));
  model::RunOptions ro;
  ro.topology = &t;
  ro.inspect = [&](uint32_t c, model::ChipEngine& engine) {
    for (size_t i = 0; i < g.tensors().size(); ++i)
      if (g.tensors()[i].output)
        for (const image::Symbol& sym : s.image.symbols)
          if (sym.chip == c && sym.name == chip_symbol(c, g.tensors()[i].name))
            got[c][i] = unpack(g.tensors()[i], cfg.lanes, model::read_tensor(engine, sym));
  };
  const model::RunReport r = model::run_image(s.image, ro);
  if (keep) *keep = s;
  if (!r.ok()) return "model error: " + r.first_error();
  std::string why;
  const auto want = run_reference(g, cfg.mxm_dim);
  for (uint32_t c = 0; c < P; ++c) {
    if (uint64_t(r.chips[c].program_cycles) != s.chips[c].predicted_cycles)
      why += fmt::format("chip {}: simulated {} cycles, predicted {}; ", c, r.chips[c].program_cycles,
                         s.chips[c].predicted_cycles);
    const auto bad = compare_outputs(g, want, got[c]);
    if (!bad.empty())
      why += fmt::format("chip {}: {}[{}]: model 0x{:x}, reference 0x{:x}; ", c, bad[0].tensor, bad[0].index,
                         bad[0].got, bad[0].want);
  }
  return why;
}

TEST(CompilerSystem, MlpOnNode8IsExactOnEveryChip) {
  SystemCompiled s;
  EXPECT_EQ(system_run_check(kMlp, {}, &s), "");
  ASSERT_EQ(s.chips.size(), 8u);
  EXPECT_EQ(s.split.size(), 2u);
  EXPECT_TRUE(s.replicated.empty());
  // Each chip computes an eighth of the columns: faster than one chip computing all of them.
  const Program p = parse_program(kMlp, "mlp.txt");
  const Compiled one = compile(p.graph, *isa::find_config("tsp1"));
  EXPECT_LT(s.predicted_cycles * 2, one.predicted_cycles);
  // The collectives are in every chip's bound, which the schedule respects.
  for (const Compiled& c : s.chips) {
    EXPECT_GT(c.bound.term("c2c"), 0u);
    EXPECT_GE(c.predicted_cycles, c.bound.cycles);
  }
}

// int8 activations, one MatMul split and one left whole (1000 columns are not
// whole vectors on 8 chips), outputs of both kinds.
TEST(CompilerSystem, SplitAndReplicatedMatMulsAreExact) {
  SystemCompiled s;
  EXPECT_EQ(system_run_check(R"(config tsp1
input x : i8[2, 640] random 4
const w1 : i8[640, 2560] random 5
const w2 : i8[640, 1000] random 6
h = matmul x w1
k = matmul x w2
output h k
)",
                             {}, &s),
            "");
  ASSERT_EQ(s.split.size(), 1u);
  ASSERT_EQ(s.replicated.size(), 1u);
  EXPECT_NE(s.replicated[0].find("1000 columns"), std::string::npos) << s.replicated[0];
}

// A RECV one cycle after its frame landed still takes it (the receive window),
// but puts the value on the stream a cycle after the WRITE the compiler timed.
TEST(CompilerSystem, PlantedLateRecvIsCaught) {
  const std::string seen = system_run_check(kMlp, planted_recv(1));
  EXPECT_NE(seen, "");
  fmt::print("caught: {}\n", seen);
}

// A RECV one cycle before its frame lands finds nothing to take.
TEST(CompilerSystem, PlantedEarlyRecvIsCaught) {
  const std::string seen = system_run_check(kMlp, planted_recv(-1));
  EXPECT_NE(seen, "");
  fmt::print("caught: {}\n", seen);
}

std::string compile_error(const std::string& topology_text) {
  const Program p = parse_program(kMlp, "mlp.txt");
  const isa::Config& cfg = *isa::find_config("tsp1");
  try {
    compile_system(p.graph, cfg, topo::parse_topology(topology_text, "sys.topo", cfg));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CompilerSystem, ChipsWithoutADirectLinkAreRefused) {
  const std::string e = compile_error("chips 4\nlink 0.0 1.0\nlink 1.1 2.1\nlink 2.0 3.0\nlink 3.1 0.1\n");
  EXPECT_NE(e.find("chips 0 and 2 have no direct link"), std::string::npos) << e;
  EXPECT_NE(e.find("sys.topo"), std::string::npos) << e;
}

TEST(CompilerSystem, DriftingClocksAreRefused) {
  const std::string e = compile_error("node8\nclock 3 20\n");
  EXPECT_NE(e.find("chip 3 runs 20 ppm off"), std::string::npos) << e;
}

TEST(CompilerSystem, OneChipCompileOfAGatherSaysWhy) {
  const Program p = parse_program(kMlp, "mlp.txt");
  Graph g = p.graph;
  g.split_matmul_columns(0, 8, 0, 216);
  try {
    compile(g, *isa::find_config("tsp1"));
    FAIL() << "compiled a gather for one chip";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("compile it for a topology"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tsp::compiler
