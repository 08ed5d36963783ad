#pragma once
// --sram-reuse for the commands that compile (compile, onnx-test): whether
// tensors may take the SRAM of dead ones (firmware/compiler/place.hpp).
#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "firmware/compiler/place.hpp"

namespace tsp::cli {

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
