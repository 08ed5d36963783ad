// The assembler and disassembler: every opcode against a word computed here
// from the field table, byte-exact round trips (every opcode, the examples,
// seeded random images of both configurations), and every diagnostic.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "common/error.hpp"
#include "firmware/asm/assembler.hpp"
#include "firmware/asm/disassembler.hpp"
#include "firmware/image/image.hpp"

using namespace tsp;

namespace {

// A legal value for each operand field name, chosen by hand (not by the code under test).
const std::map<std::string_view, int64_t> kFieldValue = {
    {"cycles", 7}, {"count", 3},    {"interval", 2}, {"stride", -2}, {"mode", 5},    {"addr", 100}, {"shamt", 3},
    {"lanes", 3},  {"nstreams", 1}, {"row", 2},      {"slot", 3},    {"accmode", 1}, {"group", 3},
};

std::string unit_queue(isa::Unit u) {
  switch (u) {
    case isa::Unit::MEM:
      return "MEM.E.1";
    case isa::Unit::VXM:
      return "VXM.2";
    case isa::Unit::MXM:
      return "MXM.W.1";
    case isa::Unit::SXM:
      return "SXM.E.0";
    case isa::Unit::C2C:
      return "C2C.5";
    default:
      return "MEM.W.0";
  }
}

struct Expected {
  std::string text;
  uint64_t word;
};

// The instruction text written the documented way, and its word packed from the field table.
Expected expected_for(const isa::OpDesc& d) {
  uint64_t word = uint64_t{static_cast<uint8_t>(d.op)} << isa::kOpcodeLsb;
  std::string mnemonic(d.mnemonic), operands;
  unsigned stream_no = 0;
  for (const auto& f : d.fields) {
    int64_t v = 0;
    std::string text;
    if (f.kind == isa::FieldKind::Type) {
      // first allowed type for `type`, f16 for CVT's `from`
      v = f.name == "type" ? __builtin_ctz(d.type_mask) : 4;
      mnemonic += "." + std::string(isa::kDTypes[static_cast<size_t>(v)].name);
    } else if (f.kind == isa::FieldKind::Stream) {
      const bool west = stream_no++ % 2 == 1;  // alternate directions; index 0 keeps every group aligned
      v = (west ? 1 : 0) << 5;
      text = west ? "s0.w" : "S0.E";
    } else {
      v = kFieldValue.at(f.name);
      text = f.kind == isa::FieldKind::Enum ? std::string(f.enum_values[static_cast<size_t>(v)]) : std::to_string(v);
    }
    if (!text.empty()) operands += (operands.empty() ? " " : ", ") + text;
    word |= (static_cast<uint64_t>(v) & ((uint64_t{1} << f.width) - 1)) << f.lsb;
  }
  return {mnemonic + operands, word};
}

std::string asm_error(const std::string& src) {
  try {
    assembler::assemble(src, "t.tsp");
  } catch (const Error& e) {
    return e.what();
  }
  return "(assembled without error)";
}

std::vector<uint8_t> round_trip(const image::Image& img) {
  return image::serialize(assembler::assemble(disassembler::disassemble(img), "dis.tsp"));
}

}  // namespace

TEST(Assembler, EveryOpcodeEncodesToItsFieldLayout) {
  for (const auto& d : isa::kOps) {
    const Expected e = expected_for(d);
    const std::string src = ".config mini\n.queue " + unit_queue(d.unit) + "\n    " + e.text + "\n";
    const image::Image img = assembler::assemble(src, "op.tsp");
    ASSERT_EQ(img.chips.at(0).queues.size(), 1u) << src;
    ASSERT_EQ(img.chips[0].queues[0].words.size(), 1u);
    EXPECT_EQ(img.chips[0].queues[0].words[0], e.word) << d.mnemonic << ": " << e.text;
    EXPECT_EQ(img.chips[0].queues[0].locs, (std::vector<image::SourceLoc>{{0, 3}}));
    EXPECT_EQ(round_trip(img), image::serialize(img)) << d.mnemonic;
  }
}

TEST(Assembler, MnemonicsQueuesAndDirectivesAreCaseInsensitive) {
  const auto a = assembler::assemble(".config mini\n.queue VXM.0\nADD.f16 S0.E, S2.E, S4.W\n", "a.tsp");
  const auto b = assembler::assemble(".CONFIG MINI\n.Queue vxm.0\nadd.F16 s0.e, s2.E, S4.w\n", "a.tsp");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.config, "mini");
}

TEST(Assembler, CvtSuffixesAreToThenFrom) {
  const auto img = assembler::assemble(".config mini\n.queue VXM.0\nCVT.f32.f16 S0.E, S2.E\n", "a.tsp");
  const auto in = isa::decode(img.chips[0].queues[0].words[0], nullptr);
  ASSERT_TRUE(in);
  EXPECT_EQ(in->get("type"), static_cast<int64_t>(isa::DType::f32));
  EXPECT_EQ(in->get("from"), static_cast<int64_t>(isa::DType::f16));
}

TEST(Assembler, ExpressionsFollowCPrecedence) {
  const auto img = assembler::assemble(R"(.config mini
.equ K, 1 + 2 * 3          ; 7
.queue MEM.W.0
    NOP K                  ; 7
    NOP (1 + 2) * 3        ; 9
    NOP 1 << 2 + 1         ; 8: + binds tighter than <<
    NOP 0x10 + 0b101       ; 21
    NOP 17 % 5 + 17 / 5    ; 5
    NOP -(-4)              ; 4
L:  NOP L                  ; 6, the label is this instruction's index
    REPEAT 2, 1, -3 * 2
)",
                                       "e.tsp");
  std::vector<int64_t> cycles;
  for (uint64_t w : img.chips[0].queues[0].words) cycles.push_back(isa::decode(w, nullptr)->operand[0]);
  EXPECT_EQ(cycles, (std::vector<int64_t>{7, 9, 8, 21, 5, 4, 6, 2}));
  EXPECT_EQ(isa::decode(img.chips[0].queues[0].words.back(), nullptr)->get("stride"), -6);
}

TEST(Assembler, AtPadsWithNopsByDuration) {
  const auto img = assembler::assemble(R"(.config mini
.queue MEM.W.0
    READ 0, S0.E           ; 0
    REPEAT 3, 2, 1         ; 1..6
.at 10
    WRITE 1, S0.E
.at 11
    WRITE 2, S0.E
)",
                                       "at.tsp");
  const auto& w = img.chips[0].queues[0].words;
  ASSERT_EQ(w.size(), 5u);
  EXPECT_EQ(*isa::decode(w[2], nullptr), (isa::Instr{isa::Op::NOP, {3}}));
  EXPECT_EQ(isa::decode(w[3], nullptr)->op, isa::Op::WRITE);
  EXPECT_EQ(isa::decode(w[4], nullptr)->op, isa::Op::WRITE);  // already at 11: no padding
}

TEST(Assembler, SymbolsSramAndLocsReachTheImage) {
  const auto img = assembler::assemble(R"(.config mini
.chips 2
.predict 99
.chip 1
.tensor w, MEM.E.2, 8, 2, bf16, [2, 16]
.sram MEM.E.2, w
.hex 000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f
.hex 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
.queue MEM.E.2
.loc "model.py", 41
    READ w, S1.E
    READ w + 1, S1.E
.loc off
    NOP 1
)",
                                       "s.tsp");
  EXPECT_TRUE(img.has_prediction);
  EXPECT_EQ(img.predicted_cycles, 99u);
  ASSERT_EQ(img.chips.size(), 2u);
  ASSERT_EQ(img.symbols.size(), 1u);
  EXPECT_EQ(img.symbols[0], (image::Symbol{"w", 1, 6, 8, 2, isa::DType::bf16, {2, 16}}));
  ASSERT_EQ(img.chips[1].sram.size(), 1u);
  EXPECT_EQ(img.chips[1].sram[0].slice, 6);
  EXPECT_EQ(img.chips[1].sram[0].address, 8u);
  EXPECT_EQ(img.chips[1].sram[0].bytes.size(), 64u);
  EXPECT_EQ(img.chips[1].sram[0].bytes[33], 1);
  EXPECT_EQ(img.files, (std::vector<std::string>{"model.py"}));
  EXPECT_EQ(img.chips[1].queues[0].locs, (std::vector<image::SourceLoc>{{0, 41}, {0, 41}, {0, 0}}));
  EXPECT_EQ(isa::decode(img.chips[1].queues[0].words[1], nullptr)->get("addr"), 9);
}

// Generated SRAM is a record in the image: the disassembler once dropped it,
// so an image with generated weights came back without them.
TEST(Assembler, GeneratedSramRoundTrips) {
  const std::string src =
      ".config mini\n.chips 2\n.chip 1\n.sram MEM.W.0, 0\n.hex " + std::string(64, '0') +
      "\n.generated MEM.W.0, 4, 3, 16, 7, 18446744073709551615\n.generated MEM.E.2, 0, 1, 32, 0, 0x10\n";
  const image::Image img = assembler::assemble(src, "g.tsp");
  ASSERT_EQ(img.chips.at(1).generated.size(), 2u);
  EXPECT_EQ(img.chips[1].generated[0], (image::GeneratedSegment{0, 4, 3, 16, 7, ~uint64_t{0}}));
  EXPECT_EQ(img.chips[1].generated[1].seed, 16u);
  EXPECT_EQ(round_trip(img), image::serialize(img));
  image::Image without = img;
  without.chips[1].generated.pop_back();  // planted: a record lost on the way
  EXPECT_NE(round_trip(without), image::serialize(img));
  // Overlap with another region, and a seed that is not a number, are located errors.
  EXPECT_NE(asm_error(".config mini\n.generated MEM.W.0, 0, 4, 16, 0, 1\n.generated MEM.W.0, 3, 1, 16, 1, 1\n")
                .find("t.tsp:3:1: error:"),
            std::string::npos);
  EXPECT_NE(asm_error(".config mini\n.generated MEM.W.0, 0, 4, 16, 0, seed\n").find("expected a 64-bit seed"),
            std::string::npos);
  // The mask (1.3) and rows of blocks (1.4) round-trip too: the disassembler once dropped the mask.
  image::Image masked = img;
  masked.chips[1].generated[0].keep = 0x9f;
  masked.chips[1].generated[0].set = 0x20;
  masked.chips[1].generated[1].period = 3;
  masked.chips[1].generated[1].last_lanes = 7;
  EXPECT_EQ(round_trip(masked), image::serialize(masked));
  image::Image unmasked = masked;
  unmasked.chips[1].generated[0].keep = 0xff;  // planted: the mask lost
  EXPECT_NE(round_trip(unmasked), image::serialize(masked));
  EXPECT_NE(asm_error(".config mini\n.generated MEM.W.0, 0, 4, 16, 0, 1, 0xff, 0, 0, 3\n").find("period 0"),
            std::string::npos);
  EXPECT_NE(asm_error(".config mini\n.generated MEM.W.0, 0, 4, 16, 0, 1, 0x100, 0\n").find("keep mask 256 out of range"),
            std::string::npos);
}

TEST(Assembler, ExamplesAssembleAndRoundTrip) {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TSP_SOURCE_DIR "/firmware/examples")) {
    if (entry.path().extension() != ".tsp") continue;
    ++seen;
    const auto img = assembler::assemble_file(entry.path().string());
    EXPECT_EQ(round_trip(img), image::serialize(img)) << entry.path();
  }
  EXPECT_GE(seen, 2);
}

// Random legal images of both configurations, through text and back.
TEST(Assembler, RandomImagesRoundTripThroughText) {
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937_64 rng(seed);
    auto pick = [&](uint64_t n) { return static_cast<uint64_t>(rng() % n); };
    const isa::Config& cfg = isa::kConfigs[seed % isa::kConfigs.size()];
    image::Image img;
    img.config = cfg.name;
    img.chips.resize(1 + pick(3));
    img.has_prediction = pick(2) == 1;
    if (img.has_prediction) img.predicted_cycles = rng() >> 1;
    const char* odd_names[] = {"a.tsp", "dir/b \"q\".py", "semi;colon", "tab\tand\\back", "\x01\xff"};
    for (const char* f : odd_names)
      if (pick(2)) img.files.push_back(f);
    for (uint64_t i = 0, n = pick(4); i < n; ++i) {
      const uint32_t addr = static_cast<uint32_t>(pick(cfg.mem_addresses));
      img.symbols.push_back({fmt::format("t{}.v_{}", i, pick(100)),
                             static_cast<uint32_t>(pick(img.chips.size())),
                             static_cast<uint16_t>(pick(cfg.mem_slices)),
                             addr,
                             static_cast<uint32_t>(1 + pick(cfg.mem_addresses - addr)),
                             static_cast<isa::DType>(pick(isa::kDTypes.size())),
                             {}});
      for (uint64_t d = 0, r = pick(4); d < r; ++d) img.symbols.back().shape.push_back(static_cast<uint32_t>(rng()));
    }
    for (auto& chip : img.chips) {
      for (uint64_t s = 0, n = pick(3); s < n; ++s) {
        const uint32_t vectors = static_cast<uint32_t>(1 + pick(3));
        image::SramSegment seg{static_cast<uint16_t>(pick(cfg.mem_slices)),
                               static_cast<uint32_t>(pick(cfg.mem_addresses - vectors + 1)),
                               {}};
        for (uint32_t b = 0; b < vectors * cfg.vector_bytes; ++b) seg.bytes.push_back(static_cast<uint8_t>(rng()));
        chip.sram.push_back(std::move(seg));
      }
      std::vector<uint16_t> ids;
      for (uint16_t q = 0; q < cfg.queue_table.size(); ++q)
        if (pick(6) == 0) ids.push_back(q);
      for (uint16_t q : ids) {
        image::QueueProgram prog{q, {}, {}};
        const bool locs = !img.files.empty() && pick(2);
        for (uint64_t i = 0, n = pick(12); i < n;) {
          // A random word with a random opcode; keep it when it is legal on this queue.
          const auto& d = isa::kOps[pick(isa::kOps.size())];
          isa::Instr in{d.op, {}};
          for (size_t f = 0; f < d.fields.size(); ++f) {
            const auto& fd = d.fields[f];
            const int64_t raw = static_cast<int64_t>(rng() & ((uint64_t{1} << fd.width) - 1));
            in.operand[f] = fd.kind == isa::FieldKind::Simm ? raw - (int64_t{1} << (fd.width - 1)) : raw;
            if (fd.kind == isa::FieldKind::Addr) in.operand[f] = static_cast<int64_t>(pick(cfg.mem_addresses));
            if (fd.kind == isa::FieldKind::Stream) in.operand[f] = static_cast<int64_t>(pick(2) << 5 | pick(4) * 4);
            if (fd.kind == isa::FieldKind::Uimm && fd.width > 8 && pick(2))
              in.operand[f] = static_cast<int64_t>(pick(5));
          }
          std::string why;
          const uint64_t w = isa::encode(in);
          if (!isa::decode(w, &why) || isa::check_legal(in, cfg, cfg.queue_table[q])) continue;
          prog.words.push_back(w);
          if (locs)
            prog.locs.push_back({static_cast<uint32_t>(pick(img.files.size())), static_cast<uint32_t>(pick(3))});
          ++i;
        }
        chip.queues.push_back(std::move(prog));
      }
    }
    ASSERT_NO_THROW(image::validate(img)) << "seed " << seed;
    const auto bytes = image::serialize(img);
    EXPECT_EQ(image::parse(bytes), img) << "seed " << seed;
    const std::string text = disassembler::disassemble(img);
    image::Image back;
    ASSERT_NO_THROW(back = assembler::assemble(text, "dis.tsp")) << "seed " << seed << "\n" << text;
    EXPECT_EQ(back, img) << "seed " << seed << "\n" << text;
    EXPECT_EQ(image::serialize(back), bytes) << "seed " << seed;
  }
}

TEST(Disassembler, AnnotatesKnownCycles) {
  const auto img =
      assembler::assemble(".config mini\n.queue MEM.W.0\nNOP 4\nREAD 1, S0.E\nSYNC\nREAD 2, S0.E\n", "c.tsp");
  const std::string text = disassembler::disassemble(img);
  EXPECT_NE(text.find("READ 0x1, S0.E"), std::string::npos) << text;
  EXPECT_NE(text.find("; @cycle 4"), std::string::npos) << text;
  EXPECT_NE(text.find("; @cycle 5"), std::string::npos) << text;  // the SYNC
  EXPECT_EQ(text.find("; @cycle 6"), std::string::npos) << text;  // unknown after SYNC
}

// Each bad line, the location the error must name, and its reason.
TEST(Assembler, ReportsEveryErrorWithItsLocation) {
  const std::string head = ".config mini\n.queue MEM.W.0\n";  // errors below start on line 3
  const std::vector<std::pair<std::string, std::string>> cases = {
      {".bogus 1", "t.tsp:3:1: error: unknown directive '.bogus'"},
      {"FROB 1", "t.tsp:3:1: error: unknown mnemonic 'FROB'"},
      {".queue MEM.W.9", "t.tsp:3:8: error: unknown queue 'MEM.W.9' in configuration mini"},
      {".queue MEM.W.0", "t.tsp:3:8: error: queue MEM.W.0 of chip 0 already defined at line 2"},
      {"READ 0", "t.tsp:3:7: error: READ takes operands (addr, dst); found end of line instead of dst"},
      {"READ 0, S0.E, 3", "t.tsp:3:13: error: too many operands: READ takes (addr, dst)"},
      {"READ 12ab, S0.E", "t.tsp:3:6: error: bad number '12ab'"},
      {"READ 1024, S0.E", "t.tsp:3:1: error: READ: address 1024 out of range (config mini has 1024 addresses"},
      {"READ 65536, S0.E", "t.tsp:3:6: error: addr = 65536 out of range (16-bit unsigned)"},
      {"READ 0, S16.E", "t.tsp:3:1: error: READ: stream S16.E (group of 1) does not exist"},
      {"READ 0, S40.E", "t.tsp:3:9: error: dst: expected a stream S<n>.E or S<n>.W (n < 32), found 'S40.E'"},
      {"READ 0, nope", "t.tsp:3:9: error: dst: expected a stream"},
      {"READ x, S0.E", "t.tsp:3:6: error: undefined symbol 'x'"},
      {"ADD.f16 S0.E, S0.E, S0.E", "t.tsp:3:1: error: ADD is a VXM instruction but queue MEM.W.0 belongs to MEM"},
      {"READ.i8 0, S0.E", "t.tsp:3:1: error: READ takes 0 type suffix(es), found 1"},
      {"REPEAT 1, 1, 40000", "t.tsp:3:14: error: stride = 40000 out of range (16-bit signed)"},
      {"NOP 0", "t.tsp:3:1: error: NOP: cycle count must be at least 1"},
      {"NOP 1/0", "t.tsp:3:6: error: division by zero"},
      {"NOP 0x7fffffffffffffff + 1", "t.tsp:3:24: error: overflow in '+'"},
      {"NOP 1 << 64", "t.tsp:3:7: error: shift by 64 out of range"},
      {"NOP (1", "t.tsp:3:7: error: expected ')' to close the parenthesis, found end of line"},
      {"NOP 1 $", "t.tsp:3:7: error: unexpected character '$'"},
      {".loc \"x", "t.tsp:3:6: error: unterminated string"},
      {".hex 00", "t.tsp:3:1: error: .hex outside an .sram segment"},
      {".sram MEM.W.0, 0\n.hex 00 01",
       "t.tsp:3:1: error: SRAM segment MEM.W.0@0: 2 bytes is not a whole number of 32-byte vectors"},
      {".sram VXM.0, 0", "t.tsp:3:7: error: VXM.0 is not a MEM slice"},
      {".sram MEM.W.0, 0\n.hex 0g", "t.tsp:4:6: error: expected hex bytes (pairs of hex digits), found '0g'"},
      {".tensor t, MEM.W.0, 1020, 8, f16, []", "t.tsp:3:9: error: symbol t: addresses 1020..1027 exceed"},
      {".tensor t, MEM.W.0, 0, 1, f99, []", "t.tsp:3:27: error: unknown type 'f99'"},
      {".equ a, 1\n.equ a, 2", "t.tsp:4:6: error: symbol 'a' already defined at line 3"},
      {"L: NOP 1\nL: NOP 1", "t.tsp:4:1: error: symbol 'L' already defined at line 3"},
      {".chip 1", "t.tsp:3:7: error: chip 1 does not exist (1 chips; see .chips)"},
      {".chips 2", "t.tsp:3:1: error: .chips must come before .chip, .queue, .sram and .tensor"},
      {".config tsp1", "t.tsp:3:1: error: duplicate .config"},
      {".at 5\n.at 2", "t.tsp:4:5: error: .at 2: the queue is already at cycle 5"},
      {"SYNC\n.at 9", "t.tsp:4:1: error: .at: issue time unknown after SYNC or DESKEW"},
      {".at 0x7fffffffffff", "t.tsp:3:5: error: .at 140737488355327: a gap of"},
      {"ABC.i8 S0.E, 0, sideways", "error: accmode: expected one of set, add, found 'sideways'"},
      {"NOP 1 NOP", "t.tsp:3:7: error: too many operands: NOP takes (cycles)"},
      {".chip 0\nREAD 0, S0.E", "t.tsp:4:1: error: 'READ' outside a .queue"},
  };
  for (const auto& [body, expected] : cases) {
    const std::string msg = asm_error(head + body + "\n");
    EXPECT_NE(msg.find(expected), std::string::npos) << body << "\n  got: " << msg;
  }
}

TEST(Assembler, CollectsAllDiagnosticsOnePerLine) {
  const std::string msg = asm_error(".config mini\nNOP 1\n.queue VXM.0\nFROB\nADD.q8 S0.E, S0.E, S0.E\n.queue XYZ\n");
  EXPECT_EQ(msg,
            "t.tsp:2:1: error: 'NOP' outside a .queue\n"
            "t.tsp:4:1: error: unknown mnemonic 'FROB'\n"
            "t.tsp:5:1: error: ADD: unknown type 'q8'\n"
            "t.tsp:6:8: error: unknown queue 'XYZ' in configuration mini");
}

TEST(Assembler, ConfigMustComeFirstAndExist) {
  EXPECT_NE(asm_error("; nothing\n").find("t.tsp:1:1: error: missing '.config NAME'"), std::string::npos);
  EXPECT_NE(asm_error(".queue VXM.0\n").find("t.tsp:1:1: error: the first statement must be '.config NAME'"),
            std::string::npos);
  EXPECT_NE(asm_error(".config tsp7\n").find("t.tsp:1:9: error: unknown configuration 'tsp7' (known: tsp1, mini)"),
            std::string::npos);
}
