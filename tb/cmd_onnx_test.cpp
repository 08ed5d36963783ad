// `tsp onnx-test DIR`: one ONNX backend node test (DIR/model.onnx and every
// DIR/test_data_set_*/{input,output}_K.pb) through import, compile, the
// cycle-exact engine and two checks: outputs equal to the host reference bit
// for bit (the compiler's promise) and within ONNX's tolerance of the expected
// outputs (the model's meaning). Exit codes: 0 every data set passes, 1 some
// data set fails, 2 the test cannot run on the chip: the model cannot be
// imported or compiled (the message names the node and op), or its data has a
// type the chip lacks.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/onnx_check.hpp"
#include "firmware/compiler/onnx_import.hpp"
#include "firmware/compiler/reference.hpp"
#include "firmware/compiler/system.hpp"
#include "systemc/engine/chip_engine.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "tb/commands.hpp"
#include "tb/onnx_compile_options.hpp"
#include "tb/run_system.hpp"

namespace tsp::cli {
namespace {

namespace fs = std::filesystem;
using namespace compiler;

constexpr int kFail = 1, kCannotCompile = 2;

struct OnnxTestArgs {
  std::string dir, config = "tsp1";
  bool verbose = false;
  int mutant = 0;
  SramReuse sram_reuse = SramReuse::Auto;
  MatmulFlags matmul;
  double rtol = kOnnxRtol, atol = kOnnxAtol;  // |got - expected| <= atol + rtol |expected|
  std::string topology;                       // compile for this system (firmware/compiler/system.hpp)
  std::optional<uint32_t> set;                // run only test_data_set_<set>
  uint32_t stages = 0;                        // with topology: pipeline stages (0: the fewest that hold the weights)
};

// What a run left: the expanded graph whose outputs `got` holds, cycles, and what disagreed.
struct Ran {
  // Each output by name: its tensor (in the graph of a chip that holds it) and the bits read back.
  std::map<std::string, std::pair<const Tensor*, std::vector<uint32_t>>> outputs;
  uint64_t cycles = 0;
  bool as_predicted = true;
  std::string why;  // "; ..." per disagreement with the prediction or the host reference
  size_t chip_ops = 0;
  double seconds = 0;  // compile time
};

// One chip: the engine alone.
bool run_chip(const Compiled& c, const isa::Config& cfg, Ran& r, const std::string& label) {
  const Graph& g = c.graph;  // expanded: the graph the image computes
  model::ChipEngine e(c.image, 0);
  try {
    e.run_until(~0ull);
  } catch (const std::exception& err) {
    fmt::print("{}: FAIL: model error: {}\n", label, err.what());
    return false;
  }
  r = Ran{{}, e.end_cycle(), true, "", g.nodes().size(), c.seconds};
  if (e.end_cycle() != c.predicted_cycles) {
    r.as_predicted = false;
    r.why += fmt::format("; simulated {} cycles but the compiler predicted {}", e.end_cycle(), c.predicted_cycles);
  }
  std::vector<std::vector<uint32_t>> got(g.tensors().size());
  for (size_t i = 0; i < g.tensors().size(); ++i)
    if (g.tensors()[i].output) {
      got[i] = unpack(g.tensors()[i], cfg.lanes, model::read_tensor(e, symbol_of(c.image, g.tensors()[i])));
      r.outputs[g.tensors()[i].name] = {&g.tensors()[i], got[i]};
    }
  for (const auto& mm : compare_outputs(g, run_reference(g, cfg.mxm_dim), got))
    r.why += fmt::format("; {}[{}] is 0x{:x} on the model but 0x{:x} in the host reference", mm.tensor, mm.index,
                         mm.got, mm.want);
  return true;
}

// A system (--topology): every chip against its prediction and the system's
// host reference; chip 0's outputs go on to the tolerance check.
bool run_system(const SystemCompiled& s, const topo::Topology& t, const isa::Config& cfg, Ran& r,
                const std::string& label) {
  const SystemRun run = run_system_image(s, t, cfg);
  const model::RunReport& rep = run.report;
  if (!rep.ok()) {
    fmt::print("{}: FAIL: model error: {}\n", label, rep.first_error());
    return false;
  }
  const auto& got = run.got;
  size_t ops = 0;
  for (const Compiled& c : s.chips) ops += c.graph.nodes().size();
  r = Ran{{}, uint64_t(rep.cycles), true, "", ops, s.seconds};
  // Each output whole: joined from the blocks its stage's chips keep, or from the first chip that holds it.
  for (const Tensor& y : s.graph.tensors())
    if (y.output)
      if (auto bits = s.output(y.name, got)) r.outputs[y.name] = {&y, std::move(*bits)};
  r.as_predicted = run.off_prediction.empty();
  for (const std::string& e : run.off_prediction) r.why += "; " + e;
  for (const std::string& e : compare_system(s, cfg, got).errors) r.why += "; " + e;
  return true;
}

// Test hook (--plant-bug 1): moves output 0's element 0 twice its tolerance away.
void plant_bug(const OnnxTestArgs& a, const Tensor& t, std::vector<uint32_t>& bits) {
  if (bits.empty()) return;
  if (t.dtype == isa::DType::f32) {
    const double v = num::to_double<num::kF32>(bits[0]);
    bits[0] = num::from_double<num::kF32>(v + 2 * (a.atol + a.rtol * std::fabs(v)));
  } else {
    bits[0] ^= 1;
  }
}

// One data set; prints its line. Returns whether it passed.
bool run_set(const OnnxTestArgs& a, const onnx::ModelProto& m, const fs::path& set, const isa::Config& cfg,
             bool& cannot_compile) {
  const std::string label = set.filename().string();
  std::vector<OnnxTensor> expected;
  OnnxImport imp;
  Compiled c;
  SystemCompiled sys;
  std::optional<topo::Topology> topology;
  try {  // data of types the chip lacks cannot run either
    imp = import_onnx(m, load_numbered(set, "input", declared_types(m, false)),
                      (fs::path(a.dir) / "model.onnx").string(), {}, {.matmul = a.matmul.precision()});
    CompileOptions opt;
    opt.sram_reuse = a.sram_reuse;
    opt.stages = a.stages;
    if (a.topology.empty()) {
      c = compile(imp.graph, cfg, opt);
    } else {
      topology = topo::load_topology(a.topology, cfg);
      sys = compile_system(imp.graph, cfg, *topology, opt);
    }
    expected = load_numbered(set, "output", declared_types(m, true));
  } catch (const Error& e) {
    fmt::print(stderr, "{}\n", e.what());
    fmt::print("{}: cannot compile\n", label);
    cannot_compile = true;
    return false;
  }
  if (expected.size() != imp.outputs.size()) {
    fmt::print("{}: FAIL: {} expected outputs for {} model outputs\n", label, expected.size(), imp.outputs.size());
    return false;
  }
  Ran ran;
  if (!(topology ? run_system(sys, *topology, cfg, ran, label) : run_chip(c, cfg, ran, label))) return false;
  std::string why = ran.why;
  bool ok = why.empty();
  // ONNX tolerance, per model output.
  double max_abs = 0, max_rel = 0;
  std::string abs_at = "-", rel_at = "-";
  for (size_t k = 0; k < imp.outputs.size(); ++k) {
    const auto out = ran.outputs.find(imp.graph.tensor(imp.outputs[k].tensor).name);
    if (out == ran.outputs.end()) {
      ok = false;
      why += fmt::format("; no chip holds output '{}'", imp.outputs[k].onnx_name);
      continue;
    }
    const Tensor& t = *out->second.first;
    std::vector<uint32_t> bits = out->second.second;
    if (a.mutant == 1 && k == 0) plant_bug(a, t, bits);
    const ToleranceReport r = check_tolerance(t, bits, expected[k], a.rtol, a.atol);
    const std::string& name = imp.outputs[k].onnx_name;
    if (!r.pass) {
      ok = false;
      why += fmt::format("; output '{}': {}", name, r.why);
    }
    if (r.max_abs >= max_abs) max_abs = r.max_abs, abs_at = fmt::format("{}[{}]", name, r.max_abs_index);
    if (r.max_rel >= max_rel) max_rel = r.max_rel, rel_at = fmt::format("{}[{}]", name, r.max_rel_index);
    if (a.verbose)
      fmt::print("  output '{}' ({} {} elements): max abs err {:.3g} at [{}], max rel err {:.3g} at [{}]{}\n", name,
                 isa::dtype_desc(t.dtype).name, r.elements, r.max_abs, r.max_abs_index, r.max_rel, r.max_rel_index,
                 r.pass ? "" : ": " + r.why);
  }
  fmt::print(
      "{}: {}  {} cycles ({}predicted)  max abs err {:.3g} at {}  max rel err {:.3g} at {}  ({} chip ops, "
      "compiled in {:.1f} ms){}{}\n",
      label, ok ? "pass" : "FAIL", ran.cycles, ran.as_predicted ? "= " : "!= ", max_abs, abs_at, max_rel, rel_at,
      ran.chip_ops, 1e3 * ran.seconds,
      a.rtol != kOnnxRtol || a.atol != kOnnxAtol ? fmt::format(" (tolerance {:g} + {:g} |expected|)", a.atol, a.rtol)
                                                 : "",
      ok ? "" : ": " + why.substr(2));
  return ok;
}

int onnx_test_cmd(const OnnxTestArgs& a) {
  const isa::Config* cfg = isa::find_config(a.config);
  if (!cfg) throw Error(fmt::format("tsp onnx-test: error: unknown configuration '{}'", a.config));
  const fs::path dir(a.dir);
  onnx::ModelProto m;
  try {
    m = load_model((dir / "model.onnx").string());
  } catch (const Error& e) {
    fmt::print(stderr, "{}\n", e.what());
    return kCannotCompile;
  }
  std::vector<fs::path> sets;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0)
        sets.push_back(entry.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) throw Error(fmt::format("{}: error: no test_data_set_* directory", a.dir));
  if (a.set) {
    const fs::path one = dir / fmt::format("test_data_set_{}", *a.set);
    if (std::find(sets.begin(), sets.end(), one) == sets.end())
      throw Error(fmt::format("{}: error: --set {}: no {}", a.dir, *a.set, one.filename().string()));
    sets = {one};
  }
  if (a.stages && a.topology.empty())
    throw Error(fmt::format("{}: error: --stages without --topology: one chip has no pipeline stages", a.dir));
  // One SystemC simulation per process: a system runs one data set.
  if (!a.topology.empty() && sets.size() > 1)
    throw Error(
        fmt::format("{}: error: {} data sets: with --topology, run one at a time (--set N)", a.dir, sets.size()));
  if (a.verbose)
    fmt::print("{}: {} nodes, {} data sets, on {}\n", a.dir, m.graph().node_size(), sets.size(), cfg->name);
  bool all = true, cannot_compile = false;
  for (const fs::path& s : sets) all = run_set(a, m, s, *cfg, cannot_compile) && all;
  return cannot_compile ? kCannotCompile : all ? 0 : kFail;
}

}  // namespace

void add_onnx_test(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<OnnxTestArgs>();
  auto* cmd = app.add_subcommand(
      "onnx-test",
      "Run an ONNX backend node test directory (model.onnx, test_data_set_*) on the model; exit 0 pass, 1 fail, 2 "
      "the model cannot be compiled");
  cmd->add_option("dir", a->dir, "Test directory, e.g. /usr/share/libonnx-testdata/data/node/test_add")->required();
  cmd->add_option("--config", a->config, "Configuration (default tsp1)");
  cmd->add_flag("-v,--verbose", a->verbose, "Per-output errors");
  add_sram_reuse_option(cmd, a->sram_reuse);
  add_matmul_options(cmd, a->matmul);
  cmd->add_option("--rtol", a->rtol, "Relative tolerance (default ONNX's)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--atol", a->atol, "Absolute tolerance (default ONNX's)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--topology", a->topology,
                  "Compile for every chip of this topology (tsp compile --topology) and run the system: every chip "
                  "as predicted and bit for bit with the system's host reference, chip 0's outputs within tolerance");
  cmd->add_option("--set", a->set, "Run only test_data_set_N (with --topology, needed when there are several)");
  cmd->add_option("--stages", a->stages, "With --topology: pipeline stages (tsp compile --stages)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--plant-bug", a->mutant, "Test hook: 1 = output 0's element 0 moved twice its tolerance")->group("");
  cmd->callback([a, &exit_code] { exit_code = onnx_test_cmd(*a); });
}

}  // namespace tsp::cli
