#pragma once
// Tokens of one line of TSP assembly (docs/assembly.md). Identifiers may hold
// dots, so queue names (MEM.W.3), streams (S3.E) and suffixed mnemonics
// (ADD.f16) are single tokens; a leading dot makes a directive (.queue).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tsp::assembler {

enum class TokenKind { Ident, Directive, Number, String, Punct, End };

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;  // as written; for String the decoded contents
  uint32_t col = 0;  // 1-based column of the first character
  bool is(std::string_view punct) const { return kind == TokenKind::Punct && text == punct; }
};

// A syntax error at a column of the current line (lexer, expressions, operands).
struct SyntaxError {
  uint32_t col;
  std::string what;
};

// Tokens of `line` up to its `;` comment, ending with an End token.
// Throws SyntaxError. Numbers are not evaluated here (see parse_number).
std::vector<Token> tokenize(std::string_view line);

// Decimal, 0x hex or 0b binary, up to INT64_MAX; nullopt when malformed or too large.
std::optional<int64_t> parse_number(std::string_view text);

// A string literal with \" \\ and \xHH escapes for everything unprintable.
std::string quote(std::string_view s);

}  // namespace tsp::assembler
