#include "firmware/compiler/onnx_check.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "firmware/compiler/reference.hpp"

namespace tsp::compiler {

ToleranceReport check_tolerance(const Tensor& t, const std::vector<uint32_t>& got, const OnnxTensor& expected,
                                double rtol, double atol) {
  ToleranceReport r;
  const std::vector<uint32_t> eshape = expected.shape.empty() ? std::vector<uint32_t>{1} : expected.shape;
  const auto edt = dtype_of_onnx(expected.onnx_type);
  if (eshape != t.shape || got.size() != expected.bits.size()) {
    r.why = fmt::format("shape [{}] but the expected tensor is [{}]", fmt::join(t.shape, ","), fmt::join(eshape, ","));
    return r;
  }
  if (!edt || *edt != t.dtype) {
    r.why = fmt::format("type {} but the expected tensor is {}", isa::dtype_desc(t.dtype).name,
                        onnx_type_name(expected.onnx_type));
    return r;
  }
  const bool fl = isa::dtype_desc(t.dtype).is_float;
  r.elements = got.size();
  for (uint64_t i = 0; i < got.size(); ++i) {
    const double g = ieee_value(t.dtype, got[i]), e = ieee_value(t.dtype, expected.bits[i]);
    bool ok;
    if (!fl) {
      ok = g == e;
    } else if (std::isnan(e) || std::isnan(g)) {
      ok = std::isnan(e) && std::isnan(g);
    } else if (std::isinf(e) || std::isinf(g)) {
      ok = g == e;
    } else {
      ok = std::fabs(g - e) <= atol + rtol * std::fabs(e);
    }
    if (std::isfinite(g) && std::isfinite(e)) {
      const double d = std::fabs(g - e);
      if (d > r.max_abs) r.max_abs = d, r.max_abs_index = i;
      if (e != 0 && d / std::fabs(e) > r.max_rel) r.max_rel = d / std::fabs(e), r.max_rel_index = i;
    }
    if (!ok && r.bad++ == 0)
      r.why = fl ? fmt::format("element {}: got {:.9g}, expected {:.9g} (tolerance {:.3g})", i, g, e,
                               atol + rtol * std::fabs(e))
                 : fmt::format("element {}: got {}, expected {}", i, g, e);
  }
  r.pass = r.bad == 0;
  if (r.bad > 1) r.why += fmt::format("; {} of {} elements out of tolerance", r.bad, r.elements);
  return r;
}

}  // namespace tsp::compiler
