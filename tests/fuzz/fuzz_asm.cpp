// libFuzzer target: the assembler on arbitrary text. tsp::Error is the only
// acceptable failure; a program that assembles must disassemble and assemble
// back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/error.hpp"
#include "firmware/asm/assembler.hpp"
#include "firmware/asm/disassembler.hpp"
#include "firmware/image/image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  tsp::image::Image img;
  try {
    img = tsp::assembler::assemble(source, "fuzz.tsp");
  } catch (const tsp::Error&) {
    return 0;
  }
  const auto bytes = tsp::image::serialize(img);
  const auto back = tsp::assembler::assemble(tsp::disassembler::disassemble(img), "dis.tsp");
  if (tsp::image::serialize(back) != bytes) std::abort();
  return 0;
}
