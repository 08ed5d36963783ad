// The ISA helpers against the published geometry and against hand-computed
// encodings (expected values written from architecture.md, not from the code).
#include "firmware/isa/isa.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "firmware/isa/word_memo.hpp"

using namespace tsp::isa;

TEST(Config, Tsp1MatchesThePublishedChip) {
  const Config* c = find_config("tsp1");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->lanes, 320u);
  EXPECT_EQ(c->superlanes, 20u);
  EXPECT_EQ(c->mem_slices, 88u);
  EXPECT_EQ(c->sram_bytes, 220ull * 1024 * 1024);
  EXPECT_EQ(c->compute_queues, 144u);
  EXPECT_EQ(c->macs, 409600ull);
  EXPECT_EQ(c->vxm_alus, 5120u);
  EXPECT_EQ(c->mem_slice_bytes, 2621440ull);  // 2.5 MiB
  EXPECT_EQ(c->queue_table.size(), c->queues);
}

TEST(Config, FloorplanIsWestToEastAndMirrored) {
  const Config& c = *find_config("tsp1");
  const auto pos = [&](const char* name) { return c.queue_table[*find_queue(c, name)].position; };
  EXPECT_LT(pos("MXM.W.0"), pos("SXM.W.0"));
  EXPECT_LT(pos("SXM.W.0"), pos("MEM.W.43"));
  EXPECT_EQ(pos("MEM.W.0") + 1, pos("VXM.0"));
  EXPECT_EQ(pos("VXM.0") + 1, pos("MEM.E.0"));
  EXPECT_EQ(pos("VXM.15"), c.vxm_position);
  EXPECT_EQ(pos("VXM.0") - pos("MEM.W.43"), pos("MEM.E.43") - pos("VXM.0"));
  EXPECT_EQ(pos("C2C.0"), 0u);
  EXPECT_EQ(pos("C2C.15") + 1u, c.positions);
}

TEST(Isa, EncodesFieldsAtTheirDocumentedBits) {
  // READ addr, dst: opcode 0x10 in [63:56], addr in [15:0], dst in [21:16].
  Instr in{Op::READ, {0x1234, StreamRef{3, true}.code()}};
  EXPECT_EQ(encode(in), 0x1000'0000'0023'1234ull);
  std::string why;
  auto back = decode(encode(in), &why);
  ASSERT_TRUE(back.has_value()) << why;
  EXPECT_EQ(*back, in);
}

TEST(Isa, SignedFieldsRoundTrip) {
  Instr in{Op::REPEAT, {7, 2, -3}};
  std::string why;
  auto back = decode(encode(in), &why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->get("stride"), -3);
  EXPECT_EQ(duration(*back), 14u);
}

TEST(Isa, RejectsIllegalWords) {
  std::string why;
  EXPECT_FALSE(decode(0, &why));
  EXPECT_NE(why.find("illegal opcode 0x00"), std::string::npos);
  EXPECT_FALSE(decode(0x1000'0000'0040'0000ull, &why));  // READ with a stray bit 22
  EXPECT_NE(why.find("reserved bits"), std::string::npos);
  // EXP.i8 is not allowed: type field (bits 12:14) = 0 is i8.
  const uint64_t exp_i8 = uint64_t(Op::EXP) << 56;
  EXPECT_FALSE(decode(exp_i8, &why));
  EXPECT_NE(why.find("not allowed"), std::string::npos);
  EXPECT_THROW(encode(Instr{Op::READ, {1 << 16, 0}}), tsp::Error);
}

// The memo must answer exactly as decode and check_legal do, whatever was
// asked before: the same word in another queue or config, colliding words,
// and illegal words asked twice.
TEST(Isa, WordMemoAnswersAsDecodeAndCheckLegal) {
  const Config& mini = *find_config("mini");
  const Config& tsp1 = *find_config("tsp1");
  const auto mem = static_cast<uint16_t>(*find_queue(mini, "MEM.E.1"));
  const auto vxm = static_cast<uint16_t>(*find_queue(mini, "VXM.0"));
  const uint64_t read_1023 = encode(Instr{Op::READ, {1023, 0}});
  const uint64_t read_1024 = encode(Instr{Op::READ, {1024, 0}});  // beyond mini's addresses, within tsp1's
  const uint64_t add_f32_bad = encode(Instr{Op::ADD, {4, 9, 12, static_cast<int64_t>(DType::f32)}});
  const uint64_t exp_i8 = uint64_t(Op::EXP) << 56;  // does not decode
  std::vector<uint64_t> words{read_1023, read_1024, add_f32_bad, exp_i8, 0};
  for (int64_t a = 0; a < 200000; a += 97)
    words.push_back(encode(Instr{Op::READ, {a % 1024, 0}}));  // collide in the memo
  WordMemo memo;
  for (int pass = 0; pass < 2; ++pass)
    for (const Config* cfg : {&mini, &tsp1})
      for (uint16_t q : {mem, vxm})
        for (uint64_t w : words) {
          std::string why, memo_why;
          const auto in = decode(w, &why);
          const auto memo_in = memo.decode(w, &memo_why);
          ASSERT_EQ(in, memo_in) << std::hex << w;
          EXPECT_EQ(why, memo_why);
          std::optional<std::string> expect = in ? check_legal(*in, *cfg, cfg->queue_table[q]) : why;
          EXPECT_EQ(memo.why_illegal(w, *cfg, q), expect) << "pass " << pass << " " << cfg->name << " queue " << q;
        }
}

// A program proven legal for one (config, queue) says nothing about another,
// nor about a program that differs in one word or in length.
TEST(Isa, LegalProgramsKnowOnlyWhatWasAdded) {
  const Config& mini = *find_config("mini");
  const Config& tsp1 = *find_config("tsp1");
  const auto mem = static_cast<uint16_t>(*find_queue(mini, "MEM.E.1"));
  std::vector<uint64_t> words;
  for (int64_t a = 0; a < 100; ++a) words.push_back(encode(Instr{Op::READ, {a, 0}}));
  LegalPrograms legal;
  EXPECT_FALSE(legal.known(mini, mem, words));
  legal.add(mini, mem, words);
  EXPECT_TRUE(legal.known(mini, mem, words));
  EXPECT_FALSE(legal.known(tsp1, mem, words));
  EXPECT_FALSE(legal.known(mini, static_cast<uint16_t>(mem + 1), words));
  std::vector<uint64_t> other = words;
  other[57] = encode(Instr{Op::READ, {1024, 0}});
  EXPECT_FALSE(legal.known(mini, mem, other));
  EXPECT_FALSE(legal.known(mini, mem, std::span(words).first(99)));
}

TEST(Isa, LegalityDependsOnConfigAndQueue) {
  const Config& mini = *find_config("mini");
  const QueueDesc& mem = mini.queue_table[*find_queue(mini, "MEM.E.1")];
  const QueueDesc& vxm = mini.queue_table[*find_queue(mini, "VXM.0")];
  EXPECT_FALSE(check_legal(Instr{Op::READ, {1023, 0}}, mini, mem));
  EXPECT_TRUE(check_legal(Instr{Op::READ, {1024, 0}}, mini, mem));                         // mini has 1024 addresses
  EXPECT_TRUE(check_legal(Instr{Op::READ, {0, StreamRef{16, false}.code()}}, mini, mem));  // 16 streams
  EXPECT_TRUE(check_legal(Instr{Op::READ, {0, 0}}, mini, vxm));                            // wrong unit
  EXPECT_FALSE(check_legal(Instr{Op::NOP, {5}}, mini, vxm));                               // ICU ops go anywhere
  // f32 operands are groups of four streams starting at a multiple of four.
  const auto f32 = static_cast<int64_t>(DType::f32);
  EXPECT_FALSE(check_legal(Instr{Op::ADD, {4, 8, 12, f32}}, mini, vxm));
  EXPECT_TRUE(check_legal(Instr{Op::ADD, {4, 9, 12, f32}}, mini, vxm));
  EXPECT_EQ(mem_slice_of(mem, mini), 5u);
  EXPECT_EQ(mem_slice_name(mini, 5), "MEM.E.1");
}
