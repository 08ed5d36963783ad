// Assembly text -> program image: directives, labels, symbols, instructions,
// timing (.at) and source locations (.loc). Every diagnostic of the file is
// collected before one tsp::Error reports them all.
#include "firmware/asm/assembler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "common/error.hpp"
#include "firmware/asm/expr.hpp"
#include "firmware/asm/instr_syntax.hpp"
#include "firmware/asm/lexer.hpp"
#include "firmware/asm/queue_clock.hpp"

namespace tsp::assembler {
namespace {

using image::SourceLoc;

// `.at` pads with NOPs; a gap needing more than this many is almost surely a typo.
constexpr uint64_t kMaxPaddingNops = 64;

struct Diagnostic {
  uint32_t line, col;
  std::string what;
};

struct QueueBuild {
  uint32_t defined_at = 0;  // line of its .queue
  std::vector<uint64_t> words;
  std::vector<std::optional<SourceLoc>> locs;
  QueueClock clock;
};

struct ChipBuild {
  std::map<uint16_t, QueueBuild> queues;
};

struct OpenSegment {
  uint32_t line, col;
  image::SramSegment seg;
};

// Where following instructions say they come from.
enum class LocMode { Auto, Fixed, Off };  // Auto: their own line in this file

class Assembler {
 public:
  explicit Assembler(const std::string& file) : file_(file) {}

  image::Image run(std::string_view source) {
    for (size_t start = 0; start <= source.size() && !stopped_;) {
      size_t end = source.find('\n', start);
      if (end == std::string_view::npos) end = source.size();
      ++line_;
      process_line(source.substr(start, end - start));
      start = end + 1;
    }
    close_segment();
    if (!cfg_ && !stopped_) diags_.push_back({1, 1, "missing '.config NAME' (it must be the first statement)"});
    if (!diags_.empty()) throw Error(report());
    return finish();
  }

 private:
  void process_line(std::string_view text) {
    try {
      const std::vector<Token> tokens = tokenize(text);
      TokenCursor cur(tokens);
      statement(cur);
    } catch (const SyntaxError& e) {
      error(e.col, e.what);
    }
  }

  void statement(TokenCursor& cur) {
    while (cur.peek().kind == TokenKind::Ident && cur.peek(1).is(":")) {
      close_segment();
      const Token& name = cur.next();
      cur.next();
      if (!queue_) TokenCursor::fail(name, fmt::format("label '{}' outside a .queue", name.text));
      define(name, static_cast<int64_t>(queue_->words.size()));
    }
    if (cur.at_end()) return;
    const Token& head = cur.peek();
    if (!cfg_ && !(head.kind == TokenKind::Directive && isa::equal_nocase(head.text, ".config"))) {
      stopped_ = true;  // nothing else can be checked without the geometry
      TokenCursor::fail(head, "the first statement must be '.config NAME'");
    }
    if (head.kind == TokenKind::Directive) {
      if (!isa::equal_nocase(head.text, ".hex")) close_segment();
      cur.next();
      directive(head, cur);
      if (!cur.at_end()) TokenCursor::fail(cur.peek(), fmt::format("unexpected {}", TokenCursor::describe(cur.peek())));
    } else if (head.kind == TokenKind::Ident) {
      close_segment();
      instruction(cur);
    } else {
      TokenCursor::fail(
          head, fmt::format("expected a directive, label or instruction, found {}", TokenCursor::describe(head)));
    }
  }

  void directive(const Token& head, TokenCursor& cur) {
    std::string name = head.text;
    std::transform(name.begin(), name.end(), name.begin(), [](char c) { return static_cast<char>(c | 0x20); });
    if (name == ".config") return dir_config(head, cur);
    if (name == ".chips") return dir_chips(head, cur);
    if (name == ".predict") return dir_predict(head, cur);
    if (name == ".file") return dir_file(cur);
    if (name == ".chip") return dir_chip(cur);
    if (name == ".queue") return dir_queue(cur);
    if (name == ".equ") return dir_equ(cur);
    if (name == ".tensor") return dir_tensor(cur);
    if (name == ".sram") return dir_sram(head, cur);
    if (name == ".hex") return dir_hex(head, cur);
    if (name == ".generated") return dir_generated(head, cur);
    if (name == ".at") return dir_at(head, cur);
    if (name == ".loc") return dir_loc(head, cur);
    TokenCursor::fail(head, fmt::format("unknown directive '{}'", head.text));
  }

  void dir_config(const Token& head, TokenCursor& cur) {
    if (cfg_) TokenCursor::fail(head, "duplicate .config");
    const Token& t = cur.expect_ident("a configuration name");
    cfg_ = isa::find_config(t.text);
    if (!cfg_) {
      std::string known;
      for (const auto& c : isa::kConfigs) known += (known.empty() ? "" : ", ") + std::string(c.name);
      stopped_ = true;  // nothing else can be checked without the geometry
      TokenCursor::fail(t, fmt::format("unknown configuration '{}' (known: {})", t.text, known));
    }
    img_.config = cfg_->name;
  }

  void dir_chips(const Token& head, TokenCursor& cur) {
    if (chips_seen_) TokenCursor::fail(head, "duplicate .chips");
    if (!img_.chips.empty()) TokenCursor::fail(head, ".chips must come before .chip, .queue, .sram and .tensor");
    chips_seen_ = true;
    const Token& at = cur.peek();
    const int64_t n = expr(cur);
    if (n < 1 || n > image::kMaxChips)
      TokenCursor::fail(at, fmt::format("chip count {} out of range 1..{}", n, image::kMaxChips));
    chip_count_ = static_cast<uint32_t>(n);
  }

  void dir_predict(const Token& head, TokenCursor& cur) {
    if (img_.has_prediction) TokenCursor::fail(head, "duplicate .predict");
    const Token& at = cur.peek();
    const int64_t n = expr(cur);
    if (n < 0) TokenCursor::fail(at, fmt::format("predicted cycle count {} is negative", n));
    img_.has_prediction = true;
    img_.predicted_cycles = static_cast<uint64_t>(n);
  }

  void dir_file(TokenCursor& cur) {
    const Token& t = string_operand(cur, "a file name");
    if (std::find(img_.files.begin(), img_.files.end(), t.text) != img_.files.end())
      TokenCursor::fail(t, fmt::format("file {} already declared", quote(t.text)));
    img_.files.push_back(t.text);
  }

  void dir_chip(TokenCursor& cur) {
    lock_chips();
    const Token& at = cur.peek();
    const int64_t k = expr(cur);
    if (k < 0 || k >= static_cast<int64_t>(chip_count_))
      TokenCursor::fail(at, fmt::format("chip {} does not exist ({} chips; see .chips)", k, chip_count_));
    chip_ = static_cast<size_t>(k);
    queue_ = nullptr;
  }

  void dir_queue(TokenCursor& cur) {
    lock_chips();
    queue_ = nullptr;
    const Token& t = cur.expect_ident("a queue name");
    const auto id = isa::find_queue(*cfg_, t.text);
    if (!id) TokenCursor::fail(t, fmt::format("unknown queue '{}' in configuration {}", t.text, cfg_->name));
    auto [it, inserted] = chips_[chip_].queues.try_emplace(*id);
    if (!inserted)
      TokenCursor::fail(t, fmt::format("queue {} of chip {} already defined at line {}", cfg_->queue_table[*id].name,
                                       chip_, it->second.defined_at));
    it->second.defined_at = line_;
    queue_ = &it->second;
    queue_id_ = *id;
    loc_mode_ = LocMode::Auto;
  }

  void dir_equ(TokenCursor& cur) {
    const Token& name = cur.expect_ident("a symbol name");
    cur.expect(",", "after the symbol name");
    define(name, expr(cur));
  }

  void dir_tensor(TokenCursor& cur) {
    lock_chips();
    image::Symbol sym;
    const Token& name = cur.expect_ident("a tensor name");
    sym.name = name.text;
    sym.chip = static_cast<uint32_t>(chip_);
    cur.expect(",", "after the tensor name");
    sym.slice = slice_operand(cur);
    cur.expect(",", "after the slice");
    sym.address = u32_operand(cur, "address");
    cur.expect(",", "after the address");
    sym.vectors = u32_operand(cur, "vector count");
    cur.expect(",", "after the vector count");
    const Token& type = cur.expect_ident("an element type");
    const isa::DTypeDesc* dt = isa::find_dtype(type.text);
    if (!dt) TokenCursor::fail(type, fmt::format("unknown type '{}'", type.text));
    sym.dtype = dt->type;
    cur.expect(",", "after the type");
    cur.expect("[", "to open the shape");
    while (!cur.peek().is("]")) {
      if (!sym.shape.empty()) cur.expect(",", "between dimensions");
      sym.shape.push_back(u32_operand(cur, "dimension"));
    }
    cur.next();
    if (auto why = image::check_symbol(img_, *cfg_, sym)) TokenCursor::fail(name, *why);
    define(name, sym.address);
    img_.symbols.push_back(std::move(sym));
  }

  void dir_sram(const Token& head, TokenCursor& cur) {
    lock_chips();
    OpenSegment open{line_, head.col, {}};
    open.seg.slice = slice_operand(cur);
    cur.expect(",", "after the slice");
    open.seg.address = u32_operand(cur, "address");
    segment_ = std::move(open);
  }

  // Generated SRAM (docs/image-format.md "Generated SRAM"): a record, no bytes.
  void dir_generated(const Token& head, TokenCursor& cur) {
    lock_chips();
    image::GeneratedSegment g;
    g.slice = slice_operand(cur);
    cur.expect(",", "after the slice");
    g.address = u32_operand(cur, "address");
    cur.expect(",", "after the address");
    g.vectors = u32_operand(cur, "vector count");
    cur.expect(",", "after the vector count");
    const Token& lanes = cur.peek();
    const uint32_t n = u32_operand(cur, "lane count");
    if (n > 0xffff) TokenCursor::fail(lanes, fmt::format("lane count {} out of range", n));
    g.lanes = static_cast<uint16_t>(n);
    cur.expect(",", "after the lane count");
    g.tensor = u32_operand(cur, "tensor number");
    cur.expect(",", "after the tensor number");
    // The seed is any 64-bit value (expressions stop at 2^63): a plain number, decimal or 0x hex.
    const Token& seed = cur.next();
    const bool hex = seed.text.size() > 2 && seed.text[0] == '0' && (seed.text[1] | 0x20) == 'x';
    const char* first = seed.text.data() + (hex ? 2 : 0);
    const char* last = seed.text.data() + seed.text.size();
    const auto [end, ec] = std::from_chars(first, last, g.seed, hex ? 16 : 10);
    if (seed.kind != TokenKind::Number || ec != std::errc{} || end != last)
      TokenCursor::fail(seed, fmt::format("expected a 64-bit seed, found {}", TokenCursor::describe(seed)));
    // Optional: keep, set (masked, format 1.3); then period, last lanes (rows of blocks, 1.4).
    const auto byte_operand = [&](const char* what) {
      const Token& at = cur.peek();
      const uint32_t v = u32_operand(cur, what);
      if (v > 0xff) TokenCursor::fail(at, fmt::format("{} {} out of range 0..255", what, v));
      return static_cast<uint8_t>(v);
    };
    if (!cur.at_end()) {
      cur.expect(",", "after the seed");
      g.keep = byte_operand("keep mask");
      cur.expect(",", "after the keep mask");
      g.set = byte_operand("set bits");
    }
    if (!cur.at_end()) {
      cur.expect(",", "after the set bits");
      const Token& at = cur.peek();
      g.period = u32_operand(cur, "period");
      if (g.period == 0) TokenCursor::fail(at, "period 0: leave period and last lanes out instead");
      cur.expect(",", "after the period");
      const Token& last_at = cur.peek();
      const uint32_t l = u32_operand(cur, "last lane count");
      if (l > 0xffff) TokenCursor::fail(last_at, fmt::format("lane count {} out of range", l));
      g.last_lanes = static_cast<uint16_t>(l);
    }
    if (auto why = image::check_generated(*cfg_, img_.chips[chip_], g)) TokenCursor::fail(head, *why);
    img_.chips[chip_].generated.push_back(g);
  }

  void dir_hex(const Token& head, TokenCursor& cur) {
    if (!segment_) TokenCursor::fail(head, ".hex outside an .sram segment");
    for (; !cur.at_end(); cur.next()) {
      const Token& t = cur.peek();
      const bool hex = (t.kind == TokenKind::Number || t.kind == TokenKind::Ident) && t.text.size() % 2 == 0 &&
                       std::all_of(t.text.begin(), t.text.end(),
                                   [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
      if (!hex)
        TokenCursor::fail(t,
                          fmt::format("expected hex bytes (pairs of hex digits), found {}", TokenCursor::describe(t)));
      for (size_t i = 0; i < t.text.size(); i += 2)
        segment_->seg.bytes.push_back(static_cast<uint8_t>(std::stoul(t.text.substr(i, 2), nullptr, 16)));
    }
  }

  void dir_at(const Token& head, TokenCursor& cur) {
    QueueBuild& q = current_queue(head);
    const Token& at = cur.peek();
    const int64_t target = expr(cur);
    const auto now = q.clock.now();
    if (!now) TokenCursor::fail(head, ".at: issue time unknown after SYNC or DESKEW");
    if (target < 0 || static_cast<uint64_t>(target) < *now)
      TokenCursor::fail(at, fmt::format(".at {}: the queue is already at cycle {}", target, *now));
    const isa::FieldDesc& cycles = isa::op_desc(isa::Op::NOP).fields[0];
    const uint64_t max_nop = (uint64_t{1} << cycles.width) - 1;
    uint64_t gap = static_cast<uint64_t>(target) - *now;
    if (gap > max_nop * kMaxPaddingNops)
      TokenCursor::fail(at, fmt::format(".at {}: a gap of {} cycles is too long to pad with NOPs", target, gap));
    for (; gap > 0; gap -= std::min(gap, max_nop))
      emit(q, isa::Instr{isa::Op::NOP, {static_cast<int64_t>(std::min(gap, max_nop))}});
  }

  void dir_loc(const Token& head, TokenCursor& cur) {
    current_queue(head);
    if (cur.peek().kind == TokenKind::Ident && isa::equal_nocase(cur.peek().text, "off")) {
      cur.next();
      loc_mode_ = LocMode::Off;
      return;
    }
    const Token& file = string_operand(cur, "a file name or 'off'");
    cur.expect(",", "after the file name");
    const uint32_t line = u32_operand(cur, "line");
    loc_mode_ = LocMode::Fixed;
    fixed_loc_ = {file_index(file.text), line};
  }

  void instruction(TokenCursor& cur) {
    const Token& head = cur.peek();
    QueueBuild& q = current_queue(head);
    const isa::Instr in = parse_instr(cur, lookup_);
    if (auto why = isa::check_legal(in, *cfg_, cfg_->queue_table[queue_id_])) TokenCursor::fail(head, *why);
    emit(q, in);
  }

  void emit(QueueBuild& q, const isa::Instr& in) {
    q.words.push_back(isa::encode(in));
    if (loc_mode_ == LocMode::Auto) q.locs.push_back(SourceLoc{file_index(file_), line_});
    if (loc_mode_ == LocMode::Fixed) q.locs.push_back(fixed_loc_);
    if (loc_mode_ == LocMode::Off) q.locs.push_back(std::nullopt);
    q.clock.issue(in);
  }

  // --- operands shared by directives ---

  int64_t expr(TokenCursor& cur) { return parse_expr(cur, lookup_); }

  uint32_t u32_operand(TokenCursor& cur, std::string_view what) {
    const Token& at = cur.peek();
    const int64_t v = expr(cur);
    if (v < 0 || v > static_cast<int64_t>(UINT32_MAX))
      TokenCursor::fail(at, fmt::format("{} {} out of range", what, v));
    return static_cast<uint32_t>(v);
  }

  const Token& string_operand(TokenCursor& cur, std::string_view what) {
    if (cur.peek().kind != TokenKind::String)
      TokenCursor::fail(cur.peek(), fmt::format("expected {}, found {}", what, TokenCursor::describe(cur.peek())));
    return cur.next();
  }

  // A MEM queue name (MEM.E.2) or a slice number.
  uint16_t slice_operand(TokenCursor& cur) {
    const Token& t = cur.peek();
    if (t.kind == TokenKind::Ident) {
      if (const auto id = isa::find_queue(*cfg_, t.text)) {
        const isa::QueueDesc& q = cfg_->queue_table[*id];
        if (q.unit != isa::Unit::MEM) TokenCursor::fail(t, fmt::format("{} is not a MEM slice", q.name));
        cur.next();
        return isa::mem_slice_of(q, *cfg_);
      }
    }
    const int64_t v = expr(cur);
    if (v < 0 || v >= static_cast<int64_t>(cfg_->mem_slices))
      TokenCursor::fail(t, fmt::format("MEM slice {} does not exist ({} slices)", v, cfg_->mem_slices));
    return static_cast<uint16_t>(v);
  }

  // --- state ---

  QueueBuild& current_queue(const Token& at) {
    if (!queue_) TokenCursor::fail(at, fmt::format("'{}' outside a .queue", at.text));
    return *queue_;
  }

  // The chip count is fixed once anything is placed on a chip.
  void lock_chips() {
    if (!img_.chips.empty()) return;
    img_.chips.resize(chip_count_);
    chips_.resize(chip_count_);
  }

  void define(const Token& name, int64_t value) {
    auto [it, inserted] = symbols_.try_emplace(name.text, value, line_);
    if (!inserted)
      TokenCursor::fail(name, fmt::format("symbol '{}' already defined at line {}", name.text, it->second.second));
  }

  uint32_t file_index(const std::string& name) {
    const auto it = std::find(img_.files.begin(), img_.files.end(), name);
    if (it != img_.files.end()) return static_cast<uint32_t>(it - img_.files.begin());
    img_.files.push_back(name);
    return static_cast<uint32_t>(img_.files.size() - 1);
  }

  void close_segment() {
    if (!segment_) return;
    OpenSegment open = std::move(*segment_);
    segment_.reset();
    if (auto why = image::check_segment(*cfg_, open.seg))
      diags_.push_back({open.line, open.col, *why});
    else
      img_.chips[chip_].sram.push_back(std::move(open.seg));
  }

  void error(uint32_t col, std::string what) { diags_.push_back({line_, col, std::move(what)}); }

  std::string report() {
    std::stable_sort(diags_.begin(), diags_.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
    std::string out;
    for (const auto& d : diags_)
      out += fmt::format("{}{}:{}:{}: error: {}", out.empty() ? "" : "\n", file_, d.line, d.col, d.what);
    return out;
  }

  image::Image finish() {
    lock_chips();
    for (size_t c = 0; c < chips_.size(); ++c) {
      for (auto& [id, q] : chips_[c].queues) {
        image::QueueProgram prog{id, std::move(q.words), {}};
        // A queue records locations if any of its instructions has one; the rest say line 0 (unknown).
        if (std::any_of(q.locs.begin(), q.locs.end(), [](const auto& l) { return l.has_value(); }))
          for (const auto& l : q.locs) prog.locs.push_back(l.value_or(SourceLoc{}));
        img_.chips[c].queues.push_back(std::move(prog));
      }
    }
    image::validate(img_);  // the assembler's own checks should have caught everything
    return std::move(img_);
  }

  const std::string& file_;
  uint32_t line_ = 0;
  bool stopped_ = false;
  std::vector<Diagnostic> diags_;
  const isa::Config* cfg_ = nullptr;
  image::Image img_;
  std::vector<ChipBuild> chips_;
  bool chips_seen_ = false;
  uint32_t chip_count_ = 1;
  size_t chip_ = 0;
  QueueBuild* queue_ = nullptr;
  uint16_t queue_id_ = 0;
  std::optional<OpenSegment> segment_;
  std::map<std::string, std::pair<int64_t, uint32_t>, std::less<>> symbols_;  // value, line
  LocMode loc_mode_ = LocMode::Auto;
  SourceLoc fixed_loc_;
  const SymbolLookup lookup_ = [this](std::string_view name) -> std::optional<int64_t> {
    const auto it = symbols_.find(name);
    return it == symbols_.end() ? std::nullopt : std::optional<int64_t>(it->second.first);
  };
};

}  // namespace

image::Image assemble(std::string_view source, const std::string& file) { return Assembler(file).run(source); }

image::Image assemble_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: error: cannot read: {}", path, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  return assemble(text.str(), path);
}

}  // namespace tsp::assembler
