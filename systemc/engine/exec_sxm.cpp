// SXM semantics: lane shifts, select, permute, distribute, rotate, transpose.
#include <fmt/format.h>

#include "systemc/engine/chip_engine.hpp"
#include "systemc/engine/engine_hot.hpp"

namespace tsp::model {

void ChipEngine::exec_sxm(const Exec& x) {
  const uint32_t lanes = cfg_.lanes;
  const uint32_t slw = cfg_.lanes_per_superlane;
  const auto stream = [&](const isa::OperandPositions& field) { return stream_of(x.in, field); };
  Vec out;
  switch (x.in.op) {
    case isa::Op::SHIFTUP:
    case isa::Op::SHIFTDN: {
      const Vec* src;
      read_streams(x, stream(operands::kSrc), 1, &src);
      if (timing_only_) break;
      const auto n = static_cast<uint32_t>(x.in.get(operands::kLanes));
      for (uint32_t l = 0; l < lanes; ++l) {
        const bool up = x.in.op == isa::Op::SHIFTUP;
        const bool inside = up ? l >= n : l + n < lanes;
        out.bytes[l] = inside ? src->bytes[up ? l - n : l + n] : 0;
      }
      break;
    }
    case isa::Op::SELECT: {
      const Vec* v[3];
      read_streams(x, stream(operands::kA), 1, &v[0]);
      read_streams(x, stream(operands::kB), 1, &v[1]);
      read_streams(x, stream(operands::kC), 1, &v[2]);
      if (timing_only_) break;
      for (uint32_t l = 0; l < lanes; ++l) out.bytes[l] = v[2]->bytes[l] ? v[0]->bytes[l] : v[1]->bytes[l];
      break;
    }
    case isa::Op::PERMUTE:
    case isa::Op::DISTRIBUTE: {
      const Vec* src;
      const Vec* map[2];
      read_streams(x, stream(operands::kSrc), 1, &src);
      read_streams(x, stream(operands::kMap), 2, map);
      if (timing_only_) break;  // PERMUTE's lane range is data: not checked (docs/timing-only.md)
      for (uint32_t l = 0; l < lanes; ++l) {
        const uint32_t m = uint32_t(map[0]->bytes[l]) | uint32_t(map[1]->bytes[l]) << 8;
        if (x.in.op == isa::Op::DISTRIBUTE) {
          out.bytes[l] = src->bytes[l / slw * slw + m % slw];
          continue;
        }
        if (m >= lanes) fail(x, fmt::format("lane {} selects lane {}, beyond the {} lanes", l, m, lanes));
        out.bytes[l] = src->bytes[m];
      }
      break;
    }
    case isa::Op::ROTATE: {
      const Vec* src;
      read_streams(x, stream(operands::kSrc), 1, &src);
      if (timing_only_) break;
      const auto n = static_cast<uint32_t>(x.in.get(operands::kGroup)) + 1;
      for (uint32_t base = 0; base < lanes; base += n) {
        const uint32_t len = std::min(n, lanes - base);
        for (uint32_t i = 0; i < len; ++i) out.bytes[base + i] = src->bytes[base + (i + 1) % len];
      }
      break;
    }
    case isa::Op::TRANSPOSE: {
      // Streams src..src+n-1 hold an n x n byte block per superlane (n = lanes per
      // superlane); dst stream i lane j gets src stream j lane i, within each superlane.
      const Vec* src[isa::kMaxStreams];
      Vec res[isa::kMaxStreams];
      read_streams(x, stream(operands::kSrc), slw, src);
      if (timing_only_) {
        no_results(x, stream(operands::kDst), slw);
        return;
      }
      for (uint32_t i = 0; i < slw; ++i)
        for (uint32_t l = 0; l < lanes; ++l) res[i].bytes[l] = src[l % slw]->bytes[l / slw * slw + i];
      write_streams(x, stream(operands::kDst), slw, res);
      return;
    }
    default:
      fail(x, "not an SXM instruction");
  }
  if (timing_only_) {
    no_results(x, stream(operands::kDst), 1);
    return;
  }
  write_streams(x, stream(operands::kDst), 1, &out);
}

}  // namespace tsp::model
