#pragma once
// Options shared by the commands that compile ONNX models (compile, onnx-test):
// --sram-reuse, whether tensors may take the SRAM of dead ones
// (firmware/compiler/place.hpp), and --f16-matmul's help.
#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "firmware/compiler/place.hpp"

namespace tsp::cli {

// --f16-matmul of the commands that import ONNX (compile, onnx-test).
inline constexpr const char* kF16MatmulHelp =
    "Compute float32 MatMuls (Gemm, Conv, LSTM gates) as f16 x f16 products summed in f32, one MXM pass, as the "
    "published systems do, instead of from f16 parts to about 22 bits (three passes; docs/compiler.md, \"ONNX\")";

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
