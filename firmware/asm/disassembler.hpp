#pragma once
// A program image back to canonical assembly text. assemble(disassemble(img))
// reproduces img exactly (source locations included, via `.loc`).
#include <string>

#include "firmware/image/image.hpp"

namespace tsp::disassembler {

std::string disassemble(const image::Image& img);

}  // namespace tsp::disassembler
