// `tsp as` and `tsp dis`: assembly text <-> program image.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "common/error.hpp"
#include "firmware/asm/assembler.hpp"
#include "firmware/asm/disassembler.hpp"
#include "firmware/image/image.hpp"
#include "tb/commands.hpp"

namespace tsp::cli {

void add_as(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("as",
                                 "Assemble TSP assembly (docs/assembly.md) into a program image "
                                 "(docs/image-format.md).\nExample:  tsp as prog.tsp -o prog.img");
  auto input = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("input", *input, "Assembly source file (.tsp)")->required();
  cmd->add_option("-o,--output", *output, "Program image to write")->required();
  cmd->callback([=, &exit_code] {
    image::save_file(assembler::assemble_file(*input), *output);
    exit_code = 0;
  });
}

void add_dis(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("dis",
                                 "Disassemble a program image into canonical assembly; `tsp as` on the output gives "
                                 "back the same image byte for byte.\nExample:  tsp dis prog.img -o prog.dis.tsp");
  auto input = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("input", *input, "Program image file")->required();
  cmd->add_option("-o,--output", *output, "Assembly file to write (default: standard output)");
  cmd->callback([=, &exit_code] {
    const std::string text = disassembler::disassemble(image::load_file(*input));
    if (output->empty()) {
      fmt::print("{}", text);
    } else {
      std::ofstream out(*output, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out) throw Error(fmt::format("{}: error: cannot write: {}", *output, std::strerror(errno)));
    }
    exit_code = 0;
  });
}

}  // namespace tsp::cli
