// The binary image format: round trips, the documented layout (read here with
// our own byte arithmetic from docs/image-format.md, not with the reader under
// test), and every rejection path of parse() and validate().
#include "firmware/image/image.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <functional>

#include "common/error.hpp"
#include "common/generated_bytes.hpp"

using namespace tsp;
using namespace tsp::image;

namespace {

const isa::Config& mini() { return *isa::find_config("mini"); }
uint16_t qid(const char* name) { return *isa::find_queue(mini(), name); }

uint64_t word(isa::Op op, std::initializer_list<int64_t> operands) {
  isa::Instr in{op, {}};
  std::copy(operands.begin(), operands.end(), in.operand.begin());
  return isa::encode(in);
}

Image sample() {
  Image img;
  img.config = "mini";
  img.has_prediction = true;
  img.predicted_cycles = 42;
  img.files = {"a.tsp", "b.py"};
  img.chips.resize(2);
  img.symbols = {{"x", 0, 1, 4, 2, isa::DType::f16, {2, 16}}, {"y.z", 1, 7, 0, 1, isa::DType::i8, {}}};
  img.chips[0].queues = {
      {qid("MEM.W.0"), {word(isa::Op::READ, {4, 1}), word(isa::Op::NOP, {3})}, {{0, 10}, {1, 20}}},
      {qid("VXM.1"), {word(isa::Op::ADD, {0, 2, 4, 4})}, {}},
  };
  img.chips[0].sram = {{1, 4, std::vector<uint8_t>(2 * mini().vector_bytes, 0xab)}};
  img.chips[1].queues = {{qid("C2C.3"), {word(isa::Op::SEND, {0})}, {}}};
  return img;
}

uint64_t le(const std::vector<uint8_t>& b, size_t at, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{b[at + i]} << (8 * i);
  return v;
}
void put_le(std::vector<uint8_t>& b, size_t at, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
// CRC per the spec: zlib crc32 over the file with bytes 24..27 zero.
void fix_crc(std::vector<uint8_t>& b) {
  put_le(b, 24, 0, 4);
  put_le(b, 24, crc32(0, b.data(), static_cast<uInt>(b.size())), 4);
}
// Offsets of the sections, walked by the documented layout.
std::vector<size_t> section_offsets(const std::vector<uint8_t>& b) {
  std::vector<size_t> out;
  size_t at = le(b, 12, 4);
  for (uint64_t i = 0, n = le(b, 28, 4); i < n; ++i) {
    out.push_back(at);
    at += 16 + (le(b, at + 8, 8) + 7) / 8 * 8;
  }
  return out;
}

std::string parse_error(const std::vector<uint8_t>& b) {
  try {
    parse(b, "t.img");
  } catch (const Error& e) {
    return e.what();
  }
  return "(parsed without error)";
}
#define EXPECT_PARSE_ERROR(bytes, where, why)                                               \
  do {                                                                                      \
    const std::string msg = parse_error(bytes);                                             \
    EXPECT_NE(msg.find(fmt::format("t.img@{}: error: ", where)), std::string::npos) << msg; \
    EXPECT_NE(msg.find(why), std::string::npos) << msg;                                     \
  } while (0)

std::string validate_error(const Image& img) {
  try {
    validate(img);
  } catch (const Error& e) {
    return e.what();
  }
  return "(valid)";
}

}  // namespace

TEST(Image, ParseOfSerializeIsIdentity) {
  const Image img = sample();
  EXPECT_NO_THROW(validate(img));
  const auto bytes = serialize(img);
  EXPECT_EQ(parse(bytes), img);
  EXPECT_EQ(serialize(parse(bytes)), bytes);
}

// A chip's host stages its own programs, generated SRAM, symbols and expected
// outputs only: the bytes of the image with every SRAM segment and the other
// chips' programs, symbols and expected outputs removed.
TEST(Image, OneChipsProgramsAreTheImageWithoutTheRest) {
  Image img = sample();
  img.chips[0].generated = {{2, 0, 1, 32, 0, 7}};
  img.chips[1].generated = {{2, 0, 1, 32, 1, 7}};
  img.expected = {{"y.z", 1, {5}}};
  const ChipIndex index(img);
  for (uint32_t chip = 0; chip < 2; ++chip) {
    Image alone = img;
    for (uint32_t c = 0; c < 2; ++c) {
      alone.chips[c].sram.clear();
      if (c != chip) alone.chips[c] = {};
    }
    std::erase_if(alone.symbols, [&](const Symbol& s) { return s.chip != chip; });
    std::erase_if(alone.expected, [&](const Expected& e) { return e.chip != chip; });
    EXPECT_EQ(serialize_programs(img, chip), serialize(alone)) << "chip " << chip;
    EXPECT_EQ(serialize_programs(img, chip, index), serialize(alone)) << "chip " << chip << ", indexed";
  }
}

TEST(Image, HeaderFollowsTheDocumentedLayout) {
  const auto b = serialize(sample());
  EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "TSPIMAGE");
  EXPECT_EQ(le(b, 8, 2), kVersionMajor);
  EXPECT_EQ(le(b, 10, 2), kVersionMinor);
  EXPECT_EQ(le(b, 12, 4), 64u);
  EXPECT_EQ(le(b, 16, 8), b.size());
  EXPECT_EQ(le(b, 28, 4), 1u + 3u + 1u);  // manifest, 3 queues, 1 SRAM segment
  for (size_t i = 32; i < 64; ++i) EXPECT_EQ(b[i], 0) << i;
  EXPECT_EQ(b.size() % 8, 0u);
  auto copy = b;
  fix_crc(copy);
  EXPECT_EQ(copy, b);  // the stored CRC is the one the spec defines
  // First section: the manifest, then chip 0's MEM.W.0 program with its first word.
  const auto s = section_offsets(b);
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(le(b, s[0], 4), 1u);
  EXPECT_EQ(le(b, s[1], 4), 2u);
  EXPECT_EQ(le(b, s[1] + 16, 2), qid("MEM.W.0"));
  EXPECT_EQ(le(b, s[1] + 18, 2), 1u);  // has locs
  EXPECT_EQ(le(b, s[1] + 20, 4), 2u);
  EXPECT_EQ(le(b, s[1] + 24, 8), sample().chips[0].queues[0].words[0]);
  EXPECT_EQ(le(b, s[4], 4), 2u);  // chip 1's queue comes after chip 0's SRAM
  EXPECT_EQ(le(b, s[3], 4), 3u);
  EXPECT_EQ(s.back() + 16 + (le(b, s.back() + 8, 8) + 7) / 8 * 8, b.size());
}

TEST(Image, RejectsCorruptHeaderFields) {
  const auto good = serialize(sample());
  auto b = good;
  b[3] ^= 1;
  EXPECT_PARSE_ERROR(b, "0x0", "bad magic");
  b = good;
  put_le(b, 8, kVersionMajor + 1, 2);
  EXPECT_PARSE_ERROR(b, "0x8", fmt::format("unsupported format version 2.{}", kVersionMinor));
  b = good;
  put_le(b, 12, 60, 4);
  EXPECT_PARSE_ERROR(b, "0xc", "header size 60 invalid");
  b = good;
  put_le(b, 12, 1u << 30, 4);
  EXPECT_PARSE_ERROR(b, "0xc", "header size");
  b = good;
  put_le(b, 16, good.size() + 8, 8);
  EXPECT_PARSE_ERROR(b, "0x10", "truncated");
  b = good;
  put_le(b, 24, le(b, 24, 4) ^ 0x100, 4);
  EXPECT_PARSE_ERROR(b, "0x18", "CRC mismatch");
  b = good;
  put_le(b, 28, 0xffffffff, 4);
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, "0x1c", "section count 4294967295 cannot fit");
  b = good;
  put_le(b, 28, 4, 4);
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, fmt::format("0x{:x}", section_offsets(good)[4]), "32 trailing bytes after the last section");
  b = good;
  b[40] = 1;
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, "0x28", "reserved header byte");
}

// Format 1.1: expected outputs (the compiler's host reference) as sections of kind 4, last.
TEST(Image, ExpectedOutputsRoundTripAndAreChecked) {
  Image img = sample();
  img.expected = {{"x", 0, std::vector<uint32_t>(32, 0x3c00)}};
  const auto b = serialize(img);
  EXPECT_EQ(parse(b), img);
  const auto s = section_offsets(b);
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(le(b, s.back(), 4), 4u);
  EXPECT_EQ(le(b, s.back() + 16, 4), 1u);       // the symbol's name: "x"
  EXPECT_EQ(le(b, s.back() + 21, 8), 32u);      // element count after the 5-byte string
  EXPECT_EQ(le(b, s.back() + 29, 4), 0x3c00u);  // the first element's bits
  auto bad = [&](Expected e) {
    Image i = sample();
    i.expected = {std::move(e)};
    try {
      parse(serialize(i));
    } catch (const Error& err) {
      return std::string(err.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(bad({"w", 0, {1}}).find("expected output 'w' names no symbol of chip 0"), std::string::npos);
  EXPECT_NE(bad({"x", 0, {1, 2}}).find("expected output 'x' holds 2 values; its symbol has 32 elements"),
            std::string::npos);
  EXPECT_NE(bad({"x", 0, std::vector<uint32_t>(32, 0x10000)}).find("is wider than f16"), std::string::npos);
  EXPECT_NE(bad({"x", 5, {1}}).find("chip 5 out of range"), std::string::npos);
}

TEST(Image, GeneratedSramFollowsTheDocumentedLayoutAndIsChecked) {
  Image img = sample();
  img.chips[1].generated = {{3, 10, 20, 32, 7, 0x0123456789abcdefull}};
  const auto b = serialize(img);
  EXPECT_EQ(parse(b), img);
  const auto s = section_offsets(b);
  ASSERT_EQ(s.size(), 6u);  // manifest, chip 0's two queues and segment, chip 1's queue and region
  const size_t g = s.back();
  EXPECT_EQ(le(b, g, 4), 5u);  // kind 5 on chip 1, 24 bytes
  EXPECT_EQ(le(b, g + 4, 4), 1u);
  EXPECT_EQ(le(b, g + 8, 8), 24u);
  EXPECT_EQ(le(b, g + 16, 2), 3u);  // slice, lanes, address, vectors, tensor, seed
  EXPECT_EQ(le(b, g + 18, 2), 32u);
  EXPECT_EQ(le(b, g + 20, 4), 10u);
  EXPECT_EQ(le(b, g + 24, 4), 20u);
  EXPECT_EQ(le(b, g + 28, 4), 7u);
  EXPECT_EQ(le(b, g + 32, 8), 0x0123456789abcdefull);
  auto bad = [&](uint32_t chip, GeneratedSegment r) {
    Image i = sample();
    i.chips[chip].generated = {r};
    try {
      parse(serialize(i), "t.img");
    } catch (const Error& err) {
      return std::string(err.what());
    }
    return std::string("(no error)");
  };
  const auto last = [&](uint32_t chip, GeneratedSegment r) {  // the error names the region's section
    Image i = sample();
    i.chips[chip].generated = {r};
    return fmt::format("t.img@0x{:x}: error: chip {}: ", section_offsets(serialize(i)).back(), chip);
  };
  EXPECT_NE(
      bad(1, {9, 0, 1, 32, 0, 1}).find(last(1, {9, 0, 1, 32, 0, 1}) + "generated SRAM: MEM slice 9 does not exist"),
      std::string::npos);
  EXPECT_NE(bad(1, {2, 5, 0, 32, 0, 1}).find("generated SRAM MEM.W.2@5: spans no vectors"), std::string::npos);
  EXPECT_NE(bad(1, {2, 5, 1, 33, 0, 1}).find("generated SRAM MEM.W.2@5: 33 generated lanes out of range (1..32)"),
            std::string::npos);
  EXPECT_NE(bad(1, {2, 1000, 30, 32, 0, 1}).find("30 vectors overrun the slice's 1024 addresses"), std::string::npos);
  // Chip 0 holds an SRAM segment on slice 1 at 4..5.
  EXPECT_NE(bad(0, {1, 5, 3, 32, 0, 1}).find("generated SRAM MEM.W.1@5..7 overlaps the SRAM segment MEM.W.1@4..5"),
            std::string::npos);
  Image two = sample();
  two.chips[1].generated = {{2, 0, 10, 32, 0, 1}, {2, 9, 2, 32, 1, 1}};
  try {
    validate(two);
    ADD_FAILURE() << "overlapping regions validated";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("chip 1: generated SRAM MEM.W.2@0..9 overlaps generated SRAM MEM.W.2@9..10"),
              std::string::npos)
        << e.what();
  }
}

// Format 1.3: a region with a mask is section kind 6, its 24 bytes then keep,
// set and a zero u16; a region without one stays kind 5 (readable by 1.2).
TEST(Image, MaskedGeneratedSramIsKindSix) {
  Image img = sample();
  img.chips[1].generated = {{3, 10, 20, 32, 7, 5, 0x9f, 0x20}};
  const auto b = serialize(img);
  EXPECT_EQ(parse(b), img);
  const size_t g = section_offsets(b).back();
  EXPECT_EQ(le(b, g, 4), 6u);
  EXPECT_EQ(le(b, g + 8, 8), 28u);
  EXPECT_EQ(le(b, g + 40, 1), 0x9fu);
  EXPECT_EQ(le(b, g + 41, 1), 0x20u);
  EXPECT_EQ(le(b, g + 42, 2), 0u);
  auto reserved = b;
  reserved[g + 42] = 1;
  fix_crc(reserved);
  try {
    parse(reserved, "t.img");
    ADD_FAILURE() << "a non-zero reserved field parsed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("reserved field is not zero"), std::string::npos) << e.what();
  }
  img.chips[1].generated[0].keep = 0xff;
  img.chips[1].generated[0].set = 0;
  EXPECT_EQ(le(serialize(img), g, 4), 5u);
  // The bytes: (byte & keep) | set.
  const uint64_t key = genbytes::key(1, 0);
  std::vector<uint8_t> got(45);
  genbytes::fill(key, 3, got.data(), got.size(), 0x9f, 0x20);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], (genbytes::byte(key, 3 + i) & 0x9f) | 0x20) << i;
}

// Format 1.4: a region in rows of column blocks whose last is partial is
// kind 7, kind 6's 28 bytes then period u32, last_lanes u16, a zero u16.
TEST(Image, GeneratedSramInRowsOfBlocksIsKindSeven) {
  Image img = sample();
  img.chips[1].generated = {{3, 10, 20, 32, 7, 5, 0xff, 0, 4, 9}};
  const auto b = serialize(img);
  EXPECT_EQ(parse(b), img);
  const size_t g = section_offsets(b).back();
  EXPECT_EQ(le(b, g, 4), 7u);
  EXPECT_EQ(le(b, g + 8, 8), 36u);
  EXPECT_EQ(le(b, g + 40, 1), 0xffu);  // keep and set written even without a mask
  EXPECT_EQ(le(b, g + 44, 4), 4u);
  EXPECT_EQ(le(b, g + 48, 2), 9u);
  EXPECT_EQ(le(b, g + 50, 2), 0u);
  // Vectors 3, 7, 11, ... of the region (addresses 13, 17, ...) have 9 lanes.
  const GeneratedSegment& s = img.chips[1].generated[0];
  EXPECT_EQ(s.lanes_at(10), 32u);
  EXPECT_EQ(s.lanes_at(13), 9u);
  EXPECT_EQ(s.lanes_at(14), 32u);
  EXPECT_EQ(s.lanes_at(29), 9u);
  const auto broken = [&](size_t at, uint32_t value, size_t width) {
    auto c = b;
    put_le(c, at, value, width);
    fix_crc(c);
    return parse_error(c);
  };
  EXPECT_NE(broken(g + 44, 0, 4).find("generated SRAM in blocks with period 0"), std::string::npos);
  EXPECT_NE(broken(g + 48, 33, 2).find("33 generated lanes of a row's last block out of range (1..32)"),
            std::string::npos);
  EXPECT_NE(broken(g + 48, 0, 2).find("0 generated lanes of a row's last block out of range"), std::string::npos);
  EXPECT_NE(broken(g + 50, 1, 2).find("reserved field is not zero"), std::string::npos);
}

TEST(Image, GeneratedBytesAreTheDocumentedFunction) {
  // docs/image-format.md "Generated SRAM": seed 1, tensor 0.
  const uint64_t key = genbytes::key(1, 0);
  EXPECT_EQ(key, 0x910a2dec89025cc1ull);
  EXPECT_EQ(genbytes::word(key, 0), 0x5e41ab087439611eull);
  const uint8_t want[8] = {0x1e, 0x61, 0x39, 0x74, 0x08, 0xab, 0x41, 0x5e};
  for (unsigned o = 0; o < 8; ++o) EXPECT_EQ(genbytes::byte(key, o), want[o]) << o;
  // fill() at any start and length equals byte() one by one.
  std::vector<uint8_t> got(45);
  genbytes::fill(key, 3, got.data(), got.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], genbytes::byte(key, 3 + i)) << i;
}

TEST(Image, AcceptsANewerMinorVersion) {
  auto b = serialize(sample());
  put_le(b, 10, kVersionMinor + 1, 2);
  b[40] = 7;  // a newer minor may use reserved bytes
  fix_crc(b);
  EXPECT_EQ(parse(b), sample());
}

TEST(Image, EveryTruncationIsRejected) {
  const auto good = serialize(sample());
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> b(good.begin(), good.begin() + static_cast<long>(n));
    const std::string msg = parse_error(b);
    EXPECT_NE(msg.find("t.img@0x"), std::string::npos) << n << ": " << msg;
    EXPECT_NE(msg.find("truncated"), std::string::npos) << n << ": " << msg;
  }
}

TEST(Image, EveryFlippedByteIsRejected) {
  const auto good = serialize(sample());
  for (size_t i = 0; i < good.size(); ++i) {
    auto b = good;
    b[i] ^= 0x5a;
    EXPECT_NE(parse_error(b).find("t.img@0x"), std::string::npos) << i;
  }
}

// Structural corruption behind a valid CRC, so the section reader must catch it.
TEST(Image, RejectsBadSections) {
  const auto good = serialize(sample());
  const auto s = section_offsets(good);
  auto hex = [](size_t v) { return fmt::format("0x{:x}", v); };
  auto b = good;
  put_le(b, s[2], 9, 4);
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, hex(s[2]), "unknown section kind 9");
  b = good;
  put_le(b, s[4] + 4, 2, 4);
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, hex(s[4] + 4), "chip index 2 out of range (2 chips)");
  b = good;
  put_le(b, s[1] + 8, 1u << 20, 8);
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, hex(s[1] + 8), "overruns the file");
  b = good;
  put_le(b, s[0], 2, 4);
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, hex(s[0]), "first section must be the manifest");
  b = good;
  put_le(b, s[1] + 20, 1000000, 4);  // instruction count beyond the payload
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, hex(s[1] + 20), "instruction count 1000000 needs");
  b = good;
  put_le(b, s[1] + 18, 0, 2);  // drops the locs flag: the loc bytes are now unexpected
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, hex(s[1] + 16 + 8 + 2 * 8), "16 unexpected bytes at the end of the section");
  b = good;
  put_le(b, s[1] + 24, 0, 8);  // first word of MEM.W.0 becomes the illegal opcode 0
  fix_crc(b);
  EXPECT_PARSE_ERROR(b, hex(s[1]), "chip 0, queue MEM.W.0, instruction 0 (a.tsp:10): illegal opcode 0x00");
}

TEST(Image, RejectsDuplicateQueues) {
  Image img = sample();
  img.chips[0].queues.push_back(img.chips[0].queues[1]);
  const auto b = serialize(img);
  EXPECT_PARSE_ERROR(b, fmt::format("0x{:x}", section_offsets(b)[3] + 16), "chip 0: duplicate queue id");
  EXPECT_NE(validate_error(img).find("chip 0: queue programs not sorted by queue id or duplicated"), std::string::npos);
}

TEST(Image, ValidateNamesWhatIsWrongAndWhere) {
  struct Case {
    std::function<void(Image&)> damage;
    std::string expected;
    bool serializable = true;  // false: serialize() cannot even express the damage
  };
  const std::vector<Case> cases = {
      {[](Image& i) { i.config = "tsp9"; }, "unknown configuration 'tsp9'"},
      {[](Image& i) { i.config = "MINI"; }, "unknown configuration 'MINI'"},
      {[](Image& i) { i.chips.clear(); }, "chip count 0 out of range"},
      {[](Image& i) { i.has_prediction = false; }, "predicted cycles set without a prediction"},
      {[](Image& i) { i.files.push_back("a.tsp"); }, "file 'a.tsp' appears twice"},
      {[](Image& i) { i.symbols[0].name = "1x"; }, "symbol name '1x' is not an identifier"},
      {[](Image& i) { i.symbols[1].name = i.symbols[0].name; }, "symbol x defined twice"},
      {[](Image& i) { i.symbols[1].chip = 2; }, "symbol y.z: chip 2 does not exist"},
      {[](Image& i) { i.symbols[0].slice = 8; }, "symbol x: MEM slice 8 does not exist (8 slices)"},
      {[](Image& i) { i.symbols[0].address = 1023; }, "symbol x: addresses 1023..1024 exceed the slice's 1024"},
      {[](Image& i) { i.chips[0].queues[1].queue = 999; }, "chip 0: queue id 999 does not exist"},
      {[](Image& i) {
         i.chips[0].queues[0].words[1] = word(isa::Op::ADD, {0, 0, 0, 0});
       },
       "chip 0, queue MEM.W.0, instruction 1 (b.py:20): ADD is a VXM instruction but queue MEM.W.0 belongs to MEM"},
      {[](Image& i) {
         i.chips[0].queues[0].words[0] = word(isa::Op::READ, {1024, 0});
       },
       "instruction 0 (a.tsp:10): READ: address 1024 out of range"},
      {[](Image& i) { i.chips[1].queues[0].words[0] |= uint64_t{1} << 40; },
       "chip 1, queue C2C.3, instruction 0: SEND: reserved bits set"},
      {[](Image& i) { i.chips[0].queues[0].locs.pop_back(); }, "queue MEM.W.0: 1 source locations for 2 instructions",
       false},
      {[](Image& i) { i.chips[0].queues[0].locs[1].file = 2; }, "instruction 1: source file index 2 out of range"},
      {[](Image& i) { i.chips[0].sram[0].bytes.pop_back(); },
       "chip 0: SRAM segment MEM.W.1@4: 63 bytes is not a whole"},
      {[](Image& i) { i.chips[0].sram[0].address = 1023; }, "SRAM segment MEM.W.1@1023: 2 vectors overrun"},
      {[](Image& i) { i.chips[0].sram[0].slice = 8; }, "SRAM segment: MEM slice 8 does not exist"},
  };
  for (const auto& c : cases) {
    Image img = sample();
    c.damage(img);
    const std::string msg = validate_error(img);
    EXPECT_NE(msg.find(c.expected), std::string::npos) << msg;
    // parse() applies the same checks, reporting a file offset.
    if (!c.serializable) continue;
    const std::string parsed = parse_error(serialize(img));
    EXPECT_NE(parsed.find(c.expected), std::string::npos) << parsed;
    EXPECT_NE(parsed.find("t.img@0x"), std::string::npos) << parsed;
  }
}

TEST(Image, FilesRoundTrip) {
  const std::string path = ::testing::TempDir() + "image_test.img";
  save_file(sample(), path);
  EXPECT_EQ(load_file(path), sample());
  std::remove(path.c_str());
  try {
    load_file(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": error: cannot read"), std::string::npos);
  }
}
