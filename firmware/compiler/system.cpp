#include "firmware/compiler/system.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "common/error.hpp"
#include "firmware/compiler/collective.hpp"
#include "firmware/compiler/expand.hpp"
#include "firmware/compiler/ops.hpp"
#include "firmware/compiler/reference.hpp"

namespace tsp::compiler {

std::string chip_symbol(uint32_t c, const std::string& name) { return fmt::format("c{}.{}", c, name); }

namespace {

// One image from the chips' own: chip c's program and SRAM, its symbols
// renamed for the chip. Each chip's program, SRAM and symbols are moved, not
// copied (a 576-chip image is half a gigabyte): a chip's own image keeps its
// configuration, files and prediction only.
image::Image merge(std::vector<Compiled>& chips) {
  image::Image img;
  img.config = chips.at(0).image.config;
  img.files = chips[0].image.files;
  img.has_prediction = true;
  for (uint32_t c = 0; c < chips.size(); ++c) {
    image::Image& one = chips[c].image;
    if (one.files != img.files || one.chips.size() != 1)
      throw Error("internal error: the chips of a system compile differ in their source files");
    img.chips.push_back(std::move(one.chips[0]));
    one.chips.clear();
    img.predicted_cycles = std::max(img.predicted_cycles, one.predicted_cycles);
    for (image::Symbol& s : one.symbols) {
      s.chip = c;
      s.name = chip_symbol(c, s.name);
      img.symbols.push_back(std::move(s));
    }
    std::vector<image::Symbol>().swap(one.symbols);
  }
  return img;
}

// A TP collective's value on the stage's chip `c` (an index into `stage`,
// its chips) from the values of every chip of the stage (lower.hpp CollectiveKernel).
std::vector<uint32_t> collective_value(const std::vector<std::unique_ptr<ReferenceRun>>& runs,
                                       const std::vector<Compiled>& chips, const std::vector<size_t>& node,
                                       const std::vector<uint32_t>& stage, uint32_t c) {
  const Node& n = chips[stage[c]].graph.nodes()[node[stage[c]]];
  const auto& b = n.attrs.bounds;  // chip k's columns [b[k], b[k+1])
  const Tensor& y = chips[stage[c]].graph.tensor(n.output);
  std::vector<uint32_t> out(y.elements());
  const auto P = static_cast<uint32_t>(stage.size());
  for (uint32_t k = 0; k < P; ++k) {
    if (n.op == GraphOp::Exchange && k != (c + P - n.attrs.shift) % P) continue;
    const Node& nk = chips[stage[k]].graph.nodes()[node[stage[k]]];
    const Tensor& xt = chips[stage[k]].graph.tensor(nk.inputs[0]);
    const std::vector<uint32_t>& xk = runs[stage[k]]->values()[nk.inputs[0]];
    const uint64_t xn = xt.shape.back(), rows = xt.elements() / xn;
    if (n.op == GraphOp::AllGather && !n.attrs.axes.empty()) {  // by rows: chip k's rows in y from index b[k] on
      const uint64_t per_index = y.elements() / b.back();
      std::copy(xk.begin(), xk.end(), out.begin() + int64_t(b[k] * per_index));
      continue;
    }
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

// The chips whose next collective comes first (Attrs::order; every chip's
// collectives are in one order), given each chip's next node or kernel
// (`at`, none: `order` returns nullopt).
template <typename OrderOf>
std::vector<uint32_t> first_collective(uint32_t chips, OrderOf order) {
  std::optional<uint64_t> lowest;
  for (uint32_t c = 0; c < chips; ++c)
    if (const auto o = order(c); o && (!lowest || *o < *lowest)) lowest = o;
  std::vector<uint32_t> at;
  for (uint32_t c = 0; c < chips && lowest; ++c)
    if (order(c) == lowest) at.push_back(c);
  return at;
}

// fn(0) .. fn(n-1) on threads of their own (at most the host's cores at a
// time); each writes only its own results, so the outcome does not depend on
// their order. The first exception, by index, is rethrown.
void each_in_parallel(size_t n, const std::function<void(size_t)>& fn) {
  const size_t width = std::max<size_t>(1, std::thread::hardware_concurrency());
  std::vector<std::exception_ptr> failed(n);
  for (size_t base = 0; base < n; base += width) {
    std::vector<std::thread> threads;
    for (size_t i = base; i < std::min(n, base + width); ++i)
      threads.emplace_back([&, i] {
        try {
          fn(i);
        } catch (...) {
          failed[i] = std::current_exception();
        }
      });
    for (std::thread& t : threads) t.join();
  }
  for (const std::exception_ptr& e : failed)
    if (e) std::rethrow_exception(e);
}

}  // namespace

std::vector<std::vector<std::vector<uint32_t>>> system_reference(const SystemCompiled& s, const isa::Config& cfg) {
  const auto N = static_cast<uint32_t>(s.chips.size());
  std::vector<std::unique_ptr<ReferenceRun>> runs;
  for (const Compiled& c : s.chips) runs.push_back(std::make_unique<ReferenceRun>(c.graph, cfg.mxm_dim));
  std::vector<size_t> node(N);
  for (;;) {
    for (uint32_t c = 0; c < N; ++c) node[c] = runs[c]->run_to_collective();
    const std::vector<uint32_t> at = first_collective(N, [&](uint32_t c) -> std::optional<uint64_t> {
      if (node[c] == s.chips[c].graph.nodes().size()) return std::nullopt;
      return s.chips[c].graph.nodes()[node[c]].attrs.order;
    });
    if (at.empty()) break;
    const Node& n = s.chips[at[0]].graph.nodes()[node[at[0]]];
    std::vector<std::vector<uint32_t>> values;
    if (n.op == GraphOp::Handoff) {  // the whole tensor of the same name on the sending stage's chips
      const uint32_t from = s.stages.at(n.attrs.step).at(0);
      const std::string& name = s.chips[at[0]].graph.tensor(n.output).name;
      const auto x = s.chips[from].graph.find(name);
      if (!x) throw Error("internal error: no tensor " + name + " on chip " + std::to_string(from));
      for (size_t i = 0; i < at.size(); ++i) values.push_back(runs[from]->values()[*x]);
    } else {
      for (uint32_t c = 0; c < at.size(); ++c) values.push_back(collective_value(runs, s.chips, node, at, c));
    }
    for (size_t i = 0; i < at.size(); ++i) runs[at[i]]->set(std::move(values[i]));
  }
  std::vector<std::vector<std::vector<uint32_t>>> out;
  for (auto& r : runs) out.push_back(std::move(r->values()));
  return out;
}

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

std::pair<std::string, std::optional<SystemCompiled::Block>> SystemCompiled::source_of(uint32_t c,
                                                                                      const std::string& name) const {
  for (size_t st = 0; st < stages.size(); ++st) {
    const auto at = std::find(stages[st].begin(), stages[st].end(), c);
    if (at == stages[st].end()) continue;
    const auto k = size_t(at - stages[st].begin());
    for (const KeptBlocks& b : kept.at(st))
      if (b.name + ".local" == name) return {b.name, Block{b.axis, b.bounds[k], b.bounds[k + 1]}};
  }
  return {name, std::nullopt};
}

std::optional<std::vector<uint32_t>> SystemCompiled::output(
    const std::string& name, const std::vector<std::vector<std::vector<uint32_t>>>& got) const {
  for (size_t st = 0; st < stages.size(); ++st)
    for (const KeptBlocks& b : kept.at(st)) {
      if (b.name != name) continue;
      std::vector<uint32_t> out;  // every axis before the blocks' is 1: the blocks follow one another
      for (const uint32_t c : stages[st]) {
        const auto t = chips[c].graph.find(name + ".local");
        if (!t) throw Error(fmt::format("internal error: chip {} has no block of output {}", c, name));
        out.insert(out.end(), got.at(c).at(*t).begin(), got.at(c).at(*t).end());
      }
      return out;
    }
  for (uint32_t c = 0; c < chips.size(); ++c)
    if (const auto t = chips[c].graph.find(name); t && chips[c].graph.tensor(*t).output) return got.at(c).at(*t);
  return std::nullopt;
}

SystemComparison compare_system(const SystemCompiled& s, const isa::Config& cfg,
                                const std::vector<std::vector<std::vector<uint32_t>>>& got) {
  SystemComparison out;
  const auto want = system_reference(s, cfg);
  // Generated weights take each chip's own values (the generator's, where the
  // chip placed them): the graph before partitioning has other weights.
  out.generated = s.generated_tensors();
  const auto whole = out.generated ? std::vector<std::vector<uint32_t>>{} : run_reference(s.graph, cfg.mxm_dim);
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
      if (out.generated) continue;
      const auto [name, block] = s.source_of(c, t.name);
      const auto u = s.graph.find(name);
      if (!u) throw Error("internal error: output '" + name + "' is not in the graph before partitioning");
      const auto& before = block ? slice_axis(whole[*u], s.graph.tensor(*u).shape, block->axis, block->lo, block->hi)
                                 : whole[*u];
      for (size_t e = 0; e < w.size() && e < before.size(); ++e) {
        out.max_abs_value = std::max(out.max_abs_value, std::abs(ieee_value(t.dtype, before[e])));
        if (w[e] != before[e]) {
          ++out.differ;
          out.max_abs_error =
              std::max(out.max_abs_error, std::abs(ieee_value(t.dtype, w[e]) - ieee_value(t.dtype, before[e])));
        }
      }
    }
  }
  return out;
}

SystemCompiled compile_system(const Graph& g, const isa::Config& cfg, const topo::Topology& t,
                              const CompileOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const DirectLinks all = direct_links(t, cfg);
  const auto N = static_cast<uint32_t>(t.chips.size());
  std::vector<std::vector<uint32_t>> node_chips(topo::node_count(t));
  for (uint32_t c = 0; c < N; ++c) node_chips[t.chips[c].node].push_back(c);
  std::vector<uint32_t> sizes;
  for (size_t n = 0; n < node_chips.size(); ++n) {
    if (node_chips[n].empty())
      throw Error(fmt::format("{}: error: topology '{}': node {} has no chips", t.where, t.name, n));
    sizes.push_back(uint32_t(node_chips[n].size()));
  }
  // Stage s runs on node order[s]: consecutive stages' nodes are linked.
  const std::vector<uint32_t> order = stage_nodes(t, all, plan_stages(g, sizes, cfg, options.stages).stages());
  std::vector<uint32_t> stage_sizes;
  for (uint32_t n : order) stage_sizes.push_back(sizes[n]);
  StagePlan plan = plan_stages(g, stage_sizes, cfg, options.stages);
  const uint32_t S = plan.stages();
  SystemCompiled out;
  for (uint32_t n : order) out.stages.push_back(node_chips[n]);
  std::vector<std::vector<std::vector<DirectLink>>> links;  // per stage, among its chips
  std::vector<uint32_t> stage_of_chip(N, UINT32_MAX);
  plan.link_cycles = plan.handoff_cycles = UINT32_MAX;
  for (uint32_t s = 0; s < S; ++s) {
    links.push_back(links_among(t, all, out.stages[s]));
    for (uint32_t c : out.stages[s]) stage_of_chip[c] = s;
    for (const auto& row : links.back())
      for (const DirectLink& l : row)
        if (l.hop) plan.link_cycles = std::min(plan.link_cycles, l.hop);
  }
  for (uint32_t a = 0; a < N; ++a)
    for (uint32_t b = 0; b < N; ++b)
      if (all[a][b] && stage_of_chip[a] != stage_of_chip[b])
        plan.handoff_cycles = std::min(plan.handoff_cycles, all[a][b]->hop);
  if (plan.link_cycles == UINT32_MAX) plan.link_cycles = 0;
  if (plan.handoff_cycles == UINT32_MAX) plan.handoff_cycles = plan.link_cycles;
  CompileOptions chip_options = options;
  chip_options.embed_reference = false;  // a chip's graph has no reference of its own: the system's is below
  // Every stage's chip graphs up front (cheap: their constants are rules, lazy_data.hpp). A stage's chips
  // are compiled (expanded, lowered, placed) only when its first collective comes, and finished and freed
  // once the next stage has taken its handoffs: a few stages at a time, so hundreds of chips fit in memory.
  std::vector<std::vector<Graph>> graphs(S);
  for (uint32_t s = 0; s < S; ++s) {
    std::vector<std::string> decisions;
    std::vector<KeptBlocks> kept;
    graphs[s] = partition_stage(g, plan, s, cfg, &decisions, &kept, options.cut_hook);
    for (const std::string& d : decisions) out.decisions.push_back(S > 1 ? fmt::format("stage {}: {}", s, d) : d);
    out.kept.push_back(std::move(kept));
  }
  // A stage not yet compiled: its first collective's order, from its graph (its kernels keep node order).
  const auto first_order = [&](uint32_t s) -> std::optional<uint64_t> {
    for (const Node& n : graphs[s].at(0).nodes())
      if (op_info(n.op).kind == OpKind::Collective) return n.attrs.order;
    return std::nullopt;
  };
  std::vector<std::unique_ptr<ChipCompile>> cc(N);
  enum class Phase : uint8_t { Waiting, Compiling, Finished };
  std::vector<Phase> phase(S, Phase::Waiting);
  out.chips.resize(N);
  std::vector<size_t> next(N, 0);
  const auto schedule_to_collective = [&](uint32_t c) {
    while (next[c] < cc[c]->kernels() && !cc[c]->kernel(next[c]).collective) cc[c]->schedule(next[c]++);
  };
  const auto start_stage = [&](uint32_t s) {
    // Each chip's expansion, lowering and placement depend on its graph alone: side by side.
    each_in_parallel(graphs[s].size(), [&](size_t k) {
      cc[out.stages[s][k]] = std::make_unique<ChipCompile>(graphs[s][k], cfg, chip_options);
    });
    phase[s] = Phase::Compiling;
    out.most_stages_at_once = std::max(
        out.most_stages_at_once, static_cast<uint32_t>(std::count(phase.begin(), phase.end(), Phase::Compiling)));
    for (uint32_t c : out.stages[s]) schedule_to_collective(c);
  };
  const auto at_end = [&](uint32_t s) {
    return std::all_of(out.stages[s].begin(), out.stages[s].end(),
                       [&](uint32_t c) { return next[c] == cc[c]->kernels(); });
  };
  const auto finish_stage = [&](uint32_t s) {  // code generation, each chip alone
    each_in_parallel(out.stages[s].size(), [&](size_t k) {
      const uint32_t c = out.stages[s][k];
      out.chips[c] = cc[c]->finish();
      cc[c].reset();
    });
    phase[s] = Phase::Finished;
  };
  // Each chip's kernels up to its next collective; then the collective that
  // comes first (Attrs::order) on its chips at once. A stage's chips reach the
  // same collectives in the same order; what lies between them may differ
  // where shapes do (a block ending in part of a vector has its padding lanes zeroed).
  if (S) start_stage(0);
  for (;;) {
    const std::vector<uint32_t> at = first_collective(N, [&](uint32_t c) -> std::optional<uint64_t> {
      const uint32_t s = stage_of_chip[c];
      if (s == UINT32_MAX || phase[s] == Phase::Finished) return std::nullopt;
      if (phase[s] == Phase::Waiting) return first_order(s);
      if (next[c] == cc[c]->kernels()) return std::nullopt;
      return cc[c]->kernel(next[c]).node->attrs.order;
    });
    if (at.empty()) break;
    const uint32_t s = stage_of_chip[at[0]];
    if (phase[s] == Phase::Waiting) {
      const std::optional<uint64_t> want = first_order(s);
      start_stage(s);
      for (uint32_t c : at)
        if (next[c] == cc[c]->kernels() || cc[c]->kernel(next[c]).node->attrs.order != want)
          throw Error(fmt::format("internal error: stage {}'s first collective is not its graph's first", s));
    }
    if (at != out.stages[s])
      throw Error(fmt::format("internal error: stage {}'s chips reach different collectives", s));
    std::vector<ChipCompile*> chips;
    std::vector<size_t> ki;
    for (uint32_t c : at) chips.push_back(cc[c].get()), ki.push_back(next[c]);
    const Node& n = *cc[at[0]]->kernel(next[at[0]]).node;
    if (n.op == GraphOp::Handoff) {
      // Over the first link from the sending stage's node to this one, to its gateway chip.
      const auto& from = out.stages.at(n.attrs.step);
      std::optional<std::pair<uint32_t, uint32_t>> via;  // (sender, index of the gateway in `at`)
      for (uint32_t a : from)
        for (uint32_t k = 0; k < at.size() && !via; ++k)
          if (all[a][at[k]]) via = {a, k};
      if (!via)
        throw Error(
            fmt::format("{}: error: topology '{}': nodes {} and {} have no direct link; pipeline stages hand "
                        "off over direct links only (not yet: routed transfers)",
                        t.where, t.name, t.chips[from[0]].node, t.chips[at[0]].node));
      const std::string& name = cc[at[0]]->graph().tensor(n.output).name;
      const auto x = cc[via->first]->graph().find(name);
      if (!x) throw Error("internal error: no tensor " + name + " on the sending chip");
      schedule_handoff(*cc[via->first], *x, *all[via->first][at[via->second]], chips, ki, via->second, links[s], cfg);
    } else {
      schedule_collective(chips, ki, links[s], cfg);
    }
    for (uint32_t c : at) ++next[c], schedule_to_collective(c);
    // A stage sends its handoffs to the next one only: done when both are at their ends.
    for (uint32_t st = 0; st < S; ++st)
      if (phase[st] == Phase::Compiling && at_end(st) &&
          (st + 1 == S ||
           (phase[st + 1] != Phase::Waiting && (phase[st + 1] == Phase::Finished || at_end(st + 1)))))
        finish_stage(st);
  }
  for (uint32_t st = 0; st < S; ++st)
    if (phase[st] == Phase::Compiling) finish_stage(st);
  std::optional<uint32_t> any;
  for (uint32_t c = 0; c < N; ++c)
    if (stage_of_chip[c] != UINT32_MAX) any = any.value_or(c);
  for (uint32_t c = 0; c < N; ++c)
    if (stage_of_chip[c] == UINT32_MAX) {  // a chip of a node no stage needs: no program
      out.chips[c].image.config = out.chips[*any].image.config;
      out.chips[c].image.files = out.chips[*any].image.files;
      out.chips[c].image.chips.resize(1);
    }
  out.image = merge(out.chips);
  out.predicted_cycles = out.image.predicted_cycles;
  out.graph = expand(g, cfg);
  if (options.embed_reference) {
    const auto ref = system_reference(out, cfg);
    for (uint32_t c = 0; c < N; ++c) {
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
