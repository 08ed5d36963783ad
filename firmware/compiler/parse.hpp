#pragma once
// The graph text format (docs/compiler.md): one statement per line,
//   config mini
//   input x : f16[4, 40] random 7        (or: = 1.5 -2 0.25 ... row-major values)
//   const w : i8[40, 8] = 1 2 3 ...
//   y = add x x                          (ops: add sub mul max min relu exp tanh rsqrt sigmoid silu gelu matmul)
//   z = cast f32 y
//   t = transpose y [1, 0]               (no perm: the dimensions reversed)
//   g = gather w i                       (axis 0, i an i32 vector)
//   output y z
// Errors are "file:line: error: ..." tsp::Errors.
#include <optional>
#include <string>

#include "firmware/compiler/ir.hpp"

namespace tsp::compiler {

struct Program {
  Graph graph;
  std::optional<std::string> config;  // from a `config` line
};

struct ParseOptions {
  // Layers of any size (DecoderSpec::any_size): for a bound only (`tsp compile --bound-only`), never compiled.
  bool any_size = false;
  // The chips the program is compiled for (`tsp compile --topology`): a tensor may hold up to 2^24 elements on
  // one chip, 2^27 per chip on several.
  uint32_t chips = 1;
};

Program parse_program(const std::string& text, const std::string& file, const ParseOptions& options = {});
Program load_program(const std::string& path, const ParseOptions& options = {});

}  // namespace tsp::compiler
