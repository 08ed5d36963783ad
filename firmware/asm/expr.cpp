// Recursive descent over one expression, with checked 64-bit arithmetic.
#include "firmware/asm/expr.hpp"

namespace tsp::assembler {
namespace {

constexpr int kMaxDepth = 200;  // deep nesting would otherwise overflow the stack on hostile input

class ExprParser {
 public:
  ExprParser(TokenCursor& cur, const SymbolLookup& lookup) : cur_(cur), lookup_(lookup) {}

  int64_t shift() {
    int64_t v = additive();
    for (;;) {
      const Token& op = cur_.peek();
      if (!cur_.accept("<<") && !cur_.accept(">>")) return v;
      const int64_t amount = additive();
      if (amount < 0 || amount > 63) TokenCursor::fail(op, fmt::format("shift by {} out of range 0..63", amount));
      if (op.text == ">>") {
        v >>= amount;
      } else {
        const int64_t shifted = static_cast<int64_t>(static_cast<uint64_t>(v) << amount);
        if ((shifted >> amount) != v) TokenCursor::fail(op, "overflow in '<<'");
        v = shifted;
      }
    }
  }

 private:
  int64_t additive() {
    int64_t v = term();
    for (;;) {
      const Token& op = cur_.peek();
      if (!cur_.accept("+") && !cur_.accept("-")) return v;
      const int64_t rhs = term();
      const bool overflow = op.text == "+" ? __builtin_add_overflow(v, rhs, &v) : __builtin_sub_overflow(v, rhs, &v);
      if (overflow) TokenCursor::fail(op, fmt::format("overflow in '{}'", op.text));
    }
  }

  int64_t term() {
    int64_t v = unary();
    for (;;) {
      const Token& op = cur_.peek();
      if (!cur_.accept("*") && !cur_.accept("/") && !cur_.accept("%")) return v;
      const int64_t rhs = unary();
      if (op.text == "*") {
        if (__builtin_mul_overflow(v, rhs, &v)) TokenCursor::fail(op, "overflow in '*'");
        continue;
      }
      if (rhs == 0) TokenCursor::fail(op, "division by zero");
      if (v == INT64_MIN && rhs == -1) TokenCursor::fail(op, fmt::format("overflow in '{}'", op.text));
      v = op.text == "/" ? v / rhs : v % rhs;
    }
  }

  int64_t unary() {
    const Token& op = cur_.peek();
    if (cur_.accept("-")) {
      const int64_t v = nested([&] { return unary(); });
      if (v == INT64_MIN) TokenCursor::fail(op, "overflow in '-'");
      return -v;
    }
    if (cur_.accept("+")) return nested([&] { return unary(); });
    if (cur_.accept("~")) return ~nested([&] { return unary(); });
    return primary();
  }

  int64_t primary() {
    const Token& t = cur_.peek();
    if (cur_.accept("(")) {
      const int64_t v = nested([&] { return shift(); });
      cur_.expect(")", "to close the parenthesis");
      return v;
    }
    if (t.kind == TokenKind::Number) {
      cur_.next();
      if (auto v = parse_number(t.text)) return *v;
      TokenCursor::fail(t, fmt::format("bad number '{}'", t.text));
    }
    if (t.kind == TokenKind::Ident) {
      cur_.next();
      if (auto v = lookup_(t.text)) return *v;
      TokenCursor::fail(t, fmt::format("undefined symbol '{}'", t.text));
    }
    TokenCursor::fail(t, fmt::format("expected an expression, found {}", TokenCursor::describe(t)));
  }

  template <typename F>
  int64_t nested(F f) {
    if (++depth_ > kMaxDepth) TokenCursor::fail(cur_.peek(), "expression nested too deeply");
    const int64_t v = f();
    --depth_;
    return v;
  }

  TokenCursor& cur_;
  const SymbolLookup& lookup_;
  int depth_ = 0;
};

}  // namespace

int64_t parse_expr(TokenCursor& cur, const SymbolLookup& lookup) { return ExprParser(cur, lookup).shift(); }

}  // namespace tsp::assembler
