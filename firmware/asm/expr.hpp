#pragma once
// Integer expressions in operands and directives: decimal, 0x, 0b, symbols,
// unary - + ~, * / % + - << >> with C precedence, parentheses. 64-bit signed;
// overflow and division by zero are errors, never wrap-around.
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "firmware/asm/token_cursor.hpp"

namespace tsp::assembler {

using SymbolLookup = std::function<std::optional<int64_t>(std::string_view)>;

int64_t parse_expr(TokenCursor& cur, const SymbolLookup& lookup);

}  // namespace tsp::assembler
