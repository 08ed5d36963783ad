// Image -> bytes (layout: docs/image-format.md), and writing an image file.
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "common/error.hpp"
#include "firmware/image/byte_io.hpp"
#include "firmware/image/format.hpp"
#include "firmware/image/image.hpp"

namespace tsp::image {
namespace {

using format::SectionKind;

// One tagged section: header, payload written by `body`, size patched in, zero padding.
template <typename Body>
void section(ByteWriter& w, uint32_t& count, SectionKind kind, uint32_t chip, Body body) {
  w.u32(static_cast<uint32_t>(kind));
  w.u32(chip);
  const size_t size_at = w.size();
  w.u64(0);
  const size_t start = w.size();
  body();
  w.patch(size_at, w.size() - start, 8);
  w.pad_to(format::kAlignment);
  ++count;
}

void write_symbol(ByteWriter& w, const Symbol& s) {
  w.str(s.name);
  w.u32(s.chip);
  w.u16(s.slice);
  w.u8(static_cast<uint8_t>(s.dtype));
  w.u8(0);
  w.u32(s.address);
  w.u32(s.vectors);
  w.u32(static_cast<uint32_t>(s.shape.size()));
  for (uint32_t d : s.shape) w.u32(d);
}

void write_manifest(ByteWriter& w, const Image& img, std::optional<uint32_t> only_chip, const ChipIndex* index) {
  w.str(img.config);
  w.u32(static_cast<uint32_t>(img.chips.size()));
  w.u32(img.has_prediction ? format::kManifestHasPrediction : 0);
  w.u64(img.predicted_cycles);
  w.u32(static_cast<uint32_t>(img.files.size()));
  for (const auto& f : img.files) w.str(f);
  if (only_chip) {
    const bool known = *only_chip < index->symbols.size();  // a chip past the last has none
    w.u32(known ? static_cast<uint32_t>(index->symbols[*only_chip].size()) : 0);
    if (known)
      for (const Symbol* s : index->symbols[*only_chip]) write_symbol(w, *s);
    return;
  }
  w.u32(static_cast<uint32_t>(img.symbols.size()));
  for (const auto& s : img.symbols) write_symbol(w, s);
}

void write_queue(ByteWriter& w, const QueueProgram& q) {
  w.u16(q.queue);
  w.u16(q.locs.empty() ? 0 : format::kQueueHasLocs);
  w.u32(static_cast<uint32_t>(q.words.size()));
  uint8_t* p = w.grow(8 * q.words.size() + 8 * q.locs.size());
  for (uint64_t word : q.words) {
    store_le(p, word, 8);
    p += 8;
  }
  for (const auto& loc : q.locs) {
    store_le(p, loc.file, 4);
    store_le(p + 4, loc.line, 4);
    p += 8;
  }
}

void write_segment(ByteWriter& w, const SramSegment& seg) {
  w.u16(seg.slice);
  w.u16(0);
  w.u32(seg.address);
  w.u64(seg.bytes.size());
  w.bytes(seg.bytes);
}

bool masked(const GeneratedSegment& g) { return g.keep != 0xff || g.set != 0; }

void write_generated(ByteWriter& w, const GeneratedSegment& g) {
  w.u16(g.slice);
  w.u16(g.lanes);
  w.u32(g.address);
  w.u32(g.vectors);
  w.u32(g.tensor);
  w.u64(g.seed);
  if (masked(g) || g.period) {
    w.u8(g.keep);
    w.u8(g.set);
    w.u16(0);
  }
  if (g.period) {
    w.u32(g.period);
    w.u16(g.last_lanes);
    w.u16(0);
  }
}

void write_expected(ByteWriter& w, const Expected& e) {
  w.str(e.symbol);
  w.u64(e.bits.size());
  for (uint32_t b : e.bits) w.u32(b);
}

}  // namespace

uint32_t image_crc(std::span<const uint8_t> bytes) {
  // CRC32 of the whole file with the CRC field read as zero.
  const uint8_t zero[4] = {};
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, bytes.data(), format::kOffCrc);
  crc = crc32(crc, zero, sizeof zero);
  const size_t rest = format::kOffCrc + sizeof zero;
  crc = crc32_z(crc, bytes.data() + rest, bytes.size() - rest);
  return static_cast<uint32_t>(crc);
}

namespace {

// Which chips' programs and whether SRAM bytes go into the bytes.
struct Selection {
  std::optional<uint32_t> only_chip;  // nullopt: every chip
  bool sram = true;
  const ChipIndex* index = nullptr;  // set with only_chip: its symbols and expected outputs
};

size_t program_bytes(const ChipProgram& chip) {
  size_t n = 0;
  for (const auto& q : chip.queues) n += 64 + 8 * (q.words.size() + q.locs.size());
  return n + 64 * chip.generated.size();
}

std::vector<uint8_t> serialize(const Image& img, const Selection& sel) {
  ByteWriter w;
  if (sel.only_chip && *sel.only_chip < img.chips.size())
    w.reserve(format::kHeaderBytes + 4096 + program_bytes(img.chips[*sel.only_chip]));
  for (uint8_t c : format::kMagic) w.u8(c);
  w.u16(kVersionMajor);
  w.u16(kVersionMinor);
  w.u32(format::kHeaderBytes);
  w.u64(0);  // file size, patched below
  w.u32(0);  // CRC, patched below
  w.u32(0);  // section count, patched below
  while (w.size() < format::kHeaderBytes) w.u8(0);

  uint32_t count = 0;
  section(w, count, SectionKind::Manifest, 0, [&] { write_manifest(w, img, sel.only_chip, sel.index); });
  for (size_t c = 0; c < img.chips.size(); ++c) {
    if (sel.only_chip && c != *sel.only_chip) continue;
    const auto chip = static_cast<uint32_t>(c);
    for (const auto& q : img.chips[c].queues) section(w, count, SectionKind::Queue, chip, [&] { write_queue(w, q); });
    if (sel.sram)
      for (const auto& s : img.chips[c].sram) section(w, count, SectionKind::Sram, chip, [&] { write_segment(w, s); });
    for (const auto& g : img.chips[c].generated)
      section(w, count,
              g.period    ? SectionKind::GeneratedBlocks
              : masked(g) ? SectionKind::GeneratedMasked
                          : SectionKind::Generated,
              chip, [&] { write_generated(w, g); });
  }
  if (sel.only_chip) {
    if (*sel.only_chip < sel.index->expected.size())
      for (const Expected* e : sel.index->expected[*sel.only_chip])
        section(w, count, SectionKind::Expected, e->chip, [&] { write_expected(w, *e); });
  } else {
    for (const auto& e : img.expected) section(w, count, SectionKind::Expected, e.chip, [&] { write_expected(w, e); });
  }
  w.patch(format::kOffFileSize, w.size(), 8);
  w.patch(format::kOffSectionCount, count, 4);
  std::vector<uint8_t> bytes = w.take();
  const uint32_t crc = image_crc(bytes);
  for (unsigned i = 0; i < 4; ++i) bytes[format::kOffCrc + i] = static_cast<uint8_t>(crc >> (8 * i));
  return bytes;
}

}  // namespace

std::vector<uint8_t> serialize(const Image& img) { return serialize(img, Selection{}); }

std::vector<uint8_t> serialize_programs(const Image& img, uint32_t chip) {
  return serialize_programs(img, chip, ChipIndex(img));
}

std::vector<uint8_t> serialize_programs(const Image& img, uint32_t chip, const ChipIndex& index) {
  return serialize(img, Selection{chip, false, &index});
}

ChipIndex::ChipIndex(const Image& img) : symbols(img.chips.size()), expected(img.chips.size()) {
  for (const Symbol& s : img.symbols)
    if (s.chip < symbols.size()) symbols[s.chip].push_back(&s);
  for (const Expected& e : img.expected)
    if (e.chip < expected.size()) expected[e.chip].push_back(&e);
}

void save_file(const Image& img, const std::string& path) {
  const std::vector<uint8_t> bytes = serialize(img);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error(fmt::format("{}: error: cannot write: {}", path, std::strerror(errno)));
}

}  // namespace tsp::image
