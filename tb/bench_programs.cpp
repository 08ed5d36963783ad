#include "tb/bench_programs.hpp"

#include <cstring>
#include <map>
#include <random>
#include <string>

#include "common/error.hpp"
#include "firmware/image/program_builder.hpp"

namespace tsp::bench {
namespace {

using image::east;
using image::west;
using isa::Op;

constexpr uint32_t kWeightAddr = 10, kActAddr = 100, kResultAddr = 50, kCopyTo = 4096;
constexpr int64_t kI8 = static_cast<int64_t>(isa::DType::i8);
constexpr int64_t kI32 = static_cast<int64_t>(isa::DType::i32);
const uint32_t kI32Bytes = isa::dtype_desc(isa::DType::i32).bytes;  // the result's byte planes

// Places instructions at absolute cycles, padding each queue with NOPs.
class Schedule {
 public:
  explicit Schedule(image::ProgramBuilder& b) : b_(b) {}
  void at(const std::string& q, uint64_t t) {
    uint64_t& now = time_[q];
    if (t < now) throw Error("bench schedule: " + q + " asked to go back in time");
    if (t > now) b_.op(q, Op::NOP, {static_cast<int64_t>(t - now)});
    now = t;
  }
  void op(const std::string& q, Op op, std::initializer_list<int64_t> operands) {
    b_.op(q, op, operands);
    time_[q] += 1;
  }
  void repeat(const std::string& q, int64_t count, int64_t stride) {
    b_.op(q, Op::REPEAT, {count, 1, stride});
    time_[q] += static_cast<uint64_t>(count);
  }

 private:
  image::ProgramBuilder& b_;
  std::map<std::string, uint64_t> time_;
};

std::vector<uint8_t> random_bytes(std::mt19937& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

const uint8_t* vector_at(const image::Image& img, const isa::Config& cfg, uint16_t slice, uint32_t address) {
  for (const auto& seg : img.chips[0].sram)
    if (seg.slice == slice && address >= seg.address && (address - seg.address) * cfg.vector_bytes < seg.bytes.size())
      return seg.bytes.data() + size_t(address - seg.address) * cfg.vector_bytes;
  throw Error("bench: no data at slice " + std::to_string(slice) + " address " + std::to_string(address));
}

const isa::Config& tsp1() { return *isa::find_config("tsp1"); }
uint16_t pos(const std::string& q) { return tsp1().queue_table[*isa::find_queue(tsp1(), q)].position; }
uint16_t slice_of(const std::string& q) {
  return isa::mem_slice_of(tsp1().queue_table[*isa::find_queue(tsp1(), q)], tsp1());
}
std::string mem_w(uint32_t i) { return "MEM.W." + std::to_string(i); }

// ---- mxm: acc[n] = sum_j sum_k a_j[k] * W[k][n], int8 in, int32 out -------------
uint32_t rows_per_lw() { return tsp1().lanes_per_superlane; }  // one weight row per stream, 16 streams a cycle

void mxm_native(const image::Image& img, uint32_t n, std::vector<uint8_t>& out) {
  const isa::Config& c = tsp1();
  const uint32_t dim = c.mxm_dim, r = rows_per_lw();
  std::vector<int16_t> w(size_t(dim) * dim);
  for (uint32_t i = 0; i < r; ++i)
    for (uint32_t j = 0; j < dim / r; ++j) {
      const uint8_t* row = vector_at(img, c, slice_of(mem_w(i)), kWeightAddr + j);
      for (uint32_t col = 0; col < dim; ++col) w[size_t(r * j + i) * dim + col] = int8_t(row[col]);
    }
  alignas(64) uint32_t acc[isa::kMaxLanes] = {};  // as the model's ABC keeps its sums (exec_mxm.cpp)
  const uint8_t* acts = vector_at(img, c, slice_of(mem_w(20)), kActAddr);
  for (uint32_t a = 0; a < n; ++a)
    for (uint32_t k = 0; k < dim; ++k) {
      const auto ak = uint32_t(int32_t(int8_t(acts[size_t(a) * dim + k])));
      const int16_t* wk = &w[size_t(k) * dim];
      for (uint32_t col = 0; col < dim; ++col) acc[col] += ak * uint32_t(int32_t(wk[col]));
    }
  out.resize(size_t(dim) * kI32Bytes);
  std::memcpy(out.data(), acc, out.size());
}

std::vector<uint8_t> mxm_result(model::ChipEngine& chip, uint32_t) {
  const isa::Config& c = tsp1();
  std::vector<uint8_t> out(size_t(c.lanes) * kI32Bytes);
  for (uint32_t plane = 0; plane < kI32Bytes; ++plane) {
    model::Vec v;
    chip.slice(slice_of(mem_w(30 + plane))).read(kResultAddr, v);
    for (uint32_t l = 0; l < c.lanes; ++l) out[size_t(l) * kI32Bytes + plane] = v.bytes[l];
  }
  return out;
}

// ---- mem: slice pairs copy n vectors ---------------------------------------------
std::vector<std::pair<std::string, std::string>> copy_pairs() {
  std::vector<std::pair<std::string, std::string>> pairs;
  const uint32_t half = tsp1().mem_slices_per_hemisphere;
  for (const char* h : {"W", "E"})
    for (uint32_t i = 0; i + 1 < half; i += 2) {
      // West slices are numbered outward from the VXM, so the reader sits west of the writer there.
      const std::string a = std::string("MEM.") + h + "." + std::to_string(i);
      const std::string b = std::string("MEM.") + h + "." + std::to_string(i + 1);
      pairs.emplace_back(h[0] == 'W' ? b : a, h[0] == 'W' ? a : b);
    }
  return pairs;
}

void mem_native(const image::Image& img, uint32_t n, std::vector<uint8_t>& out) {
  const isa::Config& c = tsp1();
  const auto pairs = copy_pairs();
  const size_t bytes = size_t(n) * c.vector_bytes;
  out.resize(pairs.size() * bytes);
  for (size_t p = 0; p < pairs.size(); ++p)
    std::memcpy(&out[p * bytes], vector_at(img, c, slice_of(pairs[p].first), 0), bytes);
}

std::vector<uint8_t> mem_result(model::ChipEngine& chip, uint32_t n) {
  const isa::Config& c = tsp1();
  const auto pairs = copy_pairs();
  std::vector<uint8_t> out(pairs.size() * n * c.vector_bytes);
  model::Vec v;
  for (size_t p = 0; p < pairs.size(); ++p)
    for (uint32_t a = 0; a < n; ++a) {
      chip.slice(slice_of(pairs[p].second)).read(kCopyTo + a, v);
      std::memcpy(&out[(p * n + a) * c.vector_bytes], v.bytes.data(), c.vector_bytes);
    }
  return out;
}

}  // namespace

Workload mxm_workload(uint32_t n) {
  const isa::Config& c = tsp1();
  if (n < 2 || kActAddr + n > c.mem_addresses)
    throw Error("tsp bench: mxm needs 2 <= n <= " + std::to_string(c.mem_addresses - kActAddr));
  image::ProgramBuilder b("tsp1");
  Schedule s(b);
  std::mt19937 rng(1);
  const uint32_t r = rows_per_lw(), groups = c.mxm_dim / r;
  const uint16_t mxm = pos("MXM.W.0");
  const uint64_t t_lw = 100, read_lat = isa::op_desc(Op::READ).latency;
  for (uint32_t i = 0; i < r; ++i) {  // slice i holds weight rows r*j + i, one per address
    b.sram(mem_w(i), kWeightAddr, random_bytes(rng, size_t(groups) * c.vector_bytes));
    s.at(mem_w(i), t_lw - read_lat - (pos(mem_w(i)) - mxm));
    s.op(mem_w(i), Op::READ, {kWeightAddr, west(i)});
    s.repeat(mem_w(i), groups - 1, 1);
  }
  s.at("MXM.W.0", t_lw);
  s.op("MXM.W.0", Op::LW, {west(0), r, 0, kI8});
  s.repeat("MXM.W.0", groups - 1, r);
  s.op("MXM.W.0", Op::IW, {});
  const uint64_t t_abc = t_lw + groups + isa::op_desc(Op::IW).latency;
  b.sram(mem_w(20), kActAddr, random_bytes(rng, size_t(n) * c.vector_bytes));
  for (uint32_t plane = 0; plane < kI32Bytes; ++plane)
    b.sram(mem_w(30 + plane), kResultAddr, std::vector<uint8_t>(c.vector_bytes));
  s.at(mem_w(20), t_abc - read_lat - (pos(mem_w(20)) - mxm));
  s.op(mem_w(20), Op::READ, {kActAddr, west(20)});
  s.repeat(mem_w(20), n - 1, 1);
  s.at("MXM.W.1", t_abc);
  s.op("MXM.W.1", Op::ABC, {west(20), 0, 0, kI8});  // set, then add every cycle after
  s.op("MXM.W.1", Op::ABC, {west(20), 0, 1, kI8});
  if (n > 2) s.repeat("MXM.W.1", n - 2, 0);
  const uint64_t t_acc = t_abc + n;
  s.at("MXM.W.2", t_acc);
  s.op("MXM.W.2", Op::ACC, {east(24), 0, kI32});
  for (uint32_t plane = 0; plane < kI32Bytes; ++plane) {
    const std::string q = mem_w(30 + plane);
    s.at(q, t_acc + isa::op_desc(Op::ACC).latency + (pos(q) - mxm));
    s.op(q, Op::WRITE, {kResultAddr, east(24 + plane)});
  }
  return {"mxm",
          b.image(),
          uint64_t(n) * c.mxm_dim * c.mxm_dim,
          "MAC",
          "the same int8 x int8 -> int32 MACs into one accumulator row, a weight row at a time",
          mxm_native,
          mxm_result,
          n};
}

Workload mem_workload(uint32_t n) {
  const isa::Config& c = tsp1();
  if (n < 2 || kCopyTo + n > c.mem_addresses)
    throw Error("tsp bench: mem needs 2 <= n <= " + std::to_string(c.mem_addresses - kCopyTo));
  image::ProgramBuilder b("tsp1");
  Schedule s(b);
  std::mt19937 rng(2);
  const uint64_t read_lat = isa::op_desc(Op::READ).latency;
  uint64_t pairs = 0;
  for (const auto& [from, to] : copy_pairs()) {
    b.sram(from, 0, random_bytes(rng, size_t(n) * c.vector_bytes));
    b.sram(to, kCopyTo, std::vector<uint8_t>(size_t(n) * c.vector_bytes));  // output tensor, zero-initialised
    s.op(from, Op::READ, {0, east(0)});
    s.repeat(from, n - 1, 1);
    s.at(to, read_lat + (pos(to) - pos(from)));
    s.op(to, Op::WRITE, {kCopyTo, east(0)});
    s.repeat(to, n - 1, 1);
    ++pairs;
  }
  return {"mem",
          b.image(),
          2 * pairs * n * c.vector_bytes,
          "byte",
          "memcpy of each pair's vectors: the same bytes read and written; neither side decodes SECDED, the "
          "model only where a flip was injected (none here)",
          mem_native,
          mem_result,
          n};
}

}  // namespace tsp::bench
