// The `layer` statement of the text format (firmware/compiler/parse.cpp,
// layers.hpp): what it builds and its errors (file:line and why).
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "firmware/compiler/parse.hpp"

namespace tsp::compiler {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_program(text, "p.txt");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LayerParse, BuildsTheLayersWithTheirOutputs) {
  const Program d = parse_program("config mini\nlayer decoder dim 16 heads 2 ffn 32 cache 15 seed 3\n", "p.txt");
  std::vector<std::string> outputs;
  for (const Tensor& t : d.graph.tensors())
    if (t.output) outputs.push_back(t.name);
  EXPECT_EQ(outputs,
            (std::vector<std::string>{"cache.k.new.h0", "cache.v.new.h0", "cache.k.new.h1", "cache.v.new.h1", "y"}));
  EXPECT_EQ(d.graph.tensor(*d.graph.find("cache.k.h1")).shape, (std::vector<uint32_t>{8, 16}));
  EXPECT_EQ(d.graph.tensor(*d.graph.find("wq.h0")).where.str(), "p.txt:2");
  const Program m = parse_program("layer moe dim 16 ffn 32 experts 4 chunk 16 seed 1 input 2\n", "p.txt");
  EXPECT_EQ(m.graph.tensor(*m.graph.find("w1.c1")).shape, (std::vector<uint32_t>{4, 16, 16}));
  EXPECT_EQ(m.graph.tensor(*m.graph.find("w2.scale")).shape, (std::vector<uint32_t>{4, 16}));
  EXPECT_TRUE(m.graph.tensor(*m.graph.find("moe.s1.i")).output);
}

TEST(LayerParse, ErrorsNameTheLineAndWhy) {
  EXPECT_EQ(error_of("layer conv dim 4\n"), "p.txt:1: error: unknown layer 'conv' (decoder, moe)");
  EXPECT_EQ(error_of("layer decoder depth 4\n"),
            "p.txt:1: error: unknown decoder attribute 'depth' (dim heads kv ffn cache share seed)");
  EXPECT_EQ(error_of("layer moe heads 4\n"),
            "p.txt:1: error: unknown moe attribute 'heads' (dim ffn experts chunk seed input)");
  EXPECT_EQ(error_of("layer decoder dim 30 heads 4\n"),
            "p.txt:1: error: decoder: dim 30 must split into 4 heads of an even size");
  EXPECT_EQ(error_of("layer moe ffn 40 chunk 16\n"),
            "p.txt:1: error: moe: needs dim, ffn, at least 2 experts and ffn a multiple of chunk 16");
  EXPECT_EQ(error_of("layer decoder dim x\n"), "p.txt:1: error: dim: 'x' is not a number");
  EXPECT_EQ(error_of("layer decoder\nlayer moe\n"), "p.txt:2: error: tensor 'w1' is already defined at p.txt:1");
  EXPECT_EQ(error_of("layer decoder dim 65536 heads 2 ffn 1024\n"),
            "p.txt:1: error: decoder: dim 65536, ffn 1024, cache 31: larger than any chip holds");
  EXPECT_EQ(error_of("layer moe dim 4096 ffn 4096 experts 8\n"),
            "p.txt:1: error: moe: a stacked weight [8, 4096, 4096] is larger than any chip holds");
  // fuzz_graph's out-of-memory finding (2026-12-07): every chunk small, the layer gigabytes.
  EXPECT_EQ(error_of("layer moe dim 800008 chunk 2\n"),
            "p.txt:1: error: moe: 8 experts' weights of dim 800008 and ffn 64 (1228812288 int8 values) are more than "
            "the layer builder makes (67108864)");
  // fuzz_graph's timeouts (2026-12-07 and -08): a chunk per column, tens of thousands of chunks.
  EXPECT_EQ(error_of("layer moe ffn 60356 chunk 1\n"),
            "p.txt:1: error: moe: ffn 60356 in chunks of 1 is 60356 chunks; the layer builder makes at most 256");
}

}  // namespace
}  // namespace tsp::compiler
