#pragma once
// The one place that maps instructions to text and back: operand kinds
// (streams S3.E, enum names, numbers), type suffixes (ADD.f16, CVT.f32.f16).
// Used by the assembler and the disassembler alike.
#include <string>

#include "firmware/asm/expr.hpp"
#include "firmware/isa/isa.hpp"

namespace tsp::assembler {

// Canonical text, e.g. "CVT.f32.f16 S0.E, S2.E"; assembles back to the same word.
std::string format_instr(const isa::Instr& in);

// Parses a mnemonic and its operands from the cursor up to the end of the line.
// Checks operand counts, field ranges (isa::fits) and type suffixes; not the
// queue- and configuration-dependent rules (isa::check_legal).
isa::Instr parse_instr(TokenCursor& cur, const SymbolLookup& lookup);

}  // namespace tsp::assembler
