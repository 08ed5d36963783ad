// `tsp as`: assemble a program image.
#include "tb/commands.hpp"
namespace tsp::cli {
void add_as(CLI::App&, int&) {}
void add_dis(CLI::App&, int&) {}
}  // namespace tsp::cli
