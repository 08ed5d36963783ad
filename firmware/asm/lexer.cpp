// Splits one line of assembly into tokens.
#include "firmware/asm/lexer.hpp"

#include <fmt/format.h>

#include <limits>

namespace tsp::assembler {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_word_char(char c) { return is_alpha(c) || is_digit(c) || c == '.'; }

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a string literal starting at the opening quote; returns its contents.
std::string read_string(std::string_view line, size_t& i) {
  const auto start_col = static_cast<uint32_t>(i + 1);
  std::string out;
  for (++i; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      ++i;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= line.size()) break;
    if (line[i] == '"' || line[i] == '\\') {
      out += line[i];
    } else if (line[i] == 'x' && i + 2 < line.size() && hex_value(line[i + 1]) >= 0 && hex_value(line[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(line[i + 1]) * 16 + hex_value(line[i + 2]));
      i += 2;
    } else {
      throw SyntaxError{static_cast<uint32_t>(i), "unknown escape in string (use \\\", \\\\ or \\xHH)"};
    }
  }
  throw SyntaxError{start_col, "unterminated string"};
}

}  // namespace

std::vector<Token> tokenize(std::string_view line) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    const auto col = static_cast<uint32_t>(i + 1);
    if (c == ';') break;
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '"') {
      out.push_back({TokenKind::String, read_string(line, i), col});
      continue;
    }
    if (is_word_char(c)) {
      const size_t start = i;
      while (i < line.size() && is_word_char(line[i])) ++i;
      std::string text(line.substr(start, i - start));
      const TokenKind kind = c == '.' ? TokenKind::Directive : is_digit(c) ? TokenKind::Number : TokenKind::Ident;
      out.push_back({kind, std::move(text), col});
      continue;
    }
    const std::string_view two = line.substr(i, 2);
    if (two == "<<" || two == ">>") {
      out.push_back({TokenKind::Punct, std::string(two), col});
      i += 2;
      continue;
    }
    if (std::string_view(",:()[]+-*/%~").find(c) != std::string_view::npos) {
      out.push_back({TokenKind::Punct, std::string(1, c), col});
      ++i;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    throw SyntaxError{col, byte >= 0x20 && byte < 0x7f ? fmt::format("unexpected character '{}'", c)
                                                       : fmt::format("unexpected byte 0x{:02x}", byte)};
  }
  out.push_back({TokenKind::End, "", static_cast<uint32_t>(line.size() + 1)});
  return out;
}

std::optional<int64_t> parse_number(std::string_view text) {
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
    base = 2;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    const int digit = hex_value(c);
    if (digit < 0 || static_cast<unsigned>(digit) >= base) return std::nullopt;
    if (value > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - static_cast<unsigned>(digit)) / base)
      return std::nullopt;
    value = value * base + static_cast<unsigned>(digit);
  }
  return static_cast<int64_t>(value);
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", c);
    else if (byte < 0x20 || byte >= 0x7f)
      out += fmt::format("\\x{:02x}", byte);
    else
      out += c;
  }
  return out + "\"";
}

}  // namespace tsp::assembler
