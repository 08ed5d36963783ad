#include "tb/run_check.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"
#include "firmware/compiler/onnx_check.hpp"
#include "firmware/compiler/onnx_tensor.hpp"
#include "firmware/compiler/reference.hpp"
#include "systemc/sim/tensor_dump.hpp"

namespace tsp::cli {
namespace {

// The compiler's view of a manifest symbol: enough for its layout and the tolerance check.
compiler::Tensor tensor_of(const image::Symbol& s) {
  compiler::Tensor t;
  t.name = s.name;
  t.dtype = s.dtype;
  t.shape = s.shape;
  return t;
}

const image::Symbol& find_symbol(const image::Image& img, const std::string& name, uint32_t chip,
                                 const std::string& what) {
  const auto it = std::find_if(img.symbols.begin(), img.symbols.end(),
                               [&](const image::Symbol& s) { return s.name == name && s.chip == chip; });
  if (it == img.symbols.end())
    throw Error(fmt::format("tsp run: error: {}: no tensor '{}' on chip {}", what, name, chip));
  return *it;
}

}  // namespace

std::vector<TensorCheck> plan_checks(const image::Image& img, bool reference, const std::vector<std::string>& expects) {
  std::vector<TensorCheck> out;
  if (reference) {
    if (img.expected.empty())
      throw Error(
          "tsp run: error: --check: the image carries no expected outputs (compile it with `tsp compile "
          "--embed-reference`)");
    for (const image::Expected& e : img.expected)
      out.push_back({&find_symbol(img, e.symbol, e.chip, "--check"), e.bits, "", {}});
  }
  for (const std::string& x : expects) {
    const size_t eq = x.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == x.size())
      throw Error(fmt::format("tsp run: error: --expect {}: write NAME=FILE.pb", x));
    out.push_back({&find_symbol(img, x.substr(0, eq), 0, "--expect " + x), {}, x.substr(eq + 1), {}});
  }
  return out;
}

std::vector<uint32_t> captured(const TensorCheck& check, model::ChipEngine& engine) {
  return compiler::unpack(tensor_of(*check.symbol), engine.config().lanes, model::read_tensor(engine, *check.symbol));
}

bool report_checks(const std::string& image_name, const std::vector<TensorCheck>& checks, bool quiet) {
  bool ok = true;
  for (const TensorCheck& c : checks) {
    const image::Symbol& s = *c.symbol;
    if (c.file.empty()) {  // bit for bit against the embedded reference
      const auto bad = std::mismatch(c.want.begin(), c.want.end(), c.got.begin(), c.got.end());
      if (bad.first != c.want.end()) {
        const auto k = size_t(bad.first - c.want.begin());
        fmt::print(stderr,
                   "{}: error: --check: chip {} tensor '{}' element {}: the model holds 0x{:x}, the compiler's host "
                   "reference 0x{:x}\n",
                   image_name, s.chip, s.name, k, k < c.got.size() ? c.got[k] : 0u, c.want[k]);
        ok = false;
      } else if (!quiet) {
        fmt::print("check: {} ({} elements) equals the host reference bit for bit\n", s.name, c.want.size());
      }
      continue;
    }
    const compiler::OnnxTensor want = compiler::load_tensor_file(c.file);
    const compiler::ToleranceReport r = compiler::check_tolerance(tensor_of(s), c.got, want);
    if (!r.pass) {
      fmt::print(stderr, "{}: error: --expect: tensor '{}' against {}: {}\n", image_name, s.name, c.file, r.why);
      ok = false;
    } else if (!quiet) {
      fmt::print("expect: {} within ONNX's tolerance of {} (max abs err {:.3g}, max rel err {:.3g})\n", s.name, c.file,
                 r.max_abs, r.max_rel);
    }
  }
  return ok;
}

}  // namespace tsp::cli
