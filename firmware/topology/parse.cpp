// Topology text (docs/topology.md) -> Topology. Hostile input must end in
// tsp::Error "file:line: error: why" and nothing else: every number is parsed
// whole and range checked before anything is allocated or indexed by it.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <optional>

#include "common/error.hpp"
#include "firmware/topology/generators.hpp"
#include "firmware/topology/topology.hpp"
#include "firmware/topology/wiring.hpp"

namespace tsp::topo {
namespace {

// The words of one line; `#` starts a comment.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  size_t i = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (i < line.size()) {
    while (i < line.size() && space(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !space(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

class Line {
 public:
  Line(std::vector<std::string_view> w, std::string where) : w_(std::move(w)), where_(std::move(where)) {}
  const std::string& where() const { return where_; }
  Error error(const std::string& why) const { return located(where_, why); }
  bool done() const { return i_ >= w_.size(); }
  std::string_view next(std::string_view what) {
    if (done()) throw error(fmt::format("expected {} at the end of the line", what));
    return w_[i_++];
  }
  uint32_t number(std::string_view what) { return whole(next(what), what); }
  uint32_t whole(std::string_view s, std::string_view what) const {
    uint32_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) throw error(fmt::format("{} '{}' is too large", what, s));
    if (ec != std::errc() || p != s.data() + s.size())
      throw error(fmt::format("{}: '{}' is not a whole number", what, s));
    return v;
  }
  double real(std::string_view what) {
    std::string_view s = next(what);
    const std::string_view text = s;
    if (s.starts_with('+')) s.remove_prefix(1);  // from_chars takes '-' but not '+'
    double v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty() || s.starts_with('-') != text.starts_with('-') ||
        !std::isfinite(v))
      throw error(fmt::format("{}: '{}' is not a number", what, text));
    return v;
  }
  // The optional `KEYWORD VALUE` at the end of a statement.
  std::optional<std::string_view> option(std::string_view keyword) {
    if (done()) return std::nullopt;
    const std::string_view k = next(keyword);
    if (k != keyword) throw error(fmt::format("expected '{}' or the end of the line, found '{}'", keyword, k));
    return next(fmt::format("a name after '{}'", keyword));
  }
  void end() const {
    if (!done()) throw error(fmt::format("unexpected '{}' after the statement", w_[i_]));
  }

 private:
  std::vector<std::string_view> w_;
  size_t i_ = 0;
  std::string where_;
};

class Parser {
 public:
  Parser(std::string_view file, const isa::Config& cfg) : file_(file), cfg_(cfg) {
    t_.name = std::filesystem::path(std::string(file)).stem().string();
  }

  void statement(Line& l, std::string_view verb) {
    using Handler = void (Parser::*)(Line&);
    static constexpr std::pair<std::string_view, Handler> kStatements[] = {
        {"chips", &Parser::chips}, {"node", &Parser::node}, {"clock", &Parser::clock},
        {"link", &Parser::link},   {"root", &Parser::root},
    };
    for (const auto& [name, handler] : kStatements)
      if (verb == name) return (this->*handler)(l);
    for (const Family& f : kFamilies)
      if (verb == f.name) return generator(l, f);
    std::string known;
    for (const auto& s : kStatements) known += std::string(s.first) + " ";
    for (const Family& f : kFamilies) known += std::string(f.name) + " ";
    known.pop_back();
    throw l.error(fmt::format("unknown statement '{}' ({})", verb, known));
  }

  Topology finish() {
    if (!wiring_)
      throw located(std::string(file_), "no chip count: write 'chips N' or a generator such as 'node8' first");
    validate_structure(t_, cfg_);
    return std::move(t_);
  }

 private:
  void set_chip_count(Line& l, std::string_view what) {
    if (wiring_)
      throw l.error(fmt::format("duplicate chip count: '{}' here and '{}' at {}", what, count_what_, t_.where));
    count_what_ = std::string(what);
    t_.where = l.where();
  }
  void need_chips(Line& l, std::string_view verb) const {
    if (!wiring_)
      throw l.error(fmt::format("'{}' before the chip count ('chips N' or a generator must come first)", verb));
  }
  uint32_t chip(Line& l, std::string_view what) {
    const uint32_t c = l.number(what);
    if (c >= t_.chips.size())
      throw l.error(fmt::format("chip {} out of range (the system has {} chips: 0..{})", c, t_.chips.size(),
                                t_.chips.size() - 1));
    return c;
  }
  // "A.P": the number check here; ranges are the wiring's.
  Port port(Line& l) {
    const std::string_view s = l.next("a port CHIP.PORT");
    const size_t dot = s.find('.');
    if (dot == std::string_view::npos) throw l.error(fmt::format("port '{}' is not CHIP.PORT", s));
    const uint32_t c = l.whole(s.substr(0, dot), "chip"), p = l.whole(s.substr(dot + 1), "port");
    if (p >= cfg_.c2c_links)
      throw l.error(fmt::format("port {}.{} out of range ({} chips have {} ports: 0..{})", c, p, cfg_.name,
                                cfg_.c2c_links, cfg_.c2c_links - 1));
    return {c, uint16_t(p)};
  }
  // A per-chip statement may be given once per chip.
  void once(Line& l, std::vector<std::string>& seen, uint32_t c, std::string_view verb) {
    if (!seen[c].empty()) throw l.error(fmt::format("duplicate '{}' for chip {} (first at {})", verb, c, seen[c]));
    seen[c] = l.where();
  }
  // The chip count is known: later links are checked against the ports wired so far.
  void started() {
    wiring_.emplace(t_, cfg_);
    for (size_t i = 0; i < t_.links.size(); ++i) wiring_->check_existing(i);
    clock_seen_.assign(t_.chips.size(), {});
    node_seen_.assign(t_.chips.size(), {});
  }

  void chips(Line& l) {
    set_chip_count(l, "chips");
    const uint32_t n = l.number("chip count");
    l.end();
    if (n == 0 || n > kMaxChips) throw l.error(fmt::format("chip count {} out of range (1..{})", n, kMaxChips));
    t_.chips.assign(n, Chip{0, 0, l.where()});
    started();
  }
  void node(Line& l) {
    need_chips(l, "node");
    const uint32_t c = chip(l, "chip");
    const uint32_t n = l.number("node");
    l.end();
    if (n >= kMaxChips) throw l.error(fmt::format("node {} out of range (0..{})", n, kMaxChips - 1));
    once(l, node_seen_, c, "node");
    t_.chips[c].node = n;
  }
  void clock(Line& l) {
    need_chips(l, "clock");
    const uint32_t c = chip(l, "chip");
    const double ppm = l.real("clock offset in ppm");
    l.end();
    if (std::abs(ppm) > kMaxClockPpm)
      throw l.error(fmt::format("clock offset {} ppm out of range (|ppm| <= {})", ppm, kMaxClockPpm));
    once(l, clock_seen_, c, "clock");
    t_.chips[c].clock_ppm = ppm;
    t_.chips[c].where = l.where();
  }
  void link(Line& l) {
    need_chips(l, "link");
    const Port a = port(l), b = port(l);
    const isa::CableDesc* cable = &isa::kCables[isa::kDefaultCable];
    if (const auto name = l.option("cable")) cable = &cable_or_throw(*name, l.where());
    l.end();
    wiring_->link(a, b, *cable, l.where());
  }
  void root(Line& l) {
    need_chips(l, "root");
    if (!root_where_.empty()) throw l.error(fmt::format("duplicate 'root' statement (first at {})", root_where_));
    t_.root = chip(l, "root chip");
    l.end();
    root_where_ = l.where();
  }
  void generator(Line& l, const Family& f) {
    set_chip_count(l, f.name);
    Spec s{f.kind, 1, nullptr};
    if (f.max_n) {
      s.n = l.number(f.kind == Kind::Racks ? "rack count" : "node count");
      if (const auto name = l.option("global_cable")) s.global = &cable_or_throw(*name, l.where());
    }
    l.end();
    generate(s, t_, cfg_, l.where());
    started();
  }

  std::string_view file_;
  const isa::Config& cfg_;
  Topology t_;
  std::optional<Wiring> wiring_;  // present once the chip count is known
  std::string count_what_, root_where_;
  std::vector<std::string> clock_seen_, node_seen_;
};

}  // namespace

Topology parse_topology(std::string_view text, std::string_view file, const isa::Config& cfg) {
  Parser p(file, cfg);
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    std::vector<std::string_view> w = words(line);
    if (w.empty()) continue;
    const std::string_view verb = w.front();
    Line l(std::move(w), fmt::format("{}:{}", file, line_no));
    l.next("a statement");
    p.statement(l, verb);
  }
  return p.finish();
}

}  // namespace tsp::topo
