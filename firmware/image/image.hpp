#pragma once
// A program image: everything a run needs, for every chip of the system.
// The binary layout is specified in docs/image-format.md; serialize() and
// parse() are the only code that knows it.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "firmware/isa/isa.hpp"

namespace tsp::image {

inline constexpr uint16_t kVersionMajor = 1;  // bumped on any incompatible change
inline constexpr uint16_t kVersionMinor =
    2;  // bumped on compatible additions (1.1: expected outputs, 1.2: generated SRAM)
inline constexpr uint32_t kMaxChips = 1u << 16;  // far above the largest published system (10,440 chips)

// Where an instruction came from. file indexes Image::files; line 0 = unknown.
struct SourceLoc {
  uint32_t file = 0;
  uint32_t line = 0;
  bool operator==(const SourceLoc&) const = default;
};

// One queue's instruction stream, in issue order.
struct QueueProgram {
  uint16_t queue = 0;           // index into Config::queue_table
  std::vector<uint64_t> words;  // encoded instructions
  std::vector<SourceLoc> locs;  // empty, or one per word
  bool operator==(const QueueProgram&) const = default;
};

// Initial SRAM contents: whole vectors starting at `address` of MEM slice `slice`.
struct SramSegment {
  uint16_t slice = 0;  // 0 .. mem_slices-1, west slices first (isa::mem_slice_of)
  uint32_t address = 0;
  std::vector<uint8_t> bytes;  // a multiple of Config::vector_bytes
  bool operator==(const SramSegment&) const = default;
};

// SRAM whose bytes are generated, not carried: vectors address .. address +
// vectors - 1 of MEM slice `slice` hold common/generated_bytes.hpp's function
// of (seed, tensor, byte offset in the slice). The model never stores them
// until written (docs/image-format.md "Generated SRAM").
struct GeneratedSegment {
  uint16_t slice = 0;
  uint32_t address = 0;
  uint32_t vectors = 0;  // >= 1
  uint16_t lanes = 0;    // lanes 0 .. lanes-1 of each vector are generated, the rest read zero; 1..vector bytes
  uint32_t tensor = 0;   // chosen by the writer: regions of one seed and tensor share one byte stream
  uint64_t seed = 0;
  bool operator==(const GeneratedSegment&) const = default;
};

// A named tensor and where it lives, for tools and result checking.
struct Symbol {
  std::string name;
  uint32_t chip = 0;
  uint16_t slice = 0;
  uint32_t address = 0;
  uint32_t vectors = 0;  // how many consecutive addresses it spans
  isa::DType dtype = isa::DType::i8;
  std::vector<uint32_t> shape;
  bool operator==(const Symbol&) const = default;
};

struct ChipProgram {
  std::vector<QueueProgram> queues;  // sorted by queue id, at most one per queue
  std::vector<SramSegment> sram;
  std::vector<GeneratedSegment> generated;  // format 1.2; no overlap with each other or with `sram`
  bool operator==(const ChipProgram&) const = default;
};

// What a tensor of the manifest must hold after the run (the compiler's host
// reference): element bits, row-major over the symbol's shape. `tsp run --check`.
struct Expected {
  std::string symbol;
  uint32_t chip = 0;
  std::vector<uint32_t> bits;
  bool operator==(const Expected&) const = default;
};

struct Image {
  std::string config;  // name of an isa::Config
  bool has_prediction = false;
  uint64_t predicted_cycles = 0;   // the compiler's claim, checked by `tsp run`
  std::vector<std::string> files;  // source file names for SourceLoc
  std::vector<Symbol> symbols;
  std::vector<ChipProgram> chips;  // chip count = chips.size() >= 1
  std::vector<Expected> expected;  // optional (format 1.1)
  bool operator==(const Image&) const = default;
};

// Checks an image against its configuration: queue ids exist, every word
// decodes and is legal on its queue, SRAM segments are whole vectors inside
// their slice, symbols point at real places. Throws tsp::Error naming chip,
// queue, instruction index and source location.
void validate(const Image& img);

// The pieces of validate(), shared with parse() (which reports the offset of
// the offending section) and the assembler (which reports the source line).
// Each returns why the item is wrong, or nullopt.
// Manifest: known config (exact name), 1..kMaxChips chips, unique file names,
// no prediction value without a prediction, symbols named as assembly identifiers,
// unique, on a real chip, slice and address range.
std::optional<std::string> check_manifest(const Image& img);
std::optional<std::string> check_symbol(const Image& img, const isa::Config& cfg, const Symbol& sym);
std::optional<std::string> check_segment(const isa::Config& cfg, const SramSegment& seg);
// A generated region inside its slice, overlapping no other region or segment of `chip`.
std::optional<std::string> check_generated(const isa::Config& cfg, const ChipProgram& chip, const GeneratedSegment& g);
// An SRAM segment overlapping none of `chip`'s generated regions.
std::optional<std::string> check_segment_overlap(const isa::Config& cfg, const ChipProgram& chip,
                                                 const SramSegment& seg);
// An expected output names a symbol of its chip and holds one value per element.
std::optional<std::string> check_expected(const Image& img, const Expected& e);
// Queue id, every word decodes and is legal on the queue, locs. Names chip,
// queue, instruction index and file:line.
std::optional<std::string> check_queue(const Image& img, const isa::Config& cfg, size_t chip, const QueueProgram& q);
// A symbol name the assembly language can write: [A-Za-z_][A-Za-z0-9_.]*
bool is_identifier(std::string_view name);

// Binary form. parse() validates everything (magic, version, sizes, CRC,
// section layout, then validate()) and throws tsp::Error "<name>@0x<offset>: error: ..."
std::vector<uint8_t> serialize(const Image& img);
// What one chip's host stages: the same bytes as serialize() of the image with
// the SRAM bytes of every chip and the programs of every other chip left out
// (the chip count, files, symbols, expected outputs and this chip's generated
// SRAM stay). Written straight from `img`, with no copy of its programs.
std::vector<uint8_t> serialize_programs(const Image& img, uint32_t chip);
Image parse(std::span<const uint8_t> bytes, const std::string& name = "<image>");

// CRC32 (zlib) of a serialized image (at least a header long) with its CRC field taken as zero.
uint32_t image_crc(std::span<const uint8_t> bytes);

Image load_file(const std::string& path);
void save_file(const Image& img, const std::string& path);

}  // namespace tsp::image
