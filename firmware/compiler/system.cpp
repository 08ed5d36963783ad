#include "firmware/compiler/system.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "common/error.hpp"
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

}  // namespace

SystemCompiled compile_system(const Graph& g, const isa::Config& cfg, const topo::Topology& t,
                              const CompileOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const auto links = direct_links(t, cfg);
  const auto P = static_cast<uint32_t>(t.chips.size());
  uint32_t fewest = UINT32_MAX;
  for (uint32_t c = 0; c < P; ++c)
    for (uint32_t d = 0; d < P; ++d)
      if (c != d) fewest = std::min(fewest, links[c][d].hop);
  Partition part = partition_columns(g, P, cfg, fewest);
  SystemCompiled out;
  out.split = std::move(part.split);
  out.replicated = std::move(part.replicated);
  CompileOptions chip_options = options;
  chip_options.embed_reference = false;  // a chip's graph has no reference of its own: the system's is below
  if (options.generated_weights) throw Error("tsp compile: error: --generated-weights with --topology: not yet");
  std::vector<std::unique_ptr<ChipCompile>> chips;
  std::vector<ChipCompile*> all;
  for (const Graph& gc : part.chips) {
    chips.push_back(std::make_unique<ChipCompile>(gc, cfg, chip_options));
    all.push_back(chips.back().get());
  }
  // The chips' graphs have the same nodes, so the same kernels in the same order.
  for (const ChipCompile* c : all)
    if (c->kernels() != all[0]->kernels())
      throw Error("internal error: the chips of a system compile lowered to different kernels");
  for (size_t ki = 0; ki < all[0]->kernels(); ++ki) {
    if (all[0]->kernel(ki).all_gather) {
      schedule_all_gather(all, ki, links, cfg);
      continue;
    }
    for (ChipCompile* c : all) c->schedule(ki);
  }
  for (ChipCompile* c : all) out.chips.push_back(c->finish());
  out.image = merge(out.chips);
  out.predicted_cycles = out.image.predicted_cycles;
  out.graph = expand(g, cfg);
  if (options.embed_reference) {
    const auto ref = run_reference(out.graph, cfg.mxm_dim);
    for (size_t i = 0; i < out.graph.tensors().size(); ++i) {
      const Tensor& ten = out.graph.tensors()[i];
      if (!ten.output) continue;
      for (uint32_t c = 0; c < P; ++c) out.image.expected.push_back({chip_symbol(c, ten.name), c, ref[i]});
    }
  }
  image::validate(out.image);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace tsp::compiler
