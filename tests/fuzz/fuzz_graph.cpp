// libFuzzer target: the graph text parser (docs/compiler.md) on arbitrary
// text. tsp::Error ("file:line: error: ...") is the only acceptable failure;
// a program that parses must name a known configuration, if any, and hold
// tensors as large as their shapes say.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/isa/isa.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  tsp::compiler::Program p;
  try {
    p = tsp::compiler::parse_program(text, "fuzz.txt");
  } catch (const tsp::Error&) {
    return 0;
  }
  if (p.config && !tsp::isa::find_config(*p.config)) std::abort();
  for (const auto& t : p.graph.tensors())
    if (!t.data.empty() && t.data.size() != t.elements()) std::abort();
  return 0;
}
