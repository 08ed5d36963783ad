// Bytes -> Image (layout: docs/image-format.md), and reading an image file.
// Hostile input must end in tsp::Error and nothing else: every read is bounds
// checked and every count is bounded by the bytes that remain.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/error.hpp"
#include "firmware/image/byte_io.hpp"
#include "firmware/image/format.hpp"
#include "firmware/image/image.hpp"
#include "firmware/image/region_index.hpp"

namespace tsp::image {
namespace {

using format::SectionKind;

// Smallest encodings, to bound counts by the bytes left.
constexpr uint64_t kMinString = 4;
constexpr uint64_t kMinSymbol = kMinString + 4 + 2 + 2 + 4 + 4 + 4;

struct Header {
  uint16_t minor = 0;
  uint32_t header_size = 0;
  uint32_t sections = 0;
};

Header read_header(std::span<const uint8_t> bytes, const std::string& name) {
  ByteReader r(bytes, 0, name);
  if (bytes.size() < format::kHeaderBytes)
    r.fail_at(
        0, fmt::format("truncated: {} bytes is shorter than the {}-byte header", bytes.size(), format::kHeaderBytes));
  auto magic = r.bytes(format::kMagic.size(), "magic");
  if (!std::equal(magic.begin(), magic.end(), format::kMagic.begin()))
    r.fail_at(0, "bad magic: not a TSP image (expected \"TSPIMAGE\")");
  Header h;
  const uint16_t major = r.u16("major version");
  h.minor = r.u16("minor version");
  if (major != kVersionMajor)
    r.fail_at(format::kOffMajor,
              fmt::format("unsupported format version {}.{} (this tool reads {}.x)", major, h.minor, kVersionMajor));
  h.header_size = r.u32("header size");
  if (h.header_size < format::kHeaderBytes || h.header_size % format::kAlignment != 0 || h.header_size > bytes.size())
    r.fail_at(format::kOffHeaderSize,
              fmt::format("header size {} invalid (at least {}, a multiple of {}, within the {}-byte file)",
                          h.header_size, format::kHeaderBytes, format::kAlignment, bytes.size()));
  const uint64_t file_size = r.u64("file size");
  if (file_size != bytes.size())
    r.fail_at(format::kOffFileSize,
              fmt::format("header says the file is {} bytes but it is {} ({})", file_size, bytes.size(),
                          file_size > bytes.size() ? "truncated" : "trailing data"));
  const uint32_t crc = r.u32("CRC");
  if (const uint32_t actual = image_crc(bytes); crc != actual)
    r.fail_at(format::kOffCrc,
              fmt::format("CRC mismatch: header says 0x{:08x}, contents give 0x{:08x} (corrupted)", crc, actual));
  h.sections = r.u32("section count");
  // A newer minor version may use the reserved bytes and a longer header; ours must be zero.
  if (h.minor <= kVersionMinor)
    for (size_t at = format::kOffReserved; at < h.header_size; ++at)
      if (bytes[at] != 0) r.fail_at(at, "reserved header byte is not zero");
  if (h.sections > (bytes.size() - h.header_size) / format::kSectionHeaderBytes)
    r.fail_at(format::kOffSectionCount, fmt::format("section count {} cannot fit in the file", h.sections));
  return h;
}

void read_manifest(ByteReader& r, Image& img) {
  img.config = r.str("config name");
  const size_t chips_at = r.offset();
  const uint32_t chips = r.u32("chip count");
  if (chips == 0 || chips > kMaxChips)
    r.fail_at(chips_at, fmt::format("chip count {} out of range (1..{})", chips, kMaxChips));
  img.chips.resize(chips);
  const size_t flags_at = r.offset();
  const uint32_t flags = r.u32("manifest flags");
  if (flags & ~format::kManifestHasPrediction) r.fail_at(flags_at, fmt::format("unknown manifest flags 0x{:x}", flags));
  img.has_prediction = (flags & format::kManifestHasPrediction) != 0;
  img.predicted_cycles = r.u64("predicted cycles");
  const uint32_t files = r.count(kMinString, "file count");
  for (uint32_t i = 0; i < files; ++i) img.files.push_back(r.str("file name"));
  const uint32_t symbols = r.count(kMinSymbol, "symbol count");
  for (uint32_t i = 0; i < symbols; ++i) {
    Symbol s;
    s.name = r.str("symbol name");
    s.chip = r.u32("symbol chip");
    s.slice = r.u16("symbol slice");
    const size_t dtype_at = r.offset();
    const uint8_t dtype = r.u8("symbol dtype");
    if (dtype >= isa::kDTypes.size())
      r.fail_at(dtype_at, fmt::format("symbol {}: dtype code {} does not exist", s.name, dtype));
    s.dtype = static_cast<isa::DType>(dtype);
    if (r.u8("reserved") != 0) r.fail_at(dtype_at + 1, "reserved byte is not zero");
    s.address = r.u32("symbol address");
    s.vectors = r.u32("symbol vectors");
    const uint32_t rank = r.count(4, "symbol rank");
    for (uint32_t d = 0; d < rank; ++d) s.shape.push_back(r.u32("symbol dimension"));
    img.symbols.push_back(std::move(s));
  }
}

QueueProgram read_queue(ByteReader& r) {
  QueueProgram q;
  q.queue = r.u16("queue id");
  const size_t flags_at = r.offset();
  const uint16_t flags = r.u16("queue flags");
  if (flags & ~format::kQueueHasLocs) r.fail_at(flags_at, fmt::format("unknown queue flags 0x{:x}", flags));
  const bool has_locs = (flags & format::kQueueHasLocs) != 0;
  const uint32_t n = r.count(has_locs ? 16 : 8, "instruction count");
  // count() bounded n by what is left, so these cannot run out.
  const uint8_t* words = r.bytes(uint64_t{8} * n, "instructions").data();
  q.words.resize(n);
  for (uint32_t i = 0; i < n; ++i) q.words[i] = load_le(words + 8 * i, 8);
  if (has_locs) {
    const uint8_t* locs = r.bytes(uint64_t{8} * n, "source locations").data();
    q.locs.resize(n);
    for (uint32_t i = 0; i < n; ++i)
      q.locs[i] = SourceLoc{static_cast<uint32_t>(load_le(locs + 8 * i, 4)),
                            static_cast<uint32_t>(load_le(locs + 8 * i + 4, 4))};
  }
  return q;
}

SramSegment read_segment(ByteReader& r) {
  SramSegment seg;
  seg.slice = r.u16("SRAM slice");
  if (r.u16("reserved") != 0) r.fail_at(r.offset() - 2, "reserved field is not zero");
  seg.address = r.u32("SRAM address");
  const uint64_t n = r.u64("SRAM byte count");
  auto b = r.bytes(n, "SRAM bytes");
  seg.bytes.assign(b.begin(), b.end());
  return seg;
}

GeneratedSegment read_generated(ByteReader& r, bool masked, bool blocks) {
  GeneratedSegment g;
  g.slice = r.u16("generated slice");
  g.lanes = r.u16("generated lanes");
  g.address = r.u32("generated address");
  g.vectors = r.u32("generated vectors");
  g.tensor = r.u32("generated tensor");
  g.seed = r.u64("generated seed");
  if (masked) {
    g.keep = r.u8("generated keep mask");
    g.set = r.u8("generated set bits");
    if (r.u16("reserved") != 0) r.fail_at(r.offset() - 2, "reserved field is not zero");
  }
  if (blocks) {
    const size_t at = r.offset();
    g.period = r.u32("generated period");
    if (g.period == 0) r.fail_at(at, "generated SRAM in blocks with period 0");
    g.last_lanes = r.u16("generated last lanes");
    if (r.u16("reserved") != 0) r.fail_at(r.offset() - 2, "reserved field is not zero");
  }
  return g;
}

}  // namespace

Image parse(std::span<const uint8_t> bytes, const std::string& name) {
  const Header h = read_header(bytes, name);
  ByteReader r(bytes.subspan(h.header_size), h.header_size, name);
  Image img;
  const isa::Config* cfg = nullptr;
  std::vector<RegionIndex> regions;  // per chip
  for (uint32_t i = 0; i < h.sections; ++i) {
    const size_t at = r.offset();
    const uint32_t kind = r.u32("section kind");
    const size_t chip_at = r.offset();
    const uint32_t chip = r.u32("section chip");
    const uint64_t size = r.u64("section size");
    if (size > r.remaining())
      r.fail_at(at + 8, fmt::format("section size {} overruns the file ({} bytes remain)", size, r.remaining()));
    const size_t payload_at = r.offset();
    ByteReader p(r.bytes(size, "section payload"), payload_at, name);
    const uint64_t pad = (format::kAlignment - size % format::kAlignment) % format::kAlignment;
    for (auto b : r.bytes(pad, "section padding"))
      if (b != 0) r.fail_at(r.offset() - pad, "section padding is not zero");

    const bool is_manifest = kind == static_cast<uint32_t>(SectionKind::Manifest);
    if ((i == 0) != is_manifest)
      r.fail_at(at, i == 0 ? "the first section must be the manifest" : "duplicate manifest section");
    if (is_manifest) {
      if (chip != 0) r.fail_at(chip_at, "the manifest's chip field must be 0");
      read_manifest(p, img);
      if (auto why = check_manifest(img)) r.fail_at(at, *why);
      cfg = isa::find_config(img.config);
      regions.resize(img.chips.size());
    } else if (kind == static_cast<uint32_t>(SectionKind::Queue) || kind == static_cast<uint32_t>(SectionKind::Sram) ||
               kind == static_cast<uint32_t>(SectionKind::Generated) ||
               kind == static_cast<uint32_t>(SectionKind::GeneratedMasked) ||
               kind == static_cast<uint32_t>(SectionKind::GeneratedBlocks)) {
      if (chip >= img.chips.size())
        r.fail_at(chip_at, fmt::format("chip index {} out of range ({} chips)", chip, img.chips.size()));
      ChipProgram& cp = img.chips[chip];
      std::optional<std::string> why;
      if (kind == static_cast<uint32_t>(SectionKind::Queue)) {
        QueueProgram q = read_queue(p);
        if (!cp.queues.empty() && q.queue <= cp.queues.back().queue)
          r.fail_at(payload_at,
                    fmt::format("chip {}: {} queue id {} (sections must be in increasing queue order)", chip,
                                q.queue == cp.queues.back().queue ? "duplicate" : "out-of-order", q.queue));
        why = check_queue(img, *cfg, chip, q);
        cp.queues.push_back(std::move(q));
      } else if (kind == static_cast<uint32_t>(SectionKind::Sram)) {
        SramSegment seg = read_segment(p);
        why = check_segment(*cfg, seg);
        if (!why && regions[chip].overlaps_region(*cfg, seg)) why = check_segment_overlap(*cfg, cp, seg);
        if (why) why = fmt::format("chip {}: {}", chip, *why);
        if (!why) regions[chip].add(*cfg, seg);
        cp.sram.push_back(std::move(seg));
      } else {
        const bool blocks = kind == static_cast<uint32_t>(SectionKind::GeneratedBlocks);
        cp.generated.push_back(
            read_generated(p, blocks || kind == static_cast<uint32_t>(SectionKind::GeneratedMasked), blocks));
        const GeneratedSegment& g = cp.generated.back();
        why = check_generated_region(*cfg, g);
        if (!why && regions[chip].overlaps_any(g)) why = check_generated(*cfg, cp, g);  // words it
        if (why) why = fmt::format("chip {}: {}", chip, *why);
        if (!why) regions[chip].add(g);
      }
      if (why) r.fail_at(at, *why);
    } else if (kind == static_cast<uint32_t>(SectionKind::Expected)) {
      Expected e;
      e.chip = chip;
      e.symbol = p.str("expected symbol");
      const size_t count_at = p.offset();
      const uint64_t n = p.u64("expected element count");
      if (n > p.remaining() / 4) p.fail_at(count_at, fmt::format("expected element count {} overruns the section", n));
      e.bits.reserve(n);
      for (uint64_t k = 0; k < n; ++k) e.bits.push_back(p.u32("expected element"));
      if (auto why = check_expected(img, e)) r.fail_at(at, *why);
      img.expected.push_back(std::move(e));
    } else {
      r.fail_at(at, fmt::format("unknown section kind {}", kind));
    }
    if (!p.at_end()) p.fail(fmt::format("{} unexpected bytes at the end of the section", p.remaining()));
  }
  if (h.sections == 0) r.fail_at(format::kOffSectionCount, "no manifest section");
  if (!r.at_end()) r.fail(fmt::format("{} trailing bytes after the last section", r.remaining()));
  return img;
}

Image load_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {  // a pipe, a device, a directory: as a stream
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("{}: error: cannot read: {}", path, std::strerror(errno)));
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return parse(bytes, path);
  }
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(fmt::format("{}: error: cannot read: {}", path, std::strerror(errno)));
  // In one read: byte by byte (istreambuf_iterator) took a quarter of a timing-only run of a 56 MB image.
  const std::streamoff size = in.tellg();
  std::vector<uint8_t> bytes(size > 0 ? static_cast<size_t>(size) : 0);
  in.seekg(0);
  if (size < 0 || !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw Error(fmt::format("{}: error: cannot read: {}", path, std::strerror(errno)));
  return parse(bytes, path);
}

}  // namespace tsp::image
