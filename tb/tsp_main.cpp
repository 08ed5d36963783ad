// `tsp`: the one command architects use (assemble, inspect, later run/cosim/compile).
#include <CLI/CLI.hpp>
#include <systemc>

#include "tb/commands.hpp"

// sc_main: libsystemc provides main(), which calls this.
int sc_main(int argc, char** argv) {
  CLI::App app{
      "tsp: tensor streaming processor model, assembler and tools.\n"
      "Typical use:  tsp info --config tsp1      geometry and capacities of a configuration\n"
      "              tsp as prog.tsp -o prog.img  assemble a program image\n"
      "              tsp dis prog.img             disassemble it back to text\n"
      "              tsp run prog.img             run it on the cycle-exact chip model\n"
      "              tsp run prog.img --wave waves/prog.fst   ... and write waves for GTKWave\n"
      "              tsp compile graph.txt -o g.img --check   compile a tensor graph, run it, check it\n"
      "              tsp cosim prog.img --rtl mem   the same on the model and the units' RTL in lock step\n"
      "              tsp onnx-test DIR            an ONNX node test (model.onnx, test_data_set_*) on the model\n"
      "              tsp topo dragonfly33 --svg d.svg   a multi-chip system: links, hops, picture\n"
      "Run `tsp <subcommand> --help` for the options of each."};
  app.require_subcommand(1);
  int exit_code = 0;
  tsp::cli::add_info(app, exit_code);
  tsp::cli::add_isa(app, exit_code);
  tsp::cli::add_as(app, exit_code);
  tsp::cli::add_dis(app, exit_code);
  tsp::cli::add_run(app, exit_code);
  tsp::cli::add_bench(app, exit_code);
  tsp::cli::add_compile(app, exit_code);
  tsp::cli::add_cosim(app, exit_code);
  tsp::cli::add_onnx_test(app, exit_code);
  tsp::cli::add_topo(app, exit_code);
  tsp::cli::add_coverage(app, exit_code);
  return tsp::cli::run_app(app, argc, argv, exit_code);
}
