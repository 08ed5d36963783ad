// Instruction text <-> isa::Instr, driven entirely by the generated field tables.
#include "firmware/asm/instr_syntax.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace tsp::assembler {
namespace {

using isa::FieldDesc;
using isa::FieldKind;

// "S<n>.E" / "S<n>.W", any case.
std::optional<int64_t> parse_stream(std::string_view text) {
  if (text.size() < 4 || (text[0] != 'S' && text[0] != 's') || text[text.size() - 2] != '.') return std::nullopt;
  const char dir = static_cast<char>(text.back() | 0x20);
  if (dir != 'e' && dir != 'w') return std::nullopt;
  const std::string_view digits = text.substr(1, text.size() - 3);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  const auto index = parse_number(digits);
  if (!index || *index >= (int64_t{1} << isa::kStreamIndexBits)) return std::nullopt;
  return isa::StreamRef{static_cast<uint8_t>(*index), dir == 'w'}.code();
}

std::string enum_choices(const FieldDesc& f) { return fmt::format("{}", fmt::join(f.enum_values, ", ")); }

std::string field_list(const isa::OpDesc& d) {
  std::vector<std::string_view> names;
  for (const auto& f : d.fields)
    if (f.kind != FieldKind::Type) names.push_back(f.name);
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

int64_t parse_operand(TokenCursor& cur, const FieldDesc& f, const SymbolLookup& lookup) {
  const Token& t = cur.peek();
  if (f.kind == FieldKind::Stream) {
    if (auto v = t.kind == TokenKind::Ident ? parse_stream(t.text) : std::nullopt) {
      cur.next();
      return *v;
    }
    TokenCursor::fail(t, fmt::format("{}: expected a stream S<n>.E or S<n>.W (n < {}), found {}", f.name,
                                     1u << isa::kStreamIndexBits, TokenCursor::describe(t)));
  }
  if (f.kind == FieldKind::Enum) {
    for (size_t i = 0; i < f.enum_values.size(); ++i) {
      if (t.kind == TokenKind::Ident && isa::equal_nocase(t.text, f.enum_values[i])) {
        cur.next();
        return static_cast<int64_t>(i);
      }
    }
    TokenCursor::fail(
        t, fmt::format("{}: expected one of {}, found {}", f.name, enum_choices(f), TokenCursor::describe(t)));
  }
  const int64_t v = parse_expr(cur, lookup);
  if (!isa::fits(f, v))
    TokenCursor::fail(t, fmt::format("{} = {} out of range ({}-bit {})", f.name, v, f.width,
                                     f.kind == FieldKind::Simm ? "signed" : "unsigned"));
  return v;
}

}  // namespace

isa::Instr parse_instr(TokenCursor& cur, const SymbolLookup& lookup) {
  const Token& head = cur.next();
  const std::string_view word = head.text;
  const size_t dot = word.find('.');
  const isa::OpDesc* d = isa::find_op(word.substr(0, dot));
  if (!d) TokenCursor::fail(head, fmt::format("unknown mnemonic '{}'", word.substr(0, dot)));
  isa::Instr in;
  in.op = d->op;

  // Type suffixes, one per type field in field order.
  std::vector<std::string_view> suffixes;
  for (size_t at = dot; at != std::string_view::npos;) {
    const size_t end = word.find('.', at + 1);
    suffixes.push_back(word.substr(at + 1, end == std::string_view::npos ? end : end - at - 1));
    at = end;
  }
  const auto type_fields =
      std::count_if(d->fields.begin(), d->fields.end(), [](const FieldDesc& f) { return f.kind == FieldKind::Type; });
  if (static_cast<long>(suffixes.size()) != type_fields)
    TokenCursor::fail(head,
                      fmt::format("{} takes {} type suffix(es), found {}", d->mnemonic, type_fields, suffixes.size()));

  size_t suffix = 0, operands = 0;
  for (size_t i = 0; i < d->fields.size(); ++i) {
    const FieldDesc& f = d->fields[i];
    if (f.kind == FieldKind::Type) {
      const isa::DTypeDesc* t = isa::find_dtype(suffixes[suffix++]);
      if (!t) TokenCursor::fail(head, fmt::format("{}: unknown type '{}'", d->mnemonic, suffixes[suffix - 1]));
      in.operand[i] = static_cast<int64_t>(t->type);
      continue;
    }
    if (cur.at_end() || (operands > 0 && !cur.peek().is(",")))
      TokenCursor::fail(cur.peek(), fmt::format("{} takes operands ({}); found {} instead of {}", d->mnemonic,
                                                field_list(*d), TokenCursor::describe(cur.peek()), f.name));
    if (operands++ > 0) cur.next();
    in.operand[i] = parse_operand(cur, f, lookup);
  }
  if (!cur.at_end())
    TokenCursor::fail(cur.peek(), fmt::format("too many operands: {} takes ({})", d->mnemonic, field_list(*d)));

  // Types the op does not allow, found by the decoder (one source of truth for that rule).
  std::string why;
  if (!isa::decode(isa::encode(in), &why)) TokenCursor::fail(head, why);
  return in;
}

}  // namespace tsp::assembler
