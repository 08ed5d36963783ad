// Program image -> canonical assembly. Everything the image holds is written
// out explicitly (file table, symbols in order, NOPs, source locations), so
// that assembling the text gives back the same image byte for byte.
#include "firmware/asm/disassembler.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "firmware/asm/instr_syntax.hpp"
#include "firmware/asm/lexer.hpp"
#include "firmware/asm/queue_clock.hpp"

namespace tsp::disassembler {
namespace {

using assembler::quote;

constexpr size_t kHexBytesPerLine = 32;
constexpr size_t kCommentColumn = 40;

void write_segment(std::string& out, const isa::Config& cfg, const image::SramSegment& seg) {
  out += fmt::format(".sram {}, {}\n", isa::mem_slice_name(cfg, seg.slice), seg.address);
  for (size_t i = 0; i < seg.bytes.size(); i += kHexBytesPerLine) {
    out += ".hex";
    for (size_t j = i; j < std::min(seg.bytes.size(), i + kHexBytesPerLine); ++j)
      out += fmt::format(" {:02x}", seg.bytes[j]);
    out += '\n';
  }
}

void write_queue(std::string& out, const image::Image& img, const isa::Config& cfg, const image::QueueProgram& q) {
  out += fmt::format(".queue {}\n", cfg.queue_table[q.queue].name);
  if (q.locs.empty()) out += ".loc off\n";
  assembler::QueueClock clock;
  for (size_t i = 0; i < q.words.size(); ++i) {
    if (!q.locs.empty() && (i == 0 || q.locs[i] != q.locs[i - 1]))
      out += fmt::format(".loc {}, {}\n", quote(img.files[q.locs[i].file]), q.locs[i].line);
    const isa::Instr in = *isa::decode(q.words[i], nullptr);  // validate() guarantees it decodes
    const std::string text = "    " + isa::format(in);
    if (const auto now = clock.now())
      out += fmt::format("{:<{}} ; @cycle {}\n", text, kCommentColumn, *now);
    else
      out += text + '\n';
    clock.issue(in);
  }
}

}  // namespace

std::string disassemble(const image::Image& img) {
  image::validate(img);
  const isa::Config& cfg = *isa::find_config(img.config);
  std::string out = "; TSP program image, disassembled\n";
  out += fmt::format(".config {}\n.chips {}\n", img.config, img.chips.size());
  if (img.has_prediction) out += fmt::format(".predict {}\n", img.predicted_cycles);
  for (const auto& f : img.files) out += fmt::format(".file {}\n", quote(f));

  uint32_t chip = 0;
  for (const auto& s : img.symbols) {
    if (s.chip != chip) out += fmt::format(".chip {}\n", chip = s.chip);
    out += fmt::format(".tensor {}, {}, {}, {}, {}, [{}]\n", s.name, isa::mem_slice_name(cfg, s.slice), s.address,
                       s.vectors, isa::dtype_desc(s.dtype).name, fmt::join(s.shape, ", "));
  }
  for (size_t c = 0; c < img.chips.size(); ++c) {
    const image::ChipProgram& cp = img.chips[c];
    if (cp.queues.empty() && cp.sram.empty() && cp.generated.empty()) continue;
    out += fmt::format("\n.chip {}\n", c);
    for (const auto& seg : cp.sram) write_segment(out, cfg, seg);
    for (const auto& g : cp.generated) {
      out += fmt::format(".generated {}, {}, {}, {}, {}, {}", isa::mem_slice_name(cfg, g.slice), g.address, g.vectors,
                         g.lanes, g.tensor, g.seed);
      if (g.keep != 0xff || g.set != 0 || g.period) out += fmt::format(", 0x{:02x}, 0x{:02x}", g.keep, g.set);
      if (g.period) out += fmt::format(", {}, {}", g.period, g.last_lanes);
      out += "\n";
    }
    for (const auto& q : cp.queues) write_queue(out, img, cfg, q);
  }
  return out;
}

}  // namespace tsp::disassembler
