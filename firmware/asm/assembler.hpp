#pragma once
// The TSP assembly language (docs/assembly.md) to a program image.
#include <string>
#include <string_view>

#include "firmware/image/image.hpp"

namespace tsp::assembler {

// Assembles `source`; `file` names it in diagnostics and in the image's file
// table. Collects every diagnostic of the file, then throws one tsp::Error
// whose message holds them all, one per line: "file:line:col: error: ...".
image::Image assemble(std::string_view source, const std::string& file);
image::Image assemble_file(const std::string& path);

}  // namespace tsp::assembler
