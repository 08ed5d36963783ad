#include "firmware/compiler/system.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"
#include "common/numerics/mxm.hpp"
#include "firmware/compiler/collective.hpp"
#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/reference.hpp"

namespace tsp::compiler {

std::string chip_symbol(uint32_t c, const std::string& name) { return fmt::format("c{}.{}", c, name); }

namespace {

// One image from the chips' own: chip c's program and SRAM, its symbols renamed for the chip.
image::Image merge(const std::vector<Compiled>& chips) {
  image::Image img;
  img.config = chips.at(0).image.config;
  img.files = chips[0].image.files;
  img.has_prediction = true;
  for (uint32_t c = 0; c < chips.size(); ++c) {
    const image::Image& one = chips[c].image;
    if (one.files != img.files || one.chips.size() != 1)
      throw Error("internal error: the chips of a system compile differ in their source files");
    img.chips.push_back(one.chips[0]);
    img.predicted_cycles = std::max(img.predicted_cycles, one.predicted_cycles);
    for (image::Symbol s : one.symbols) {
      s.chip = c;
      s.name = chip_symbol(c, s.name);
      img.symbols.push_back(std::move(s));
    }
  }
  return img;
}

// A collective's value on chip c from every chip's values (lower.hpp CollectiveKernel).
std::vector<uint32_t> collective_value(const std::vector<std::unique_ptr<ReferenceRun>>& runs,
                                       const std::vector<Compiled>& chips, const std::vector<size_t>& node,
                                       uint32_t c) {
  const Node& n = chips[c].graph.nodes()[node[c]];
  const auto& b = n.attrs.bounds;  // chip k's columns [b[k], b[k+1])
  const Tensor& y = chips[c].graph.tensor(n.output);
  std::vector<uint32_t> out(y.elements());
  const auto P = static_cast<uint32_t>(chips.size());
  for (uint32_t k = 0; k < P; ++k) {
    if (n.op == GraphOp::Exchange && k != (c + P - n.attrs.shift) % P) continue;
    const Node& nk = chips[k].graph.nodes()[node[k]];
    const Tensor& xt = chips[k].graph.tensor(nk.inputs[0]);
    const std::vector<uint32_t>& xk = runs[k]->values()[nk.inputs[0]];
    const uint64_t xn = xt.shape.back(), rows = xt.elements() / xn;
    for (uint64_t r = 0; r < rows; ++r) {
      if (n.op == GraphOp::AllGather) {  // y[r, b[k] + j] = x_k[r, j]
        std::copy_n(xk.begin() + int64_t(r * xn), xn, out.begin() + int64_t(r * b.back() + b[k]));
      } else {  // Exchange from chip k = c - shift: y[r, j] = x_k[r, b[c] + j]
        const uint64_t w = b[c + 1] - b[c];
        std::copy_n(xk.begin() + int64_t(r * xn + b[c]), w, out.begin() + int64_t(r * w));
      }
    }
  }
  return out;
}

}  // namespace

std::vector<std::vector<std::vector<uint32_t>>> system_reference(const SystemCompiled& s, const isa::Config& cfg) {
  const auto P = static_cast<uint32_t>(s.chips.size());
  std::vector<std::unique_ptr<ReferenceRun>> runs;
  for (const Compiled& c : s.chips) runs.push_back(std::make_unique<ReferenceRun>(c.graph, cfg.mxm_dim));
  for (;;) {
    std::vector<size_t> node(P);
    for (uint32_t c = 0; c < P; ++c) node[c] = runs[c]->run_to_collective();
    const bool done = node[0] == s.chips[0].graph.nodes().size();
    for (uint32_t c = 1; c < P; ++c)
      if ((node[c] == s.chips[c].graph.nodes().size()) != done)
        throw Error("internal error: the chips of a system reach different collectives");
    if (done) break;
    std::vector<std::vector<uint32_t>> values;
    for (uint32_t c = 0; c < P; ++c) values.push_back(collective_value(runs, s.chips, node, c));
    for (uint32_t c = 0; c < P; ++c) runs[c]->set(std::move(values[c]));
  }
  std::vector<std::vector<std::vector<uint32_t>>> out;
  for (auto& r : runs) out.push_back(std::move(r->values()));
  return out;
}

namespace {

double element_value(isa::DType t, uint32_t bits) {
  const auto& d = isa::dtype_desc(t);
  if (t == isa::DType::f32) return num::to_double<num::kF32>(bits);
  if (d.is_float) return num::mxm_float_value(t, bits);
  if (!d.is_signed || d.bytes == 4) return d.is_signed ? double(int32_t(bits)) : double(bits);
  const uint32_t sign = 1u << (8 * d.bytes - 1);
  return double(int32_t((bits ^ sign) - sign));
}

}  // namespace

std::vector<std::vector<uint32_t>> read_outputs(const SystemCompiled& s, uint32_t c, const ReadSymbol& read,
                                                uint32_t lanes) {
  const Graph& g = s.chips.at(c).graph;
  std::vector<std::vector<uint32_t>> out(g.tensors().size());
  for (size_t i = 0; i < g.tensors().size(); ++i) {
    if (!g.tensors()[i].output) continue;
    const std::string name = chip_symbol(c, g.tensors()[i].name);
    const auto sym = std::find_if(s.image.symbols.begin(), s.image.symbols.end(),
                                  [&](const image::Symbol& y) { return y.name == name; });
    if (sym == s.image.symbols.end()) throw Error("internal error: no symbol " + name);
    out[i] = unpack(g.tensors()[i], lanes, read(*sym));
  }
  return out;
}

SystemComparison compare_system(const SystemCompiled& s, const isa::Config& cfg,
                                const std::vector<std::vector<std::vector<uint32_t>>>& got) {
  SystemComparison out;
  const auto want = system_reference(s, cfg);
  const auto whole = run_reference(s.graph, cfg.mxm_dim);
  for (uint32_t c = 0; c < s.chips.size(); ++c) {
    const Graph& g = s.chips[c].graph;
    for (size_t i = 0; i < g.tensors().size(); ++i) {
      const Tensor& t = g.tensors()[i];
      if (!t.output) continue;
      const auto& w = want[c][i];
      const auto& h = got.at(c).at(i);
      for (size_t e = 0; e < w.size(); ++e)
        if (e >= h.size() || h[e] != w[e]) {
          out.errors.push_back(fmt::format("chip {}: output {} element {}: model 0x{:x}, host reference 0x{:x}", c,
                                           t.name, e, e < h.size() ? h[e] : 0, w[e]));
          break;
        }
      out.elements += w.size();
      const auto u = s.graph.find(t.name);
      if (!u) throw Error("internal error: output '" + t.name + "' is not in the graph before partitioning");
      const auto& before = whole[*u];
      for (size_t e = 0; e < w.size() && e < before.size(); ++e) {
        out.max_abs_value = std::max(out.max_abs_value, std::abs(element_value(t.dtype, before[e])));
        if (w[e] != before[e]) {
          ++out.differ;
          out.max_abs_error =
              std::max(out.max_abs_error, std::abs(element_value(t.dtype, w[e]) - element_value(t.dtype, before[e])));
        }
      }
    }
  }
  return out;
}

SystemCompiled compile_system(const Graph& g, const isa::Config& cfg, const topo::Topology& t,
                              const CompileOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const auto links = direct_links(t, cfg);
  const auto P = static_cast<uint32_t>(t.chips.size());
  uint32_t fewest = UINT32_MAX;
  for (uint32_t c = 0; c < P; ++c)
    for (uint32_t d = 0; d < P; ++d)
      if (c != d) fewest = std::min(fewest, links[c][d].hop);
  Partition part = partition_tensor_parallel(g, P, cfg, fewest);
  SystemCompiled out;
  out.decisions = std::move(part.decisions);
  CompileOptions chip_options = options;
  chip_options.embed_reference = false;  // a chip's graph has no reference of its own: the system's is below
  if (options.generated_weights) throw Error("tsp compile: error: --generated-weights with --topology: not yet");
  std::vector<std::unique_ptr<ChipCompile>> chips;
  std::vector<ChipCompile*> all;
  for (const Graph& gc : part.chips) {
    chips.push_back(std::make_unique<ChipCompile>(gc, cfg, chip_options));
    all.push_back(chips.back().get());
  }
  // Each chip's kernels up to its next collective, then that collective on
  // all chips at once. The chips' graphs have the same collectives in the same
  // order; what lies between them may differ where shapes do (a block ending
  // in part of a vector may need its padding lanes zeroed).
  std::vector<size_t> next(P, 0);
  for (;;) {
    for (uint32_t c = 0; c < P; ++c)
      while (next[c] < all[c]->kernels() && !all[c]->kernel(next[c]).collective) all[c]->schedule(next[c]++);
    const bool done = next[0] == all[0]->kernels();
    for (uint32_t c = 1; c < P; ++c)
      if ((next[c] == all[c]->kernels()) != done ||
          (!done && all[c]->kernel(next[c]).collective->op != all[0]->kernel(next[0]).collective->op))
        throw Error(fmt::format("internal error: chips 0 and {} of a system compile reach different collectives", c));
    if (done) break;
    schedule_collective(all, next, links, cfg);
    for (size_t& k : next) ++k;
  }
  for (ChipCompile* c : all) out.chips.push_back(c->finish());
  out.image = merge(out.chips);
  out.predicted_cycles = out.image.predicted_cycles;
  out.graph = expand(g, cfg);
  if (options.embed_reference) {
    const auto ref = system_reference(out, cfg);
    for (uint32_t c = 0; c < P; ++c) {
      const Graph& gc = out.chips[c].graph;
      for (size_t i = 0; i < gc.tensors().size(); ++i)
        if (gc.tensors()[i].output) out.image.expected.push_back({chip_symbol(c, gc.tensors()[i].name), c, ref[c][i]});
    }
  }
  image::validate(out.image);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace tsp::compiler
