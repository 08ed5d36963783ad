// libFuzzer target: parse() on arbitrary bytes. tsp::Error is the only
// acceptable failure; anything parsed must serialize back to the same bytes
// and survive the disassembler.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "common/error.hpp"
#include "firmware/asm/disassembler.hpp"
#include "firmware/image/image.hpp"

namespace {

void check(std::span<const uint8_t> bytes) {
  tsp::image::Image img;
  try {
    img = tsp::image::parse(bytes, "fuzz.img");
  } catch (const tsp::Error&) {
    return;
  }
  if (tsp::image::parse(tsp::image::serialize(img), "again.img") != img) std::abort();
  (void)tsp::disassembler::disassemble(img);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check({data, size});
  // Again with the CRC made right, so that mutations reach the section reader
  // instead of stopping at the checksum.
  if (size >= 64) {
    std::vector<uint8_t> fixed(data, data + size);
    const uint32_t crc = tsp::image::image_crc(fixed);
    for (unsigned i = 0; i < 4; ++i) fixed[24 + i] = static_cast<uint8_t>(crc >> (8 * i));
    check(fixed);
  }
  return 0;
}
