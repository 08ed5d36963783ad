// libFuzzer target: the ONNX importer on arbitrary model bytes. tsp::Error is
// the only acceptable failure. Data inputs get zeros of their declared type
// and shape (when the shape is fixed and small), so mutations reach the
// importer's nodes rather than stopping at "no data for input".
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstdlib>
#include <set>

#include "common/error.hpp"
#include "firmware/compiler/onnx_import.hpp"

namespace {

using tsp::compiler::OnnxTensor;

constexpr uint64_t kMaxInputElements = 1 << 16;

// Zeros for a declared input, or nothing when its type or shape is not fixed.
std::optional<OnnxTensor> zeros(const onnx::ValueInfoProto& vi) {
  if (!vi.type().has_tensor_type()) return std::nullopt;
  const auto& tt = vi.type().tensor_type();
  const auto dt = tsp::compiler::dtype_of_onnx(tt.elem_type());
  if (!dt || !tt.has_shape()) return std::nullopt;
  OnnxTensor t;
  t.name = vi.name();
  t.onnx_type = tt.elem_type();
  t.dtype = *dt;
  uint64_t n = 1;
  for (const auto& d : tt.shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0 || d.dim_value() > int64_t(kMaxInputElements)) return std::nullopt;
    t.shape.push_back(uint32_t(d.dim_value()));
    n *= uint64_t(d.dim_value());
    if (n > kMaxInputElements) return std::nullopt;
  }
  t.bits.assign(n, 0);
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  onnx::ModelProto m;
  if (!m.ParseFromArray(data, int(size)) || !m.has_graph()) return 0;
  const std::vector<std::string> names = tsp::compiler::onnx_data_inputs(m);
  const std::set<std::string> wanted(names.begin(), names.end());
  std::vector<OnnxTensor> inputs;
  for (const auto& vi : m.graph().input()) {
    if (!wanted.count(vi.name())) continue;
    auto t = zeros(vi);
    if (!t) return 0;
    inputs.push_back(std::move(*t));
  }
  try {
    const auto imp = tsp::compiler::import_onnx(m, inputs, "fuzz.onnx");
    for (const auto& o : imp.outputs)
      if (o.tensor >= imp.graph.tensors().size()) std::abort();
  } catch (const tsp::Error&) {
  }
  return 0;
}
