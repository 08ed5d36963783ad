#include "firmware/compiler/tensor_parallel.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"

namespace tsp::compiler {

std::vector<std::vector<DirectLink>> direct_links(const topo::Topology& t, const isa::Config& cfg) {
  const auto n = static_cast<uint32_t>(t.chips.size());
  if (n < 2) throw Error(fmt::format("{}: error: topology '{}' has one chip: nothing to partition", t.where, t.name));
  std::vector<std::vector<DirectLink>> links(n, std::vector<DirectLink>(n));
  std::vector<std::vector<bool>> linked(n, std::vector<bool>(n, false));
  for (uint32_t c = 0; c < n; ++c)
    if (t.chips[c].clock_ppm != 0)
      throw Error(
          fmt::format("{}: error: chip {} runs {} ppm off: plesiochronous clocks need RDESKEW in the "
                      "schedule, which the system compiler does not insert yet",
                      t.chips[c].where, c, t.chips[c].clock_ppm));
  for (const topo::Link& l : t.links) {
    const uint32_t hop = isa::c2c_hop_cycles(cfg, *l.cable);
    for (const auto& [from, to] : {std::pair{l.a, l.b}, std::pair{l.b, l.a}}) {
      if (linked[from.chip][to.chip]) continue;  // the first link between two chips carries their transfers
      linked[from.chip][to.chip] = true;
      links[from.chip][to.chip] = DirectLink{from.link, to.link, hop};
    }
  }
  for (uint32_t c = 0; c < n; ++c)
    for (uint32_t d = 0; d < n; ++d)
      if (c != d && !linked[c][d])
        throw Error(
            fmt::format("{}: error: topology '{}': chips {} and {} have no direct link; the system compiler "
                        "gathers over direct links only (not yet: routed transfers)",
                        t.where, t.name, c, d));
  return links;
}

Partition partition_columns(const Graph& g, uint32_t chips, const isa::Config& cfg, uint32_t link_cycles) {
  Partition p;
  std::vector<size_t> split;  // node indices in g
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node& n = g.nodes()[i];
    if (n.op != GraphOp::MatMul) continue;
    const Tensor& w = g.tensor(n.inputs[1]);
    const std::string& y = g.tensor(n.output).name;
    if (w.kind != TensorKind::Const || w.shape.size() != 2) {
      p.replicated.push_back(fmt::format("{}: weights '{}' are not a constant matrix", y, w.name));
    } else if (w.shape[1] % (chips * cfg.lanes)) {
      p.replicated.push_back(fmt::format("{}: {} columns are not whole vectors of {} lanes on each of {} chips", y,
                                         w.shape[1], cfg.lanes, chips));
    } else {
      split.push_back(i);
      p.split.push_back(fmt::format("{}: '{}' [{}, {}] by columns, {} on each chip", y, w.name, w.shape[0], w.shape[1],
                                    w.shape[1] / chips));
    }
  }
  for (uint32_t c = 0; c < chips; ++c) {
    Graph gc = g;
    // Last first: a split inserts a node after the one it splits.
    for (auto it = split.rbegin(); it != split.rend(); ++it) gc.split_matmul_columns(*it, chips, c, link_cycles);
    p.chips.push_back(std::move(gc));
  }
  return p;
}

}  // namespace tsp::compiler
