// `tsp compile`: a graph program (docs/compiler.md) to a scheduled program
// image, with the predicted cycles and per-unit utilisation; --report writes
// the schedule view (SVG), --png the same rendered by rsvg-convert (librsvg2-bin). --run runs the image on the SystemC
// model and checks the cycle count against the prediction; --check also compares every output tensor bit for bit with
// the host reference (the compiler holds the graph, so the check lives here rather than in `tsp run`).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "common/error.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/onnx_import.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/reference.hpp"
#include "firmware/compiler/report_svg.hpp"
#include "firmware/topology/topology.hpp"
#include "systemc/sim/run_image.hpp"
#include "systemc/sim/tensor_dump.hpp"
#include "tb/commands.hpp"
#include "tb/compile_system_cmd.hpp"
#include "tb/onnx_compile_options.hpp"
#include "tb/run_tool.hpp"

namespace tsp::cli {
namespace {

struct CompileArgs {
  std::string program, output, config, report, png;
  std::string inputs;  // an ONNX model's data inputs: DIR/input_K.pb
  bool run = false, check = false, quiet = false, embed = false;
  bool bound_only = false;                    // the lower bound of the lowered graph, without placing or scheduling it
  std::optional<uint64_t> generated_weights;  // seed
  bool as_bytes = false;
  compiler::SramReuse sram_reuse = compiler::SramReuse::Auto;
  bool no_fuse = false;
  MatmulFlags matmul;
  std::string topology;  // compile for the chips of this topology (system.hpp)
  uint32_t stages = 0;   // pipeline stages (0: the fewest that hold the weights)
};

int run_and_check(const CompileArgs& a, const compiler::Compiled& c, const isa::Config& cfg) {
  const compiler::Graph& g = c.graph;  // expanded: the graph the image computes
  std::vector<std::vector<uint32_t>> got(g.tensors().size());
  model::RunOptions opt;
  opt.inspect = [&](uint32_t, model::ChipEngine& engine) {
    for (size_t i = 0; i < g.tensors().size(); ++i)
      if (g.tensors()[i].output)
        got[i] = compiler::unpack(g.tensors()[i], cfg.lanes,
                                  model::read_tensor(engine, compiler::symbol_of(c.image, g.tensors()[i])));
  };
  const model::RunReport r = model::run_image(c.image, opt);
  if (!r.ok()) {
    fmt::print(stderr, "{}\n", r.first_error());
    return 1;
  }
  int rc = 0;
  if (r.cycles != c.predicted_cycles) {
    fmt::print(stderr, "{}: error: simulated {} cycles but the compiler predicted {}\n", a.program, r.cycles,
               c.predicted_cycles);
    rc = 1;
  } else if (!a.quiet) {
    fmt::print("model: {} cycles, as predicted\n", r.cycles);
  }
  if (!a.check) return rc;
  const auto want = compiler::run_reference(g, cfg.mxm_dim);
  const auto bad = compiler::compare_outputs(g, want, got);
  for (const auto& m : bad)
    fmt::print(stderr, "{}: error: output {} element {}: model 0x{:x}, host reference 0x{:x}\n", a.program, m.tensor,
               m.index, m.got, m.want);
  if (!bad.empty()) return 1;
  if (!a.quiet) {
    uint64_t n = 0;
    for (const auto& t : g.tensors())
      if (t.output) n += t.elements();
    fmt::print("check: {} output elements equal the host reference bit for bit\n", n);
  }
  return rc;
}

// A graph program, or an ONNX model with its data inputs from --inputs DIR
// (input_0.pb, ...: a node test's test_data_set_N layout).
compiler::Program load(const CompileArgs& a) {
  if (std::filesystem::path(a.program).extension() != ".onnx") {
    if (!a.inputs.empty()) throw Error("tsp compile: error: --inputs is for .onnx models");
    if (a.matmul.any())
      throw Error(fmt::format("tsp compile: error: --{}-matmul is for .onnx models (a graph program says f16 or i8 "
                              "where it means it)",
                              a.matmul.int8 ? "int8" : "f16"));
    // A system's tensors may be as large as its chips hold together (counted on
    // --config's topology, or tsp1's: the program's config line is not read yet).
    uint32_t chips = 1;
    if (!a.topology.empty()) {
      const isa::Config* cfg = isa::find_config(a.config.empty() ? "tsp1" : a.config);
      if (cfg) chips = static_cast<uint32_t>(topo::load_topology(a.topology, *cfg).chips.size());
    }
    return compiler::load_program(a.program, {.any_size = a.bound_only, .chips = chips});
  }
  const onnx::ModelProto m = compiler::load_model(a.program);
  const std::vector<compiler::OnnxTensor> data =
      a.inputs.empty() ? std::vector<compiler::OnnxTensor>{}
                       : compiler::load_numbered(a.inputs, "input", compiler::declared_types(m, false));
  compiler::Program p;
  p.graph = compiler::import_onnx(m, data, a.program, {}, {.matmul = a.matmul.precision()}).graph;
  return p;
}

// --bound-only: expand and lower (no placement, no schedule, no image) and print
// the bound with how each term came about: a layer share too large to compile.
int bound_only_cmd(const CompileArgs& a, const compiler::Program& p, const isa::Config& cfg) {
  if (a.run || a.check || !a.output.empty() || !a.report.empty() || !a.png.empty() || a.embed || a.generated_weights)
    throw Error(
        "tsp compile: error: --bound-only makes no image: it takes none of -o, --report, --png, --run, "
        "--check, --embed-reference, --generated-weights");
  if (!a.topology.empty())
    throw Error(
        "tsp compile: error: --bound-only bounds one chip's graph, not a system's: --topology is not taken (not "
        "yet)");
  const compiler::Bound b = compiler::bound_only(p.graph, cfg);
  fmt::print("{}: {} nodes on {}: bound {} cycles ({}) = {:.3f} us at {} MHz\n", a.program, p.graph.nodes().size(),
             cfg.name, b.cycles, b.binding, double(b.cycles) / cfg.clock_mhz, cfg.clock_mhz);
  for (const auto& t : b.terms) fmt::print("  {:8} {:>9}  {}\n", t.name, t.cycles, t.how);
  return 0;
}

int compile_cmd(const CompileArgs& a) {
  const compiler::Program p = load(a);
  const std::string cfg_name = !a.config.empty() ? a.config : p.config.value_or("tsp1");
  const isa::Config* cfg = isa::find_config(cfg_name);
  if (!cfg) throw Error(fmt::format("tsp compile: error: unknown configuration '{}'", cfg_name));
  if (a.bound_only) return bound_only_cmd(a, p, *cfg);
  compiler::CompileOptions opt;
  opt.source_file = a.program;
  opt.embed_reference = a.embed;
  opt.generated_weights = a.generated_weights;
  opt.generated_as_bytes = a.as_bytes;
  opt.sram_reuse = a.sram_reuse;
  opt.fuse = !a.no_fuse;
  opt.keep_schedule = !a.report.empty() || !a.png.empty();  // only the schedule view reads it
  if (a.as_bytes && !a.generated_weights)
    throw Error("tsp compile: error: --weights-as-bytes without --generated-weights: it carries the generated values");
  opt.stages = a.stages;
  if (a.stages && a.topology.empty())
    throw Error("tsp compile: error: --stages without --topology: one chip has no pipeline stages");
  if (!a.topology.empty())
    return compile_system_cmd({a.program, a.output, a.topology, a.report, a.png, a.run, a.check, a.quiet}, p.graph,
                              *cfg, opt);
  const compiler::Compiled c = compiler::compile(p.graph, *cfg, opt);  // c.graph: expanded
  if (!a.output.empty()) image::save_file(c.image, a.output);
  write_schedule_view(a.report, a.png, [&] { return compiler::schedule_svg(c, *cfg); });
  if (!a.quiet) {
    fmt::print("{}: {} nodes ({} chip ops) on {}: predicted {} cycles = {:.3f} us at {} MHz; compiled in {:.3f} s\n",
               a.program, p.graph.nodes().size(), c.graph.nodes().size(), cfg->name, c.predicted_cycles,
               double(c.predicted_cycles) / cfg->clock_mhz, cfg->clock_mhz, c.seconds);
    std::string util;
    for (const auto& [u, use] : c.units)
      if (u != isa::Unit::ICU && use.queues)
        util += fmt::format("  {} {:.1f}% ({} slots on {} queues)", isa::unit_name(u), 100 * c.utilisation(u), use.busy,
                            use.queues);
    fmt::print("utilisation:{}\n", util);
    fmt::print("{}\n", c.bound.summary(c.predicted_cycles));
    fmt::print("{}\n", c.bound.terms_line());
    fmt::print("SRAM: {:.1f} MB of {:.1f} MB spanned by the placement\n", c.sram_bytes / 1e6,
               double(cfg->mem_slices) * cfg->mem_addresses * cfg->lanes / 1e6);
    if (c.fused_ops)
      fmt::print("fusion: {} elementwise results stream into the next VXM op (not written, no symbol)\n", c.fused_ops);
    if (c.sram_reused)
      fmt::print("SRAM reuse: {} tensors take addresses of dead ones; {} are overwritten and have no symbol\n",
                 std::count_if(c.placement.begin(), c.placement.end(), [](const auto& q) { return !q.reuses.empty(); }),
                 c.overwritten_tensors);
    if (a.generated_weights)
      fmt::print("generated weights: {} tensors (seed {}{}), image {} bytes of SRAM segments\n", c.generated_tensors,
                 *a.generated_weights, a.as_bytes ? ", carried as bytes" : "", c.image.sram_segment_bytes());
  }
  if (a.run || a.check) return run_and_check(a, c, *cfg);
  return 0;
}

}  // namespace

void write_schedule_view(const std::string& report, const std::string& png,
                         const std::function<std::string()>& svg_text) {
  // --png without --report: the SVG lands next to the PNG.
  const std::string svg = !report.empty() ? report
                          : png.empty()   ? ""
                                          : std::filesystem::path(png).replace_extension(".svg").string();
  if (svg.empty()) return;
  std::ofstream f(svg);
  f << svg_text();
  if (!f) throw Error(fmt::format("tsp compile: error: cannot write {}", svg));
  f.close();
  if (!png.empty())
    run_tool({.argv = {"rsvg-convert", "-o", png, svg},
              .caller = "tsp compile",
              .purpose = "rendering " + png,
              .hint = "rsvg-convert is in Debian's librsvg2-bin, scripts/install-deps installs it",
              .discard_stdout = true});
}

void add_compile(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CompileArgs>();
  auto* cmd = app.add_subcommand("compile", "Compile a graph program (docs/compiler.md) into a program image");
  cmd->add_option("program", a->program, "Graph program text")->required();
  cmd->add_option("-o,--output", a->output, "Write the program image here");
  cmd->add_option("--config", a->config, "Configuration (default: the program's `config` line, else tsp1)");
  cmd->add_option("--report", a->report, "Write the schedule view (SVG Gantt chart) here");
  cmd->add_option("--png", a->png, "Also render the schedule view as a PNG here (rsvg-convert)");
  cmd->add_option("--inputs", a->inputs,
                  "For a .onnx model: the directory of its data inputs (input_0.pb, input_1.pb, ... as in ONNX's "
                  "test_data_set_N)");
  cmd->add_flag("--embed-reference", a->embed,
                "Embed the host reference's output values in the image: `tsp run IMAGE --check` compares them");
  cmd->add_option("--generated-weights", a->generated_weights,
                  "SEED: MatMul weights of integer, f16 and bf16 types become generated SRAM (docs/image-format.md, \"Generated "
                  "SRAM\"): the image carries the seed, not the bytes; the host reference uses the same values (with "
                  "--topology: each chip's own)");
  cmd->add_flag("--weights-as-bytes", a->as_bytes,
                "With --generated-weights: the same weight values, but carried as bytes in the image");
  add_sram_reuse_option(cmd, a->sram_reuse);
  add_matmul_options(cmd, a->matmul);
  cmd->add_flag("--no-fuse", a->no_fuse,
                "Write every elementwise result to SRAM instead of streaming chains of VXM ops from ALU to ALU "
                "(docs/compiler.md, \"Elementwise fusion\"): every intermediate can then be read back");
  cmd->add_option("--topology", a->topology,
                  "Compile for every chip of this topology (a built-in such as node8, or a file; every pair of chips "
                  "directly linked): MatMuls split by columns, results gathered over the links (docs/compiler.md, "
                  "\"Systems\"); one image for the system");
  cmd->add_option("--stages", a->stages,
                  "With --topology: pipeline stages over its nodes (default: the fewest whose chips hold the weights; "
                  "docs/compiler.md, \"Systems\")")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--run", a->run, "Run the image on the model; fail unless cycles == prediction");
  cmd->add_flag("--check", a->check, "--run, and compare every output with the host reference bit for bit");
  cmd->add_flag("-q,--quiet", a->quiet, "Print errors only");
  cmd->add_flag("--bound-only", a->bound_only,
                "Print the lower bound of the expanded, lowered graph and its terms (docs/compiler.md, \"Lower "
                "bound\"), without placing or scheduling it: for graphs too large for one chip");
  cmd->callback([a, &exit_code] { exit_code = compile_cmd(*a); });
}

}  // namespace tsp::cli
