#pragma once
// Subcommands of `tsp`. Each add_* registers one subcommand on the app; when
// it is chosen, its callback stores the process exit code in `exit_code`.
#include <CLI/CLI.hpp>

namespace tsp::cli {

void add_info(CLI::App& app, int& exit_code);
void add_isa(CLI::App& app, int& exit_code);
void add_as(CLI::App& app, int& exit_code);
void add_dis(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);
void add_bench(CLI::App& app, int& exit_code);
void add_compile(CLI::App& app, int& exit_code);
void add_cosim(CLI::App& app, int& exit_code);
void add_onnx_test(CLI::App& app, int& exit_code);
void add_topo(CLI::App& app, int& exit_code);
void add_coverage(CLI::App& app, int& exit_code);

// Parses the command line and runs the chosen subcommand: its exit code, or
// CLI11's for a parse error, 1 for a tsp::Error and 3 for any other exception
// (printed; under mpirun every rank is ended). Also silences SystemC's banner.
int run_app(CLI::App& app, int argc, char** argv, const int& exit_code);

}  // namespace tsp::cli
