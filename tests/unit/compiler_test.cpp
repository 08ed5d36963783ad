// The compiler's passes one by one: parsing and graph building (errors with
// file:line naming the node), lowering limits, placement, the reservation
// tables, the chain scheduler, code generation and the host reference.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <atomic>
#include <set>
#include <thread>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "common/numerics/vxm.hpp"
#include "firmware/compiler/codegen.hpp"
#include "firmware/compiler/compile.hpp"
#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/lower.hpp"
#include "firmware/compiler/parse.hpp"
#include "firmware/compiler/place.hpp"
#include "firmware/compiler/reference.hpp"
#include "firmware/compiler/resources.hpp"
#include "firmware/compiler/schedule.hpp"

namespace tsp::compiler {
namespace {

// A rule's values are made once, on first read, whichever thread reads first;
// copy() reads without keeping; a rule of the wrong length is an internal error.
TEST(LazyData, MakesARuleOnceWhenFirstRead) {
  std::atomic<int> calls = 0;
  const LazyData d = LazyData::deferred(3, [&] {
    ++calls;
    return std::vector<uint32_t>{7, 8, 9};
  });
  EXPECT_FALSE(d.made());
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.copy(), (std::vector<uint32_t>{7, 8, 9}));
  EXPECT_FALSE(d.made());
  const LazyData shared = d;  // copies share one state
  std::vector<std::thread> readers;
  std::vector<uint32_t> sums(8);
  for (size_t i = 0; i < sums.size(); ++i)
    readers.emplace_back([&, i] { sums[i] = shared[0] + shared[1] + shared[2]; });
  for (auto& t : readers) t.join();
  for (uint32_t s : sums) EXPECT_EQ(s, 24u);
  EXPECT_EQ(calls, 2);  // copy() once, then one make for all readers
  EXPECT_TRUE(d.made());
  const LazyData wrong = LazyData::deferred(2, [] { return std::vector<uint32_t>{1}; });
  EXPECT_THROW((void)wrong.values(), Error);
  const LazyData given = std::vector<uint32_t>{4, 5};
  EXPECT_TRUE(given.made());
  EXPECT_EQ(given[1], 5u);
}

// A uniform constant (a block of ones, a fill) says its value without making its elements.
TEST(LazyData, AUniformConstantKnowsItsValueUnmade) {
  const LazyData d = LazyData::uniform(5, 0x3C00);
  EXPECT_FALSE(d.made());
  EXPECT_EQ(d.uniform(), 0x3C00u);
  EXPECT_EQ(d.values(), std::vector<uint32_t>(5, 0x3C00));
  EXPECT_TRUE(d.made());
  EXPECT_FALSE(LazyData(std::vector<uint32_t>{1, 1}).uniform()) << "given values are not marked uniform";
}

// A graph's random constant is a rule: parsing makes nothing, reading makes it.
TEST(LazyData, ARandomConstantIsMadeOnlyWhenRead) {
  const Program p = parse_program("config tsp1\nconst w : i8[4096, 4096] random 3\ninput x : i8[1, 4096] random 4\n"
                                  "y = matmul x w\noutput y\n",
                                  "lazy.txt");
  const Tensor& w = p.graph.tensor(*p.graph.find("w"));
  EXPECT_FALSE(w.data.made());
  EXPECT_EQ(w.data.values(), random_data(isa::DType::i8, 4096u * 4096, 3));
  EXPECT_TRUE(w.data.made());
}

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
            "p.txt:3: error: node 'y' (matmul): shapes [2,3] x [2,2] do not multiply ([B..,M,K] x [B..,K,N], batch "
            "dimensions broadcasting)");
  EXPECT_EQ(error_of("frobnicate\n").substr(0, 44), "p.txt:1: error: unknown statement 'frobnicat");
}

TEST(CompilerLower, ComputedWeightsArePaddedNotStripedAndRowsBeyondTheSlotsAreBlocked) {
  Graph g;
  const TensorId a = g.add_input("a", isa::DType::i8, {2, 4}, random_data(isa::DType::i8, 8, 1));
  const TensorId w = g.add(GraphOp::Add, "w",
                           {g.add_input("v", isa::DType::i8, {4, 4}, std::vector<uint32_t>(16)),
                            g.add_input("u", isa::DType::i8, {4, 4}, std::vector<uint32_t>(16))});
  g.add(GraphOp::MatMul, "y", {a, w}, Where{"g.txt", 7});
  const Lowered low = lower(g, mini());
  EXPECT_EQ(low.pad_rows[w], mini().mxm_dim);  // whole MXM blocks; codegen zeroes rows 4..31
  EXPECT_EQ(low.stripes[w], 1u);               // its producer writes the plain layout
  Graph big;
  const uint32_t m = mini().mxm_acc_slots + 1;
  big.add(GraphOp::MatMul, "y",
          {big.add_input("x", isa::DType::i8, {m, 4}, std::vector<uint32_t>(m * 4)),
           big.add_const("w", isa::DType::i8, {4, 4}, std::vector<uint32_t>(16))});
  // M blocking: one kernel of the slots' rows, then one of the rest, writing y's rows after it.
  const Lowered bl = lower(big, mini());
  ASSERT_EQ(bl.kernels.size(), 1u);
  ASSERT_EQ(bl.kernels[0].mxm.size(), 2u);
  EXPECT_EQ(bl.kernels[0].mxm[0].rows, m - 1);
  EXPECT_EQ(bl.kernels[0].mxm[1].rows, 1u);
  EXPECT_EQ(bl.kernels[0].mxm[1].x_row0, m - 1);
  EXPECT_EQ(bl.kernels[0].mxm[1].y_row0, m - 1);
  EXPECT_FALSE(bl.kernels[0].mxm[1].first);
}

// Names are found through a hash index (a layer builder's MoE of 818 chunks
// made 10^5 tensors and took minutes by a scan): every name is found after
// the rehashes, absent ones are not, a copy finds the same, and a second
// definition is refused with the first one's place.
TEST(CompilerIr, TensorNamesAreFoundThroughTheIndex) {
  Graph g;
  const uint32_t n = 5000;
  for (uint32_t i = 0; i < n; ++i) g.add_const(fmt::format("t{}", i), isa::DType::i8, {1}, {i & 0x7F}, {"g.txt", i + 1});
  const Graph copy = g;
  for (uint32_t i = 0; i < n; ++i) {
    ASSERT_EQ(g.find(fmt::format("t{}", i)), i);
    ASSERT_EQ(copy.find(fmt::format("t{}", i)), i);
  }
  EXPECT_FALSE(g.find("t5000"));
  EXPECT_FALSE(g.find("t"));
  EXPECT_FALSE(Graph().find("t0"));
  try {
    g.add_const("t4321", isa::DType::i8, {1}, {1}, {"g.txt", 9999});
    ADD_FAILURE() << "a second t4321 was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already defined at g.txt:4322"), std::string::npos) << e.what();
  }
}

TEST(CompilerIr, ZeroPaddingSurvivesOpsThatMapZeroToZero) {
  Graph g;
  const TensorId x = g.add_input("x", isa::DType::f32, {2, 5}, random_data(isa::DType::f32, 10, 1));
  EXPECT_TRUE(g.tensor(g.add(GraphOp::Cast, "h", {x}, {}, isa::DType::f16)).pad_zero);
  EXPECT_TRUE(g.tensor(g.add(GraphOp::Sub, "d", {x, x})).pad_zero);
  EXPECT_TRUE(g.tensor(g.add(GraphOp::Tanh, "t", {x})).pad_zero);
  const TensorId e = g.add(GraphOp::Exp, "e", {x});  // exp(0) = 1
  EXPECT_FALSE(g.tensor(e).pad_zero);
  EXPECT_FALSE(g.tensor(g.add(GraphOp::Rsqrt, "r", {x})).pad_zero);  // rsqrt(0) = inf
  EXPECT_FALSE(g.tensor(g.add(GraphOp::Add, "s", {x, e})).pad_zero);
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
  EXPECT_EQ(p[w].region_vectors(0), 32u);  // 64 padded rows / 2 stripes x 1 block
  // Stripe 1 holds rows 1, 3, 5, ...: its vector 0 is row 1.
  const auto bytes = plane_bytes(g.tensor(w), p[w], 0, mini().vector_bytes, 1);
  EXPECT_EQ(bytes[0], uint8_t(g.tensor(w).data[8]));
  EXPECT_EQ(bytes[mini().vector_bytes + 3], uint8_t(g.tensor(w).data[3 * 8 + 3]));
}

TEST(CompilerPlace, GroupedWeightsGiveEachPlaneItsColumnBlocksOnSlicesOfItsOwn) {
  // 3 column blocks in 2 groups (blocks 0 and 1..2), 2 stripes each: 4 regions,
  // 4 slices, group g in hemisphere g (mini: one plane a hemisphere).
  Graph g;
  const uint32_t L = mini().lanes, N = 2 * L + 5;
  const TensorId x = g.add_input("x", isa::DType::i8, {1, 40}, random_data(isa::DType::i8, 40, 1));
  const TensorId w = g.add_const("w", isa::DType::i8, {40, N}, random_data(isa::DType::i8, 40 * N, 2));
  g.add(GraphOp::MatMul, "y", {x, w});
  Lowered low = lower(g, mini());
  low.groups[w] = 2;
  const auto p = place(g, low, mini());
  ASSERT_EQ(p[w].regions(), 4u);
  EXPECT_EQ(p[w].stripes(), 2u);
  std::set<uint16_t> slices(p[w].stripe_slice.begin(), p[w].stripe_slice.end());
  EXPECT_EQ(slices.size(), 4u);
  const uint32_t half = mini().mem_slices_per_hemisphere;
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(p[w].stripe_slice[i] / half, i / 2) << "region " << i;
  EXPECT_EQ(p[w].group_of(0), 0u);
  EXPECT_EQ(p[w].group_of(2), 1u);
  EXPECT_EQ(p[w].region_vectors(0), 32u);  // 64 padded rows / 2 stripes x 1 block
  EXPECT_EQ(p[w].region_vectors(1), 64u);  // x 2 blocks
  // Region 3 (group 1, stripe 1): rows 1, 3, ..., blocks 1 and 2; row 3, column L + 4 is its vector 1 x 2 + 0.
  const auto bytes = plane_bytes(g.tensor(w), p[w], 0, mini().vector_bytes, 3);
  EXPECT_EQ(p[w].region_of(3, 1), 3u);
  EXPECT_EQ(p[w].region_vector(3, 1), 2u);
  EXPECT_EQ(bytes[2 * mini().vector_bytes + 4], uint8_t(g.tensor(w).data[3 * N + L + 4]));
  EXPECT_EQ(bytes[3 * mini().vector_bytes + 4], uint8_t(g.tensor(w).data[3 * N + 2 * L + 4]));
  EXPECT_EQ(bytes[3 * mini().vector_bytes + 5], 0);  // past the columns: zero
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

// The SRAM a compile reports spans at least every placed tensor's bytes
// (vectors x byte planes x lanes) and at most the chip's.
TEST(CompilerPlace, SramSpanCountsEveryBytePlane) {
  Graph g;
  const TensorId x = g.add_input("x", isa::DType::f32, {4, 100}, random_data(isa::DType::f32, 400, 1));
  g.mark_output(g.add(GraphOp::Exp, "y", {x}));
  const Compiled c = compile(g, mini());
  const uint64_t each = 4 * 4 * 4 * mini().lanes;  // 4 rows x 4 blocks of 32 lanes, 4 byte planes
  EXPECT_GE(c.sram_bytes, 2 * each);
  EXPECT_LE(c.sram_bytes, uint64_t(mini().mem_slices) * mini().mem_addresses * mini().lanes);
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
    // Outputs are O(1): a few f16 ulps. Measured 7.2e-4 (rmsnorm), 1.1e-3 (layernorm).
    EXPECT_LT(worst, 3e-3) << (layer ? "layernorm" : "rmsnorm");
  }
}

TEST(CompilerExpand, NormsBecomeChipOps) {
  Graph g;
  g.mark_output(
      g.add(GraphOp::RmsNorm, "y", {g.add_input("x", isa::DType::f16, {2, 40}, random_data(isa::DType::f16, 80, 1))}));
  const Graph e = expand(g, mini());
  std::string ops;
  for (const Node& n : e.nodes()) ops += std::string(op_name(n.op)) + " ";
  // x from the image: x*x keeps its zero padding lanes, so the row sum needs no mask.
  EXPECT_EQ(ops, "mul lanesum mul add rsqrt cast mul reshape ");
  EXPECT_TRUE(e.tensor(*e.find("y")).output);
  // x computed on the chip by exp (exp(0) = 1 in the padding): the sum masks the padding first.
  Graph h;
  const TensorId x =
      h.add(GraphOp::Exp, "x", {h.add_input("xin", isa::DType::f16, {2, 40}, random_data(isa::DType::f16, 80, 1))});
  h.mark_output(h.add(GraphOp::RmsNorm, "y", {x}));
  ops.clear();
  const Graph eh = expand(h, mini());
  for (const Node& n : eh.nodes()) ops += std::string(op_name(n.op)) + " ";
  EXPECT_EQ(ops, "exp mul sel lanesum mul add rsqrt cast mul reshape ");
}

// ---- The new expansions against double-precision math, with ONNX's test
// tolerance |got - want| <= atol + rtol |want| (rtol 1e-3, atol 1e-7 for f32).

double value_of(isa::DType t, uint32_t bits) {
  if (t == isa::DType::f16) return num::to_double<num::kF16>(bits);
  if (t == isa::DType::bf16) return num::to_double<num::kBF16>(bits);
  return num::to_double<num::kF32>(bits);
}

// Runs `text` (one output y) expanded through the host reference; returns y and x as doubles.
struct RefRun {
  std::vector<double> x, y;
  std::vector<uint32_t> xshape;
  Graph g;
  std::vector<std::vector<uint32_t>> v;
  std::vector<double> part(const std::string& name) const {
    std::vector<double> out;
    for (uint32_t b : v[*g.find(name)]) out.push_back(value_of(g.tensor(*g.find(name)).dtype, b));
    return out;
  }
};
RefRun run_text(const std::string& text, const isa::Config& cfg) {
  const Program p = parse_program(text, "t.txt");
  const Graph e = expand(p.graph, cfg);
  const auto v = run_reference(e, cfg.mxm_dim);
  RefRun r;
  const Tensor& x = e.tensor(*e.find("x"));
  const Tensor& y = e.tensor(*e.find("y"));
  r.xshape = x.shape;
  for (uint32_t b : x.data) r.x.push_back(value_of(x.dtype, b));
  for (uint32_t b : v[*e.find("y")]) r.y.push_back(value_of(y.dtype, b));
  r.g = e;
  r.v = v;
  return r;
}

// Worst |got - want| / (atol + rtol |want|): <= 1 passes ONNX's check.
double onnx_ratio(const std::vector<double>& got, const std::vector<double>& want, double rtol, double atol) {
  EXPECT_EQ(got.size(), want.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    worst = std::max(worst, std::abs(got[i] - want[i]) / (atol + rtol * std::abs(want[i])));
  return worst;
}

// ONNX's tolerance is far looser than what the expansions achieve, so each
// check allows a share of it (`allowed` <= 1) about 3x the measured ratio
// (docs/testing.md): a regression well inside ONNX's tolerance still fails.
void expect_onnx_share(const std::vector<double>& got, const std::vector<double>& want, double rtol, double atol,
                       double allowed, const std::string& what) {
  const double r = onnx_ratio(got, want, rtol, atol);
  fmt::print("{}: {:.3g} of ONNX's tolerance (allowed {:.3g})\n", what, r, allowed);
  EXPECT_LE(r, allowed) << what;
}

// Softmax in double over `axis` of a row-major tensor.
std::vector<double> softmax_ref(const std::vector<double>& x, const std::vector<uint32_t>& shape, size_t axis) {
  size_t inner = 1, outer = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  for (size_t d = 0; d < axis; ++d) outer *= shape[d];
  const size_t n = shape[axis];
  std::vector<double> y(x.size());
  for (size_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < inner; ++i) {
      double m = -INFINITY, s = 0;
      for (size_t k = 0; k < n; ++k) m = std::max(m, x[(o * n + k) * inner + i]);
      for (size_t k = 0; k < n; ++k) s += std::exp(x[(o * n + k) * inner + i] - m);
      for (size_t k = 0; k < n; ++k) y[(o * n + k) * inner + i] = std::exp(x[(o * n + k) * inner + i] - m) / s;
    }
  return y;
}

TEST(CompilerExpand, SoftmaxMeetsOnnxTolerance) {
  struct Case {
    const char* text;
    size_t axis;
    double rtol, atol;
    double allowed;  // share of the tolerance; measured: 1.9e-5, 1.1e-4, 1.6e-4 (tsp1) / 3.0e-4 (mini), 0.83
  };
  const Case cases[] = {
      {"input x : f32[1, 3] = -1 0 1\ny = softmax x axis -1\noutput y\n", 1, 1e-3, 1e-7, 6e-5},  // test_softmax_example
      {"input x : f32[3, 4, 5] random 1\ny = softmax x axis 1\noutput y\n", 1, 1e-3, 1e-7, 3.5e-4},
      {"input x : f32[4, 700] random 2\ny = softmax x\noutput y\n", 1, 1e-3, 1e-7, 1e-3},  // several lane blocks
      // f16: a few ulps, and outputs under f16's smallest normal (6.1e-5) flush to zero
      {"input x : f16[3, 70] random 3\ny = softmax x\noutput y\n", 1, 4e-3, 7e-5, 1.0},
  };
  for (const Case& c : cases)
    for (const char* cfg : {"mini", "tsp1"}) {
      const RefRun r = run_text(c.text, *isa::find_config(cfg));
      const auto want = softmax_ref(r.x, r.xshape, c.axis);
      expect_onnx_share(r.y, want, c.rtol, c.atol, c.allowed, fmt::format("softmax case {} on {}", &c - cases, cfg));
      auto off = r.y;  // the checker fails one element off by twice the tolerance
      off[off.size() / 2] += 2 * (c.atol + c.rtol * std::abs(want[off.size() / 2]));
      EXPECT_GT(onnx_ratio(off, want, c.rtol, c.atol), 1.0);
    }
}

TEST(CompilerExpand, ReductionsMeetOnnxTolerance) {
  // [3,2,2] axes 1 (test_reduce_max_keepdims_random) and all axes (test_reduce_mean_default_axes_keepdims_random),
  // and sums over the last axis of f32 with large and small values (the three bf16 parts).
  {
    const RefRun r = run_text("input x : f32[3, 2, 2] random 1\ny = reducemax x axes 1\noutput y\n", mini());
    for (size_t i = 0; i < 3; ++i)
      for (size_t k = 0; k < 2; ++k) EXPECT_EQ(r.y[i * 2 + k], std::max(r.x[i * 4 + k], r.x[i * 4 + 2 + k]));
  }
  {
    const RefRun r = run_text("input x : f32[3, 2, 2] random 2\ny = reducemean x\noutput y\n", mini());
    double mean = 0;
    for (double v : r.x) mean += v / 12;
    expect_onnx_share(r.y, {mean}, 1e-3, 1e-7, 2.5e-4, "reducemean");  // measured 7.9e-5
  }
  {
    std::string vals;
    for (int i = 0; i < 100; ++i)
      vals += fmt::format(" {}", (i % 2 ? 1.0 : -1.0) * (1 + i * 0.3183) * std::pow(10, i % 7 - 3));
    const RefRun r = run_text("input x : f32[1, 100] =" + vals + "\ny = reducesum x axes -1\noutput y\n", mini());
    double sum = 0;
    for (double v : r.x) sum += v;
    expect_onnx_share(r.y, {sum}, 1e-5, 0, 0.02, "reducesum, rtol 1e-5");  // measured 6.9e-3: far inside rtol 1e-3
  }
}

TEST(CompilerExpand, AffineNormsMeetOnnxTolerance) {
  // test_layer_normalization_2d_axis1: x [3,4], scale and bias [4], epsilon 1e-5; and wider rows.
  for (const char* shape : {"[3, 4]", "[5, 700]"}) {
    const std::string text = fmt::format(
        "input x : f32{} random 1\ninput g : f32[{}] random 2\ninput b : f32[{}] random 3\n"
        "y = layernorm x g b\nm = layernorm x g b part mean\nr = layernorm x g b part invstddev\noutput y m r\n",
        shape, std::string(shape).find("700") != std::string::npos ? 700 : 4,
        std::string(shape).find("700") != std::string::npos ? 700 : 4);
    for (const char* cfg : {"mini", "tsp1"}) {
      const Program p = parse_program(text, "t.txt");
      const RefRun r = run_text(text, *isa::find_config(cfg));
      const auto& gd = p.graph.tensor(*p.graph.find("g")).data;
      const auto& bd = p.graph.tensor(*p.graph.find("b")).data;
      const size_t C = r.xshape.back(), M = r.x.size() / C;
      std::vector<double> want(r.x.size()), means(M), invs(M);
      for (size_t m = 0; m < M; ++m) {
        double mean = 0, var = 0;
        for (size_t c = 0; c < C; ++c) mean += r.x[m * C + c] / double(C);
        for (size_t c = 0; c < C; ++c) var += std::pow(r.x[m * C + c] - mean, 2) / double(C);
        means[m] = mean;
        invs[m] = 1 / std::sqrt(var + 1e-5);
        for (size_t c = 0; c < C; ++c)
          want[m * C + c] = (r.x[m * C + c] - mean) / std::sqrt(var + 1e-5) * value_of(isa::DType::f32, gd[c]) +
                            value_of(isa::DType::f32, bd[c]);
      }
      // Measured: [3, 4] y 1.9e-4, mean 0, invstddev 2.9e-5; [5, 700] y 0.029 (mini) / 0.072 (tsp1), mean 3.8e-5,
      // invstddev 7.9e-5.
      const bool wide = C > 4;
      const std::string what = fmt::format("layernorm {} {}", cfg, shape);
      expect_onnx_share(r.y, want, 1e-3, 1e-7, wide ? 0.2 : 6e-4, what + " y");
      expect_onnx_share(r.part("m"), means, 1e-3, 1e-7, 1e-4, what + " mean");
      expect_onnx_share(r.part("r"), invs, 1e-3, 1e-7, wide ? 2.5e-4 : 1e-4, what + " invstddev");
    }
  }
}

// What the new ops cannot do is a clear error naming file:line and the node.
TEST(CompilerExpand, UnsupportedShapesAndAttributesAreClearErrors) {
  auto compile_error = [](const std::string& text) -> std::string {
    try {
      const Program p = parse_program(text, "p.txt");
      const Graph e = expand(p.graph, mini());
      lower(e, mini());
    } catch (const Error& err) {
      return err.what();
    }
    return "no error";
  };
  EXPECT_EQ(compile_error("input x : f32[3, 4] random 1\ny = reducesum x axes 1 keepdims 0\noutput y\n"),
            "p.txt:2: error: node 'y' (reducesum): keepdims 0 over the last axis with other axes left would move "
            "values across lanes (not yet)");
  EXPECT_EQ(compile_error("input x : i8[3, 4] random 1\ny = softmax x\noutput y\n"),
            "p.txt:2: error: node 'y' (softmax): softmax takes f16, bf16 or f32, not x i8[3,4]");
  EXPECT_EQ(compile_error("input x : f32[3, 4] random 1\ny = softmax x axis 2\noutput y\n"),
            "p.txt:2: error: node 'y' (softmax): axis 2 is out of range for rank 2");
  // A reshape that moves values across lanes is a vector program now (movement.hpp), no longer an error.
  EXPECT_EQ(compile_error("input x : f32[2, 3] random 1\ny = reshape x shape 6\noutput y\n"), "no error");
  EXPECT_EQ(compile_error("input a : i8[2, 4] random 1\nconst w : i8[4, 1] random 2\nt = matmul a w\n"
                          "input c : i32[2, 5] random 3\ny = add c t\noutput y\n"),
            "p.txt:5: error: node 'y' (add): 't' [..., 1] is broadcast across lanes but is computed on the chip "
            "without its value in every lane (only reductions over the last axis and image data provide that)");
  EXPECT_EQ(compile_error("input a : u8[2, 3] random 1\ninput b : u8[3, 2] random 2\ninput z : i8[1] = 1\n"
                          "y = matmulinteger a b z\noutput y\n"),
            "p.txt:4: error: node 'y' (matmulinteger): zero point z i8[1] must be one u8 value (per-row/column zero "
            "points: not yet)");
  EXPECT_EQ(compile_error("input x : f32[3, 4] random 1\ny = reducemax x axes\noutput y\n"),
            "p.txt:2: error: node 'y': axes needs a value");
  EXPECT_EQ(compile_error("input x : f32[3, 4] random 1\ninput y : f32[2, 4] random 2\nz = add x y\noutput z\n"),
            "p.txt:3: error: node 'z' (add): operands x f32[3,4] and y f32[2,4] do not broadcast");
}

// MatMulInteger's expansion (a.b - za colsum(b) - zb rowsum(a) + K za zb)
// against (a - za)(b - zb) in int64: test_matmulinteger's data and its
// published result, then random signed and unsigned operands over several lane blocks.
TEST(CompilerExpand, MatMulIntegerIsExact) {
  const RefRun r = run_text(
      "input a : u8[4, 3] = 11 7 3 10 6 2 9 5 1 8 4 0\ninput b : u8[3, 2] = 1 4 2 5 3 6\n"
      "input za : u8[1] = 12\ninput zb : u8[1] = 0\ny = matmulinteger a b za zb\noutput y\n"
      "input x : u8[1] = 0\n",
      mini());
  EXPECT_EQ(r.v[*r.g.find("y")], (std::vector<uint32_t>{uint32_t(-38), uint32_t(-83), uint32_t(-44), uint32_t(-98),
                                                        uint32_t(-50), uint32_t(-113), uint32_t(-56), uint32_t(-128)}));
  for (const char* types : {"u8 u8", "i8 u8", "i8 i8", "u8 i8"}) {
    const std::string ta(types, 2), tb(types + 3, 2);
    const uint32_t M = 5, K = 77, N = 40;
    const std::string text = fmt::format(
        "input a : {0}[{2}, {3}] random 1\ninput b : {1}[{3}, {4}] random 2\ninput za : {0}[1] random 3\n"
        "input zb : {1}[1] random 4\ny = matmulinteger a b za zb\noutput y\ninput x : u8[1] = 0\n",
        ta, tb, M, K, N);
    const RefRun q = run_text(text, mini());
    auto val = [&](const char* name, size_t i) {
      const Tensor& t = q.g.tensor(*q.g.find(name));
      const uint32_t bits = t.data[i];
      return t.dtype == isa::DType::i8 ? int64_t(int8_t(bits)) : int64_t(bits);
    };
    const auto& y = q.v[*q.g.find("y")];
    for (uint32_t m = 0; m < M; ++m)
      for (uint32_t n = 0; n < N; ++n) {
        int64_t want = 0;
        for (uint32_t k = 0; k < K; ++k)
          want += (val("a", m * K + k) - val("za", 0)) * (val("b", k * N + n) - val("zb", 0));
        ASSERT_EQ(int32_t(y[m * N + n]), want) << types << " " << m << "," << n;
      }
  }
}

// The reciprocal of the softmax expansion (activation.hpp), r = rsqrt(s)^2 then
// r + r*(1 - s*r), on the chip's f32 arithmetic over s in [1, 2^20): measured
// worst relative error; powers of two come out exact.
TEST(CompilerExpand, ReciprocalErrorIsAFewUlps) {
  auto f = [](isa::Op op, uint32_t a, uint32_t b = 0) { return num::apply({op, isa::DType::f32}, a, b); };
  auto recip = [&](uint32_t sb, uint32_t& r) {
    const uint32_t q = f(isa::Op::RSQRT, sb);
    r = f(isa::Op::MUL, q, q);
    const uint32_t e = f(isa::Op::SUB, num::from_double<num::kF32>(1.0), f(isa::Op::MUL, sb, r));
    return f(isa::Op::ADD, r, f(isa::Op::MUL, r, e));
  };
  uint32_t r = 0;
  for (int k = -60; k <= 60; ++k)  // sigmoid(0) = 1/2 exactly (r * (2 - s*r) gave 0.49999997)
    EXPECT_EQ(value_of(isa::DType::f32, recip(num::from_double<num::kF32>(std::ldexp(1.0, k)), r)),
              std::ldexp(1.0, -k));
  double worst0 = 0, worst = 0;
  for (double s = 1; s < (1 << 20); s *= 1.0007) {
    const uint32_t sb = num::from_double<num::kF32>(s);
    const double sv = value_of(isa::DType::f32, sb);
    const uint32_t y = recip(sb, r);
    worst0 = std::max(worst0, std::abs(value_of(isa::DType::f32, r) * sv - 1));
    worst = std::max(worst, std::abs(value_of(isa::DType::f32, y) * sv - 1));
  }
  RecordProperty("rsqrt_squared_rel_error", fmt::format("{:.3g}", worst0));
  RecordProperty("newton_rel_error", fmt::format("{:.3g}", worst));
  std::printf("reciprocal: rsqrt^2 worst relative error %.3g, after one Newton step %.3g\n", worst0, worst);
  EXPECT_LT(worst, 3e-7);  // measured 9.8e-8
}

}  // namespace
}  // namespace tsp::compiler
