#pragma once
// Text to instructions: operand kinds (streams S3.E, enum names, numbers),
// type suffixes (ADD.f16, CVT.f32.f16). The way back is isa::format, whose
// canonical text this parses to the same word.
#include <string>

#include "firmware/asm/expr.hpp"
#include "firmware/isa/isa.hpp"

namespace tsp::assembler {

// Parses a mnemonic and its operands from the cursor up to the end of the line.
// Checks operand counts, field ranges (isa::fits) and type suffixes; not the
// queue- and configuration-dependent rules (isa::check_legal).
isa::Instr parse_instr(TokenCursor& cur, const SymbolLookup& lookup);

}  // namespace tsp::assembler
