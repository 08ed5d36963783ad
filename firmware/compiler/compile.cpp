#include "firmware/compiler/compile.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string_view>

#include "common/error.hpp"
#include "firmware/compiler/codegen.hpp"
#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/fuse.hpp"
#include "firmware/compiler/generated_weights.hpp"
#include "firmware/compiler/kernels.hpp"
#include "firmware/compiler/lower.hpp"
#include "firmware/compiler/reference.hpp"

namespace tsp::compiler {
namespace {

// Test hook (tests/CMakeLists.txt): with TSP_COMPILE_LOG_DIR set, every program
// compiled without a test hook (a planted bug) is kept there, named by its contents, so that
// one test can run every program the suite compiled against its prediction.
void log_compiled(const image::Image& img) {
  const char* dir = std::getenv("TSP_COMPILE_LOG_DIR");
  if (!dir || !*dir) return;
  const std::vector<uint8_t> bytes = image::serialize(img);
  const size_t h =
      std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  const std::filesystem::path d(dir), f = d / fmt::format("{:016x}.img", h);
  std::filesystem::create_directories(d);
  // Written under a temporary name and renamed: tests run in parallel.
  const std::filesystem::path tmp = d / fmt::format("{:016x}.{}.tmp", h, ::getpid());
  image::save_file(img, tmp.string());
  std::filesystem::rename(tmp, f);
}

}  // namespace

double Compiled::utilisation(isa::Unit u) const {
  const auto it = units.find(u);
  if (it == units.end() || !predicted_cycles || !it->second.queues) return 0;
  return double(it->second.busy) / (double(predicted_cycles) * it->second.queues);
}

ChipCompile::ChipCompile(const Graph& source, const isa::Config& cfg, const CompileOptions& options)
    : cfg_(cfg), options_(options), start_(std::chrono::steady_clock::now()) {
  out_.graph = expand(source, cfg);
  const Graph& g = out_.graph;
  low_ = lower(g, cfg);
  out_.bound = lower_bound(g, low_, cfg);
  share_mxm_planes();
  // A MatMul over several planes: each plane loads its part's weights (a
  // group of column blocks) from slices of its own, in its hemisphere. (Before,
  // the parts read one set of slices in turn: the lone MatMul's weights on
  // twice the slices was the best that allowed.)
  for (size_t i = 0; i < low_.kernels.size(); ++i)
    for (const MatMulKernel& m : low_.kernels[i].mxm)
      if (const uint32_t parts = mxm_parts(i, m); parts > 1)
        for (size_t w = 1; w < low_.kernels[i].node->inputs.size(); ++w)
          if (const TensorId t = low_.kernels[i].node->inputs[w]; low_.stripes[t] > 1) low_.groups[t] = parts;
  if (options.bound_hook) options.bound_hook(out_.bound);
  // Auto: without reuse if the program fits, so that every tensor can be read back.
  const SramReuse first = options.sram_reuse == SramReuse::Auto ? SramReuse::Never : options.sram_reuse;
  out_.sram_reused = first != SramReuse::Never;
  try {
    out_.placement = place(g, low_, cfg, first);
  } catch (const SramFull&) {
    if (options.sram_reuse != SramReuse::Auto) throw;
    out_.sram_reused = true;
    out_.placement = place(g, low_, cfg, SramReuse::Auto);
  }
  for (const Placement& p : out_.placement) out_.overwritten_tensors += p.overwritten;
  for (const Node& n : g.nodes())  // a gather's base constant is its data's address (gather.hpp)
    if (n.op == GraphOp::GatherRows)
      out_.graph.set_const_data(
          n.inputs[2], std::vector<uint32_t>(g.tensor(n.inputs[2]).elements(), out_.placement[n.inputs[0]].address));
  sched_ = std::make_unique<Scheduler>(cfg);
  sched_->chain_hook = options.chain_hook;
  ks_ = std::make_unique<KernelScheduler>(g, out_.placement, cfg, *sched_);
  last_access_.assign(g.tensors().size(), kNoFloor);
  fused_ =
      options.fuse ? plan_fusion(g, low_, out_.placement, cfg) : std::vector<std::vector<size_t>>(low_.kernels.size());
  deferred_.assign(low_.kernels.size(), false);
  for (const auto& chain : fused_)
    for (size_t i = 0; i + 1 < chain.size(); ++i) {
      deferred_[chain[i]] = true;
      out_.placement[low_.kernels[chain[i]].vxm->out].streamed = true;
      ++out_.fused_ops;
    }
}

ChipCompile::~ChipCompile() = default;

uint32_t ChipCompile::mxm_parts(size_t ki, const MatMulKernel& m) const {
  // N blocks in one part per plane it may take (its M blocks and batch
  // elements share them), each part on the plane free first.
  const uint32_t nb = layout_of(out_.graph.tensor(m.y), cfg_.lanes).blocks;
  return std::min(nb, std::max<uint32_t>(1, mxm_planes_[ki] / uint32_t(low_.kernels[ki].mxm.size())));
}

void ChipCompile::share_mxm_planes() {
  // Per kernel, the MXM kernels it depends on (bitsets over their ordinals), through tensors' writers.
  const Graph& g = out_.graph;
  std::vector<size_t> ordinal(low_.kernels.size(), SIZE_MAX);
  size_t n = 0;
  for (size_t i = 0; i < low_.kernels.size(); ++i)
    if (!low_.kernels[i].mxm.empty()) ordinal[i] = n++;
  mxm_planes_.assign(low_.kernels.size(), 1);
  const size_t words = (n + 63) / 64;
  std::vector<std::vector<uint64_t>> after(low_.kernels.size(), std::vector<uint64_t>(words, 0));
  std::vector<int64_t> writer(g.tensors().size(), -1);
  for (size_t i = 0; i < low_.kernels.size(); ++i) writer[low_.kernels[i].node->output] = int64_t(i);
  for (size_t i = 0; i < low_.kernels.size(); ++i) {
    for (TensorId t : low_.kernels[i].node->inputs) {
      const int64_t w = writer[t];
      if (w < 0 || size_t(w) >= i) continue;
      for (size_t b = 0; b < words; ++b) after[i][b] |= after[size_t(w)][b];
      if (ordinal[size_t(w)] != SIZE_MAX) after[i][ordinal[size_t(w)] / 64] |= uint64_t(1) << (ordinal[size_t(w)] % 64);
    }
  }
  auto depends = [&](size_t i, size_t j) { return (after[i][ordinal[j] / 64] >> (ordinal[j] % 64)) & 1; };
  std::vector<size_t> mxm;
  for (size_t i = 0; i < low_.kernels.size(); ++i)
    if (ordinal[i] != SIZE_MAX) mxm.push_back(i);
  // A kernel's work: the weight blocks it installs.
  std::vector<uint64_t> work(low_.kernels.size(), 0);
  for (size_t i : mxm)
    for (const MatMulKernel& m : low_.kernels[i].mxm) {
      const Layout lw = layout_of(g.tensor(m.w), cfg_.lanes);
      work[i] += uint64_t(lw.rows + cfg_.mxm_dim - 1) / cfg_.mxm_dim * lw.blocks;
    }
  for (size_t i : mxm) {
    // The planes are shared with the kernels beside it (neither depends on the
    // other) in proportion to their work: all of them for a kernel alone, two
    // each for a SwiGLU's gate and up. (By count, planes / (1 + beside), the
    // 70B-shaped layer's q, of 4 times k's and v's blocks, took one plane
    // like them: 7,430 cycles where two planes take about 3,100.)
    uint64_t total = 0;
    for (size_t j : mxm)
      if (j == i || !(j < i ? depends(i, j) : depends(j, i))) total += work[j];
    mxm_planes_[i] = std::max<uint32_t>(1, uint32_t(cfg_.mxm_planes * work[i] / std::max<uint64_t>(total, 1)));
  }
  auto striped = [&](size_t k) {
    std::vector<TensorId> w;
    for (size_t i = 1; i < low_.kernels[k].node->inputs.size(); ++i)
      if (low_.stripes[low_.kernels[k].node->inputs[i]] > 1) w.push_back(low_.kernels[k].node->inputs[i]);
    return w;
  };
  // Kernels beside each other and near in order run at the same time (at most
  // one per plane): their weights apart. (All pairs beside each other, 12
  // MatMuls of a Llama-70B share, ask more slices than the chip has: the
  // rule then fails for most, 13,368 -> 14,252 cycles.)
  for (size_t a = 0; a < mxm.size(); ++a)
    for (size_t b = a + 1; b < std::min(mxm.size(), a + cfg_.mxm_planes); ++b)
      if (!depends(mxm[b], mxm[a]))
        for (TensorId x : striped(mxm[a]))
          for (TensorId y : striped(mxm[b])) low_.weights_apart.emplace_back(x, y);
}

void ChipCompile::begin(size_t ki) {
  Cycle floor = kNoFloor;
  for (TensorId dead : out_.placement[low_.kernels[ki].node->output].reuses)
    floor = std::max(floor, last_access_[dead] + 1);
  sched_->set_write_floor(floor);
}

void ChipCompile::end(size_t ki) {
  const Cycle last = sched_->take_last_access();
  auto note = [&](const Kernel& r) {
    for (TensorId t : r.node->inputs) last_access_[low_.root[t]] = std::max(last_access_[low_.root[t]], last);
    last_access_[low_.root[r.node->output]] = std::max(last_access_[low_.root[r.node->output]], last);
  };
  if (fused_[ki].empty()) return note(low_.kernels[ki]);
  for (size_t i : fused_[ki]) note(low_.kernels[i]);
}

void ChipCompile::schedule(size_t ki) {
  const Kernel& k = low_.kernels[ki];
  if (deferred_[ki]) return;
  const Graph& g = out_.graph;
  if (k.collective)
    throw Error(fmt::format("{}: node '{}' moves values between chips: compile it for a topology (--topology)",
                            k.node->where.str(), g.tensor(k.node->output).name));
  begin(ki);
  const std::string what = fmt::format("{} {}", op_name(k.node->op), g.tensor(k.node->output).name);
  if (!fused_[ki].empty()) {
    std::vector<const VxmKernel*> steps;
    std::string names;
    for (size_t i : fused_[ki]) {
      const Kernel& f = low_.kernels[i];
      steps.push_back(&*f.vxm);
      names += fmt::format("{}{} {}", names.empty() ? "" : " > ", op_name(f.node->op), g.tensor(f.node->output).name);
    }
    ks_->vxm_fused(steps, names);
  } else if (k.vxm) {
    ks_->vxm(*k.vxm, what);
  }
  for (const MatMulKernel& m : k.mxm) {
    const uint32_t nb = out_.placement[m.y].layout.blocks;
    const uint32_t parts = mxm_parts(ki, m);
    for (uint32_t p = 0; p < parts; ++p) {
      MatMulKernel part = m;
      if (parts > 1) part.n0 = nb * p / parts, part.n1 = nb * (p + 1) / parts, part.first = m.first && p == 0;
      // Part p of grouped weights reads group p: a plane in that group's hemisphere.
      const Placement& pw = out_.placement[m.w];
      const uint32_t plane =
          ks_->free_plane(next_plane_, pw.groups > 1 ? std::optional<uint32_t>(pw.group_hemisphere(p)) : std::nullopt);
      ks_->matmul(part, what, plane);
      next_plane_ = plane + 1;
    }
  }
  if (k.sxm) ks_->permute(*k.sxm, what);
  if (k.alias) ks_->alias(k.node->output, *k.alias);
  for (const VecKernel& v : k.vec) ks_->vec(v, what);
  if (k.gather) ks_->gather(*k.gather, what);
  end(ki);
}

Compiled ChipCompile::finish() {
  Compiled& out = out_;
  const Graph& g = out.graph;
  const CompileOptions& options = options_;
  out.timed = sched_->timed();
  out.chains = sched_->chain_names();
  std::vector<bool> generated(g.tensors().size());  // bytes the image does not carry
  if (options.generated_weights && !options.generated_as_bytes)
    for (TensorId t = 0; t < generated.size(); ++t) generated[t] = generated_weight(g, t);
  out.image = generate(g, out.placement, out.timed, cfg_, options.source_file, generated);
  out.predicted_cycles = out.image.predicted_cycles;
  // The bound holds for every legal schedule of these kernels, so a schedule
  // below it means the bound or the scheduler's model of the chip is wrong.
  if (out.predicted_cycles < out.bound.cycles)
    throw Error(
        fmt::format("{}: internal error: the schedule's {} cycles are below the lower bound's {} (term {}): "
                    "the bound or the scheduler is wrong",
                    options.source_file, out.predicted_cycles, out.bound.cycles, out.bound.binding));
  if (options.generated_weights) {
    out.generated_tensors = generate_weights(out.graph, out.placement, out.image, cfg_, *options.generated_weights,
                                             options.generated_as_bytes);
    image::validate(out.image);
  }
  std::vector<uint32_t> top(cfg_.mem_slices, 0);  // per slice: one past the highest address placed
  for (TensorId t = 0; t < out.placement.size(); ++t) {
    const Placement& p = out.placement[t];
    if (!p.placed || p.streamed) continue;
    for (uint32_t i = 0; i < p.regions(); ++i)
      for (uint32_t b = 0; b < isa::dtype_desc(g.tensor(t).dtype).bytes; ++b) {
        uint32_t& high = top.at(p.region_slice(i) + b);
        high = std::max(high, p.region_address(i) + p.region_vectors(i / p.stripes()));
      }
  }
  for (const uint32_t high : top) out.sram_bytes += uint64_t(high) * cfg_.lanes;
  for (const auto& q : cfg_.queue_table) ++out.units[q.unit].queues;
  for (const Timed& r : out.timed) {  // a float ABC holds the array for its whole interval
    const bool holds = r.instr.op == isa::Op::ABC;
    out.units[cfg_.queue_table[r.queue].unit].busy += holds ? r.span() + r.interval - 1 : r.count;
  }
  if (!options.keep_schedule) {
    std::vector<Timed>().swap(out.timed);
    std::vector<std::string>().swap(out.chains);
  }
  if (options.embed_reference) {
    const auto ref = run_reference(g, cfg_.mxm_dim);
    for (size_t t = 0; t < g.tensors().size(); ++t)
      if (g.tensors()[t].output) {
        image::Expected e{symbol_of(out.image, g.tensors()[t]).name, 0, ref[t]};
        out.image.expected.push_back(std::move(e));
      }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return std::move(out);
}

Compiled compile(const Graph& source, const isa::Config& cfg, const CompileOptions& options) {
  ChipCompile c(source, cfg, options);
  for (size_t ki = 0; ki < c.kernels(); ++ki) c.schedule(ki);
  Compiled out = c.finish();
  // One chip's program runs alone; a system chip's (system.hpp) needs its topology.
  if (!options.chain_hook) log_compiled(out.image);
  return out;
}

}  // namespace tsp::compiler
