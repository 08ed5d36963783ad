// Semantic checks of an image against its configuration (image.hpp).
#include <fmt/format.h>

#include <set>

#include "common/error.hpp"
#include "firmware/image/image.hpp"
#include "firmware/isa/word_memo.hpp"

namespace tsp::image {
namespace {

bool is_ident_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.'; }

// "a.tsp:12" for a located instruction, empty otherwise.
std::string where(const Image& img, const QueueProgram& q, size_t i) {
  if (q.locs.size() != q.words.size() || q.locs[i].file >= img.files.size()) return "";
  return fmt::format(" ({}:{})", img.files[q.locs[i].file], q.locs[i].line);
}

}  // namespace

bool is_identifier(std::string_view name) {
  if (name.empty() || !is_ident_start(name[0])) return false;
  for (char c : name)
    if (!is_ident_char(c)) return false;
  return true;
}

std::optional<std::string> check_symbol(const Image& img, const isa::Config& cfg, const Symbol& s) {
  if (!is_identifier(s.name)) return fmt::format("symbol name '{}' is not an identifier", s.name);
  if (s.chip >= img.chips.size())
    return fmt::format("symbol {}: chip {} does not exist ({} chips)", s.name, s.chip, img.chips.size());
  if (s.slice >= cfg.mem_slices)
    return fmt::format("symbol {}: MEM slice {} does not exist ({} slices)", s.name, s.slice, cfg.mem_slices);
  if (static_cast<size_t>(s.dtype) >= isa::kDTypes.size())
    return fmt::format("symbol {}: dtype code {} does not exist", s.name, static_cast<unsigned>(s.dtype));
  if (s.vectors == 0) return fmt::format("symbol {}: spans no vectors", s.name);
  if (uint64_t{s.address} + s.vectors > cfg.mem_addresses)
    return fmt::format("symbol {}: addresses {}..{} exceed the slice's {} addresses", s.name, s.address,
                       uint64_t{s.address} + s.vectors - 1, cfg.mem_addresses);
  return std::nullopt;
}

std::optional<std::string> check_manifest(const Image& img) {
  const isa::Config* cfg = isa::find_config(img.config);
  if (!cfg || cfg->name != img.config) return fmt::format("unknown configuration '{}'", img.config);
  if (img.chips.empty() || img.chips.size() > kMaxChips)
    return fmt::format("chip count {} out of range (1..{})", img.chips.size(), kMaxChips);
  if (!img.has_prediction && img.predicted_cycles != 0) return std::string("predicted cycles set without a prediction");
  if (img.predicted_cycles > static_cast<uint64_t>(INT64_MAX))
    return fmt::format("predicted cycles {} out of range", img.predicted_cycles);
  std::set<std::string_view> names;
  for (const auto& f : img.files)
    if (!names.insert(f).second) return fmt::format("file '{}' appears twice in the file table", f);
  names.clear();
  for (const auto& s : img.symbols) {
    if (auto why = check_symbol(img, *cfg, s)) return why;
    if (!names.insert(s.name).second) return fmt::format("symbol {} defined twice", s.name);
  }
  return std::nullopt;
}

std::optional<std::string> check_segment(const isa::Config& cfg, const SramSegment& seg) {
  if (seg.slice >= cfg.mem_slices)
    return fmt::format("SRAM segment: MEM slice {} does not exist ({} slices)", seg.slice, cfg.mem_slices);
  const std::string name = isa::mem_slice_name(cfg, seg.slice);
  if (seg.bytes.empty() || seg.bytes.size() % cfg.vector_bytes != 0)
    return fmt::format("SRAM segment {}@{}: {} bytes is not a whole number of {}-byte vectors", name, seg.address,
                       seg.bytes.size(), cfg.vector_bytes);
  const uint64_t vectors = seg.bytes.size() / cfg.vector_bytes;
  if (seg.address + vectors > cfg.mem_addresses)
    return fmt::format("SRAM segment {}@{}: {} vectors overrun the slice's {} addresses", name, seg.address, vectors,
                       cfg.mem_addresses);
  return std::nullopt;
}

namespace {
struct Span {
  uint16_t slice;
  uint64_t begin, end;  // vector addresses [begin, end)
};
bool overlap(const Span& a, const Span& b) { return a.slice == b.slice && a.begin < b.end && b.begin < a.end; }
Span span_of(const isa::Config& cfg, const SramSegment& s) {
  return {s.slice, s.address, s.address + s.bytes.size() / cfg.vector_bytes};
}
Span span_of(const GeneratedSegment& g) { return {g.slice, g.address, uint64_t{g.address} + g.vectors}; }
std::string text(const isa::Config& cfg, const Span& s) {
  return fmt::format("{}@{}..{}", isa::mem_slice_name(cfg, s.slice), s.begin, s.end - 1);
}
}  // namespace

std::optional<std::string> check_generated_region(const isa::Config& cfg, const GeneratedSegment& g) {
  if (g.slice >= cfg.mem_slices)
    return fmt::format("generated SRAM: MEM slice {} does not exist ({} slices)", g.slice, cfg.mem_slices);
  const auto name = [&] { return isa::mem_slice_name(cfg, g.slice); };
  if (g.vectors == 0) return fmt::format("generated SRAM {}@{}: spans no vectors", name(), g.address);
  if (g.lanes == 0 || g.lanes > cfg.vector_bytes)
    return fmt::format("generated SRAM {}@{}: {} generated lanes out of range (1..{})", name(), g.address, g.lanes,
                       cfg.vector_bytes);
  if (g.period && (g.last_lanes == 0 || g.last_lanes > cfg.vector_bytes))
    return fmt::format("generated SRAM {}@{}: {} generated lanes of a row's last block out of range (1..{})", name(),
                       g.address, g.last_lanes, cfg.vector_bytes);
  if (uint64_t{g.address} + g.vectors > cfg.mem_addresses)
    return fmt::format("generated SRAM {}@{}: {} vectors overrun the slice's {} addresses", name(), g.address,
                       g.vectors, cfg.mem_addresses);
  return std::nullopt;
}

std::optional<std::string> check_generated(const isa::Config& cfg, const ChipProgram& chip, const GeneratedSegment& g) {
  if (auto why = check_generated_region(cfg, g)) return why;
  const Span me = span_of(g);
  for (const auto& o : chip.generated)
    if (&o != &g && overlap(me, span_of(o)))
      return fmt::format("generated SRAM {} overlaps generated SRAM {}", text(cfg, me), text(cfg, span_of(o)));
  for (const auto& s : chip.sram)
    if (overlap(me, span_of(cfg, s)))
      return fmt::format("generated SRAM {} overlaps the SRAM segment {}", text(cfg, me), text(cfg, span_of(cfg, s)));
  return std::nullopt;
}

std::optional<std::string> check_segment_overlap(const isa::Config& cfg, const ChipProgram& chip,
                                                 const SramSegment& seg) {
  const Span me = span_of(cfg, seg);
  for (const auto& g : chip.generated)
    if (overlap(me, span_of(g)))
      return fmt::format("SRAM segment {} overlaps generated SRAM {}", text(cfg, me), text(cfg, span_of(g)));
  return std::nullopt;
}

std::optional<std::string> check_queue(const Image& img, const isa::Config& cfg, size_t chip, const QueueProgram& q) {
  if (q.queue >= cfg.queue_table.size())
    return fmt::format("chip {}: queue id {} does not exist ({} queues)", chip, q.queue, cfg.queue_table.size());
  const isa::QueueDesc& desc = cfg.queue_table[q.queue];
  if (!q.locs.empty() && q.locs.size() != q.words.size())
    return fmt::format("chip {}, queue {}: {} source locations for {} instructions", chip, desc.name, q.locs.size(),
                       q.words.size());
  for (size_t i = 0; i < q.locs.size(); ++i)
    if (q.locs[i].file >= img.files.size())
      return fmt::format("chip {}, queue {}, instruction {}: source file index {} out of range ({} files)", chip,
                         desc.name, i, q.locs[i].file, img.files.size());
  isa::LegalPrograms& legal = isa::LegalPrograms::local();
  if (legal.known(cfg, q.queue, q.words)) return std::nullopt;
  isa::WordMemo& memo = isa::WordMemo::local();
  for (size_t i = 0; i < q.words.size(); ++i)
    if (auto why = memo.why_illegal(q.words[i], cfg, q.queue))
      return fmt::format("chip {}, queue {}, instruction {}{}: {}", chip, desc.name, i, where(img, q, i), *why);
  legal.add(cfg, q.queue, q.words);
  return std::nullopt;
}

std::optional<std::string> check_expected(const Image& img, const Expected& e) {
  if (e.chip >= img.chips.size())
    return fmt::format("expected output '{}': chip {} out of range ({} chips)", e.symbol, e.chip, img.chips.size());
  for (const Symbol& s : img.symbols)
    if (s.name == e.symbol && s.chip == e.chip) {
      uint64_t n = 1;
      for (uint32_t d : s.shape) n *= d;
      if (n != e.bits.size())
        return fmt::format("expected output '{}' holds {} values; its symbol has {} elements", e.symbol, e.bits.size(),
                           n);
      const uint32_t mask =
          isa::dtype_desc(s.dtype).bytes >= 4 ? ~0u : (1u << (8 * isa::dtype_desc(s.dtype).bytes)) - 1;
      for (size_t k = 0; k < e.bits.size(); ++k)
        if (e.bits[k] & ~mask)
          return fmt::format("expected output '{}' element {} = 0x{:x} is wider than {}", e.symbol, k, e.bits[k],
                             isa::dtype_desc(s.dtype).name);
      return std::nullopt;
    }
  return fmt::format("expected output '{}' names no symbol of chip {}", e.symbol, e.chip);
}

void validate(const Image& img) {
  if (auto why = check_manifest(img)) throw Error("image: error: " + *why);
  const isa::Config& cfg = *isa::find_config(img.config);
  for (size_t c = 0; c < img.chips.size(); ++c) {
    const ChipProgram& chip = img.chips[c];
    for (size_t i = 0; i < chip.queues.size(); ++i) {
      if (i > 0 && chip.queues[i].queue <= chip.queues[i - 1].queue)
        throw Error(fmt::format("image: error: chip {}: queue programs not sorted by queue id or duplicated (id {})", c,
                                chip.queues[i].queue));
      if (auto why = check_queue(img, cfg, c, chip.queues[i])) throw Error("image: error: " + *why);
    }
    for (const auto& seg : chip.sram)
      if (auto why = check_segment(cfg, seg)) throw Error(fmt::format("image: error: chip {}: {}", c, *why));
    for (const auto& g : chip.generated)
      if (auto why = check_generated(cfg, chip, g)) throw Error(fmt::format("image: error: chip {}: {}", c, *why));
  }
  for (const auto& e : img.expected)
    if (auto why = check_expected(img, e)) throw Error("image: error: " + *why);
}

}  // namespace tsp::image
