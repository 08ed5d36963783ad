// The compiler's passes one by one: parsing and graph building (errors with
// file:line naming the node), lowering limits, placement, the reservation
// tables, the chain scheduler, code generation and the host reference.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/codegen.hpp"
#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/lower.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/place.hpp"
#include "firmware/compiler/reference.hpp"
#include "firmware/compiler/resources.hpp"
#include "firmware/compiler/schedule.hpp"

namespace tsp::compiler {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_program(text, "p.txt");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

const isa::Config& mini() { return *isa::find_config("mini"); }

TEST(CompilerParse, ReadsDeclarationsNodesAndOutputs) {
  const Program p = parse_program(
      "config mini  # comment\ninput a : f16[2, 3] = 1 2 3 -4 0.5 6\nconst w : i8[3,2] random 5\n"
      "b = relu a\nc = cast f32 b\noutput c\n",
      "p.txt");
  EXPECT_EQ(p.config, "mini");
  ASSERT_EQ(p.graph.tensors().size(), 4u);
  const Tensor& a = p.graph.tensor(*p.graph.find("a"));
  EXPECT_EQ(a.shape, (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(a.data[3], num::from_double<num::kF16>(-4.0));
  EXPECT_EQ(p.graph.tensor(*p.graph.find("w")).kind, TensorKind::Const);
  const Tensor& c = p.graph.tensor(*p.graph.find("c"));
  EXPECT_EQ(c.dtype, isa::DType::f32);
  EXPECT_TRUE(c.output);
  EXPECT_EQ(c.where.str(), "p.txt:5");
}

TEST(CompilerParse, ErrorsNameFileLineAndNode) {
  EXPECT_EQ(error_of("input a : f16[2] = 1 2\ny = frobnicate a\noutput y\n"),
            "p.txt:2: error: node 'y': unsupported op 'frobnicate'");
  EXPECT_EQ(error_of("input a : u8[2] = 1 2\ny = relu a\noutput y\n"),
            "p.txt:2: error: node 'y' (relu): not supported on u8 (the VXM's RELU takes i8 i16 i32 f16 bf16 f32)");
  EXPECT_EQ(error_of("input a : i8[2] = 1 2\ny = exp a\noutput y\n").substr(0, 42),
            "p.txt:2: error: node 'y' (exp): not suppor");
  EXPECT_EQ(error_of("input a : f16[2] = 1 2\ninput b : f16[3] = 1 2 3\ny = add a b\noutput y\n"),
            "p.txt:3: error: node 'y' (add): operands a f16[2] and b f16[3] do not broadcast");
  EXPECT_EQ(error_of("input a : f16[2] = 1 2\ny = add a zz\n"), "p.txt:2: error: unknown tensor 'zz'");
  EXPECT_EQ(error_of("input a : i8[2] = 1 300\n"), "p.txt:1: error: 300 does not fit i8 [-128, 127]");
  EXPECT_EQ(error_of("input a : i8[2] = 1\n"), "p.txt:1: error: tensor 'a' [2] has 2 elements but 1 values were given");
  EXPECT_EQ(error_of("input a : q8[2] = 1\n").substr(0, 40), "p.txt:1: error: unknown element type 'q8");
  EXPECT_EQ(error_of("input a : i8[2] = 1 2\ninput a : i8[2] = 1 2\n"),
            "p.txt:2: error: tensor 'a' is already defined at p.txt:1");
  EXPECT_EQ(error_of("input a : i8[2] = 1 2\n"), "p.txt: error: the program computes nothing (no node)");
  EXPECT_EQ(error_of("input a : i8[2] = 1 2\nb = relu a\n"), "p.txt: error: no `output` line names a result");
  EXPECT_EQ(error_of("input a : f32[2, 3] random 1\ninput w : f16[3, 2] random 2\ny = matmul a w\noutput y\n"),
            "p.txt:3: error: node 'y' (matmul): f32 x f16 is not supported (int8/uint8 x int8/uint8 -> i32, "
            "f16/bf16 x f16/bf16 -> f32)");
  EXPECT_EQ(error_of("input a : i8[2, 3] random 1\ninput w : i8[2, 2] random 2\ny = matmul a w\noutput y\n"),
            "p.txt:3: error: node 'y' (matmul): shapes [2,3] x [2,2] do not multiply ([M,K] x [K,N])");
  EXPECT_EQ(error_of("frobnicate\n").substr(0, 44), "p.txt:1: error: unknown statement 'frobnicat");
}

TEST(CompilerLower, RejectsWhatTheMxmCannotDoYet) {
  Graph g;
  const TensorId a = g.add_input("a", isa::DType::i8, {2, 4}, random_data(isa::DType::i8, 8, 1));
  const TensorId w = g.add(GraphOp::Add, "w",
                           {g.add_input("v", isa::DType::i8, {4, 4}, std::vector<uint32_t>(16)),
                            g.add_input("u", isa::DType::i8, {4, 4}, std::vector<uint32_t>(16))});
  g.add(GraphOp::MatMul, "y", {a, w}, Where{"g.txt", 7});
  try {
    lower(g, mini());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("g.txt:7: error: node 'y' (matmul): weights 'w' are computed on the chip"),
              std::string::npos)
        << e.what();
  }
  Graph big;
  const uint32_t m = mini().mxm_acc_slots + 1;
  big.add(GraphOp::MatMul, "y",
          {big.add_input("x", isa::DType::i8, {m, 4}, std::vector<uint32_t>(m * 4)),
           big.add_const("w", isa::DType::i8, {4, 4}, std::vector<uint32_t>(16))});
  EXPECT_THROW(lower(big, mini()), Error);
}

TEST(CompilerPlace, PlanesAdjacentInOneHemisphereOperandsApart) {
  Graph g;
  const TensorId a = g.add_input("a", isa::DType::f32, {3, 40}, random_data(isa::DType::f32, 120, 1));
  const TensorId b = g.add_input("b", isa::DType::f32, {3, 40}, random_data(isa::DType::f32, 120, 2));
  g.add(GraphOp::Add, "c", {a, b});
  const Lowered low = lower(g, mini());
  const auto p = place(g, low, mini());
  const uint32_t half = mini().mem_slices_per_hemisphere;
  for (const Placement& x : p) {
    EXPECT_TRUE(x.placed);
    EXPECT_LE(x.slice % half + 4, half);  // all 4 planes in one hemisphere
    EXPECT_EQ(x.layout.vectors(), 6u);    // 3 rows x 2 blocks of 32 lanes
  }
  EXPECT_NE(p[a].slice / half, p[b].slice / half);  // f32 operands on mini: one per hemisphere
}

TEST(CompilerPlace, MatMulWeightsAreStripedOverSeparateSlices) {
  const isa::Config& tsp1 = *isa::find_config("tsp1");
  EXPECT_EQ(weight_stripes(tsp1, 1), 16u);  // 16 int8 rows a cycle: 16 streams, 16 slices
  EXPECT_EQ(weight_stripes(tsp1, 2), 8u);   // 8 f16 rows: 16 streams, 16 slices
  EXPECT_EQ(weight_stripes(mini(), 1), 2u);
  Graph g;
  const TensorId x = g.add_input("x", isa::DType::i8, {2, 40}, random_data(isa::DType::i8, 80, 1));
  const TensorId w = g.add_const("w", isa::DType::i8, {40, 8}, random_data(isa::DType::i8, 320, 2));
  g.add(GraphOp::MatMul, "y", {x, w});
  const auto p = place(g, lower(g, mini()), mini());
  ASSERT_EQ(p[w].stripes(), 2u);
  EXPECT_NE(p[w].stripe_slice[0], p[w].stripe_slice[1]);
  EXPECT_EQ(p[w].stripe_vectors(), 32u);  // 64 padded rows / 2 stripes x 1 block
  // Stripe 1 holds rows 1, 3, 5, ...: its vector 0 is row 1.
  const auto bytes = plane_bytes(g.tensor(w), p[w].layout, 0, mini().vector_bytes, 2, 1);
  EXPECT_EQ(bytes[0], uint8_t(g.tensor(w).data[8]));
  EXPECT_EQ(bytes[mini().vector_bytes + 3], uint8_t(g.tensor(w).data[3 * 8 + 3]));
}

TEST(CompilerPlace, FullSramIsAnErrorNamingTheTensor) {
  Graph g;
  const uint32_t rows = mini().mem_addresses + 1;
  g.add(GraphOp::Relu, "r", {g.add_input("a", isa::DType::i8, {rows, 32}, std::vector<uint32_t>(rows * 32))});
  try {
    place(g, lower(g, mini()), mini());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'a'"), std::string::npos) << e.what();
  }
}

TEST(CompilerResources, PortsAndBanks) {
  const MemAccess r{0, false, 10, 4, 100, 1};
  EXPECT_TRUE(Resources::mem_clash(r, {0, false, 13, 4, 0, 1}, 2));    // one read port
  EXPECT_FALSE(Resources::mem_clash(r, {0, false, 14, 4, 0, 1}, 2));   // after it
  EXPECT_TRUE(Resources::mem_clash(r, {0, true, 12, 1, 102, 1}, 2));   // read 102 and write 102 in cycle 12: one bank
  EXPECT_FALSE(Resources::mem_clash(r, {0, true, 12, 1, 101, 1}, 2));  // the other bank
  EXPECT_TRUE(Resources::mem_clash(r, {0, true, 11, 3, 7, 2}, 2));     // strided: 7, 9, 11 vs 101, 102, 103
}

TEST(CompilerResources, StreamWavefronts) {
  const StreamUse a{3, false, 10, 5, 4, 8};
  EXPECT_TRUE(Resources::stream_clash(a, {3, false, 14, 1, 8, 9}));    // same wavefront 14, shares position 8
  EXPECT_FALSE(Resources::stream_clash(a, {3, false, 14, 1, 9, 12}));  // downstream of every consumer: replaces it
  EXPECT_FALSE(Resources::stream_clash(a, {3, false, 15, 1, 0, 20}));  // next wavefront
  EXPECT_FALSE(Resources::stream_clash(a, {3, true, 12, 1, 0, 20}));   // other direction
  EXPECT_FALSE(Resources::stream_clash(a, {4, false, 12, 1, 0, 20}));  // other stream
  Resources res(mini());
  res.take_queue(7, 10, 5);
  EXPECT_FALSE(res.queue_free(7, 14, 1));
  EXPECT_FALSE(res.queue_free(7, 5, 6));
  EXPECT_TRUE(res.queue_free(7, 15, 3));
  EXPECT_TRUE(res.queue_free(7, 5, 5));
}

// A READ -> WRITE copy chain from MEM.W.0 (`at` = 0) to MEM.E.0.
Chain copy_chain(uint32_t n, uint32_t addr) {
  const isa::Config& cfg = mini();
  const uint16_t src = slice_queue(cfg, 0), dst = slice_queue(cfg, uint16_t(cfg.mem_slices_per_hemisphere));
  const uint16_t ps = cfg.queue_table[src].position, pd = cfg.queue_table[dst].position;
  Chain c;
  c.what = "copy";
  Item r;
  r.queue = src;
  r.instr = make_instr(isa::Op::READ, {{"addr", addr}});
  r.streams.push_back({field_of(isa::Op::READ, "dst"), 0, 0});
  r.count = n;
  r.stride = 1;
  r.mem = MemAccess{0, false, 0, n, addr, 1};
  Item w;
  w.queue = dst;
  w.offset = isa::op_desc(isa::Op::READ).latency + (pd - ps);
  w.instr = make_instr(isa::Op::WRITE, {{"addr", addr}});
  w.streams.push_back({field_of(isa::Op::WRITE, "src"), 0, 0});
  w.count = n;
  w.stride = 1;
  c.items = {r, w};
  c.flows.push_back(Flow{{FlowPlane{ps, isa::op_desc(isa::Op::READ).latency, {pd}}}, n});
  return c;
}

TEST(CompilerSchedule, SecondChainTakesTheNextFreeSlotsAndAnotherStream) {
  Scheduler s(mini());
  EXPECT_EQ(s.schedule(copy_chain(4, 0)), 0);
  EXPECT_EQ(s.schedule(copy_chain(4, 10)), 4);  // the READ queue is busy for 4 cycles
  Chain c = copy_chain(1, 20);
  c.items[0].queue = slice_queue(mini(), 1);  // another slice, reaching the same stream wavefront
  c.items[0].mem->slice = 1;
  c.items[0].offset = -1;  // MEM.W.1 is one hop further west: read a cycle earlier to meet the wavefront
  c.flows[0].planes[0].producer = mini().queue_table[slice_queue(mini(), 1)].position;
  c.flows[0].planes[0].put = 1;
  const uint16_t e1 = slice_queue(mini(), uint16_t(mini().mem_slices_per_hemisphere + 1));  // MEM.E.1
  c.items[1].queue = e1;
  c.items[1].offset = 1 + (mini().queue_table[e1].position - c.flows[0].planes[0].producer);
  c.flows[0].planes[0].consumers = {mini().queue_table[e1].position};
  const Cycle t = s.schedule(c);
  EXPECT_EQ(t, 1);  // cycle 0 of MEM.W.1 would put at its position onto wavefronts used by the first chain...
  const Timed& last = s.timed().back();
  EXPECT_NE(isa::StreamRef::from_code(uint64_t(last.instr.operand[1])).index, 0);  // ... so it moved to S1
}

TEST(CompilerCodegen, NopGapsRepeatsAndPrediction) {
  const isa::Config& cfg = mini();
  Graph g;
  g.add(GraphOp::Relu, "r", {g.add_input("a", isa::DType::i8, {1, 4}, {1, 2, 3, 4})});
  const auto p = place(g, lower(g, cfg), cfg);
  const uint16_t q = slice_queue(cfg, 0);
  std::vector<Timed> runs{{q, 3, make_instr(isa::Op::READ, {{"addr", 5}}), 70000, 0, 0}};
  const image::Image img = generate(g, p, runs, cfg, "t.txt");
  ASSERT_EQ(img.chips[0].queues.size(), 1u);
  const auto& w = img.chips[0].queues[0].words;
  ASSERT_EQ(w.size(), 5u);  // NOP 3; READ; REPEAT 65535; READ; REPEAT 4463
  EXPECT_EQ(isa::format(*isa::decode(w[0], nullptr)), "NOP 3");
  EXPECT_EQ(isa::format(*isa::decode(w[3], nullptr)).substr(0, 8), "READ 0x5");
  EXPECT_EQ(isa::decode(w[4], nullptr)->get("count"), 70000 - 65536 - 1);
  // Last READ issues at 3 + 69999 and lands 2 cycles later; plus the superlane stagger.
  EXPECT_EQ(img.predicted_cycles, 3 + 69999 + isa::op_desc(isa::Op::READ).latency + 1 + cfg.superlanes - 1);
  EXPECT_EQ(img.symbols.size(), 2u);
  EXPECT_EQ(img.symbols[0].name, "a");
}

TEST(CompilerReference, UsesTheChipsArithmetic) {
  Graph g;
  const TensorId x = g.add_input("x", isa::DType::i8, {1, 3}, {1, 0xFF, 2});  // 1, -1, 2
  const TensorId w = g.add_const("w", isa::DType::i8, {3, 2}, {3, 4, 5, 6, 7, 0x80});
  const TensorId y = g.add(GraphOp::MatMul, "y", {x, w});
  const TensorId a = g.add_input("a", isa::DType::f16, {2}, {0x3C00, 0x0001});  // 1.0, a subnormal
  const TensorId s = g.add(GraphOp::Add, "s", {a, a});
  const auto v = run_reference(g, 32);
  // 1*3 - 5 + 2*7 = 12; 1*4 - 6 + 2*(-128) = -258
  EXPECT_EQ(v[y], (std::vector<uint32_t>{12, uint32_t(-258)}));
  EXPECT_EQ(v[s], (std::vector<uint32_t>{0x4000, 0x0000}));  // subnormals flush (docs/numerics.md §2)
}

// The expansions' arithmetic against real RMSNorm / LayerNorm in double: the
// bit-exact check only shows the chip computes the expansion, this shows the
// expansion computes the norm (to f16's precision).
TEST(CompilerExpand, NormsMatchTheirDefinitionToF16Precision) {
  const isa::Config& cfg = mini();
  for (bool layer : {false, true}) {
    Graph g;
    const uint32_t M = 3, C = 45;  // C not a multiple of the lanes: the SEL masking matters
    const TensorId x = g.add_input("x", isa::DType::f16, {M, C}, random_data(isa::DType::f16, M * C, 9));
    g.mark_output(g.add(layer ? GraphOp::LayerNorm : GraphOp::RmsNorm, "y", {x}));
    const Graph e = expand(g, cfg);
    const auto v = run_reference(e, cfg.mxm_dim);
    const auto& xs = g.tensor(x).data;
    const auto& ys = v[*e.find("y")];
    double worst = 0;
    for (uint32_t m = 0; m < M; ++m) {
      double mean = 0, ss = 0;
      for (uint32_t c = 0; c < C; ++c) mean += num::to_double<num::kF16>(xs[m * C + c]) / C;
      if (!layer) mean = 0;
      for (uint32_t c = 0; c < C; ++c) ss += std::pow(num::to_double<num::kF16>(xs[m * C + c]) - mean, 2);
      const double r = 1 / std::sqrt(ss / C + kNormEpsilon);
      for (uint32_t c = 0; c < C; ++c) {
        const double want = (num::to_double<num::kF16>(xs[m * C + c]) - mean) * r;
        worst = std::max(worst, std::abs(num::to_double<num::kF16>(ys[m * C + c]) - want));
      }
    }
    EXPECT_LT(worst, 1e-2) << (layer ? "layernorm" : "rmsnorm");  // outputs are O(1): a few f16 ulps
  }
}

TEST(CompilerExpand, NormsBecomeChipOps) {
  Graph g;
  g.mark_output(
      g.add(GraphOp::RmsNorm, "y", {g.add_input("x", isa::DType::f16, {2, 40}, random_data(isa::DType::f16, 80, 1))}));
  const Graph e = expand(g, mini());
  std::string ops;
  for (const Node& n : e.nodes()) ops += std::string(op_name(n.op)) + " ";
  EXPECT_EQ(ops, "mul lanesum mul add rsqrt cast mul reshape ");
  EXPECT_TRUE(e.tensor(*e.find("y")).output);
}

}  // namespace
}  // namespace tsp::compiler
