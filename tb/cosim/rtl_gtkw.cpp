#include "tb/cosim/rtl_gtkw.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.hpp"

namespace tsp::cosim {
namespace {
// GTKWave trace flags (its analyzer.h): hex/binary, right-justified, group markers.
constexpr unsigned kHex = 0x22, kBin = 0x28, kGroupBegin = 0x800200, kGroupEnd = 0x1000200;
constexpr int kWidth = 1600, kHeight = 900, kPane = 1000;  // pixels of the wave pane, roughly
}  // namespace

void write_rtl_gtkw(const std::string& gtkw_path, const RtlGtkwView& view,
                    const std::vector<RtlUnit::WaveGroup>& groups) {
  namespace fs = std::filesystem;
  std::ofstream out(gtkw_path);
  out << "[*] GTKWave save file written by `tsp cosim` (tsp-cosim); open: gtkwave " << gtkw_path << "\n";
  out << fmt::format("[dumpfile] \"{}\"\n[savefile] \"{}\"\n", fs::absolute(view.fst_path).string(),
                     fs::absolute(gtkw_path).string());
  out << fmt::format("[timestart] {}\n[size] {} {}\n[pos] -1 -1\n", view.from_ps, kWidth, kHeight);
  // GTKWave's zoom z shows about 2^-z / 200 time units per pixel (see systemc/waves/gtkw.cpp).
  const double span = double(std::max<uint64_t>(1, view.to_ps - view.from_ps));
  out << fmt::format("*{:.6f} {} {} {}", -std::ceil(std::log2(span * 200.0 / kPane)), view.mark_ps, view.from_ps,
                     view.mark_ps);
  for (int i = 2; i < 26; ++i) out << " -1";
  out << "\n[sst_width] 220\n[signals_width] 300\n[sst_expanded] 1\n";
  for (const auto& g : groups) {
    out << fmt::format("@{:x}\n-{}\n", kGroupBegin, g.name);
    for (const auto& s : g.signals)
      out << fmt::format("@{:x}\n{}\n", s.find('[') == std::string::npos ? kBin : kHex, s);
    out << fmt::format("@{:x}\n-{}\n", kGroupEnd, g.name);
  }
  if (!out) throw Error(fmt::format("tsp cosim: error: cannot write {}", gtkw_path));
}

}  // namespace tsp::cosim
