#pragma once
// Walks the tokens of one line; every failure is a SyntaxError at a column.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "firmware/asm/lexer.hpp"

namespace tsp::assembler {

class TokenCursor {
 public:
  explicit TokenCursor(const std::vector<Token>& tokens) : tokens_(tokens) {}

  // The token `ahead` places on; the End token past the end of the line.
  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& next() { return at_end() ? tokens_[pos_] : tokens_[pos_++]; }
  bool at_end() const { return tokens_[pos_].kind == TokenKind::End; }
  bool accept(std::string_view punct) {
    if (!peek().is(punct)) return false;
    ++pos_;
    return true;
  }
  void expect(std::string_view punct, std::string_view context) {
    if (!accept(punct)) fail(peek(), fmt::format("expected '{}' {}, found {}", punct, context, describe(peek())));
  }
  const Token& expect_ident(std::string_view what) {
    if (peek().kind != TokenKind::Ident) fail(peek(), fmt::format("expected {}, found {}", what, describe(peek())));
    return next();
  }
  [[noreturn]] static void fail(const Token& at, std::string what) { throw SyntaxError{at.col, std::move(what)}; }
  static std::string describe(const Token& t) {
    if (t.kind == TokenKind::End) return "end of line";
    if (t.kind == TokenKind::String) return "a string";
    return fmt::format("'{}'", t.text);
  }

 private:
  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
};

}  // namespace tsp::assembler
