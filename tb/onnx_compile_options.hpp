#pragma once
// Options shared by the commands that compile ONNX models (compile, onnx-test):
// --sram-reuse, whether tensors may take the SRAM of dead ones
// (firmware/compiler/place.hpp), and the float32 MatMuls' precision.
#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "firmware/compiler/compose.hpp"
#include "firmware/compiler/place.hpp"

namespace tsp::cli {

// --f16-matmul and --int8-matmul of the commands that import ONNX (compile, onnx-test).
struct MatmulFlags {
  bool f16 = false, int8 = false;
  bool any() const { return f16 || int8; }
  compiler::MatmulPrecision precision() const {
    return int8 ? compiler::MatmulPrecision::Int8
                : f16 ? compiler::MatmulPrecision::F16Products : compiler::MatmulPrecision::F16Parts;
  }
};

inline void add_matmul_options(CLI::App* cmd, MatmulFlags& f) {
  CLI::Option* f16 = cmd->add_flag(
      "--f16-matmul", f.f16,
      "Compute float32 MatMuls (Gemm, Conv, LSTM gates) as f16 x f16 products summed in f32, one MXM pass, as the "
      "published systems do, instead of from f16 parts to about 22 bits (three passes; docs/compiler.md, \"ONNX\")");
  cmd->add_flag("--int8-matmul", f.int8,
                "Compute float32 MatMuls with a constant weight (MatMul, Gemm, Conv, LSTM gates) in int8, W8A8: "
                "weights quantised per output column on the host, activations per row on the chip (an LSTM's h "
                "with its bound, 1), products summed in i32 (docs/compiler.md, \"ONNX\"); other float32 MatMuls "
                "take f16 products")
      ->excludes(f16);
}

inline CLI::Option* add_sram_reuse_option(CLI::App* cmd, compiler::SramReuse& mode) {
  static const std::map<std::string, compiler::SramReuse> kModes{{"auto", compiler::SramReuse::Auto},
                                                                 {"always", compiler::SramReuse::Always},
                                                                 {"never", compiler::SramReuse::Never}};
  return cmd
      ->add_option("--sram-reuse", mode,
                   "auto (default): tensors take the SRAM of dead ones only when the program does not fit otherwise; "
                   "always; never. Reused tensors have no symbol in the image (docs/compiler.md, \"SRAM reuse\")")
      ->transform(CLI::CheckedTransformer(kModes, CLI::ignore_case));
}

}  // namespace tsp::cli
