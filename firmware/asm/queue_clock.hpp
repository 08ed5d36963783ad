#pragma once
// Queue-relative issue time, as far as it is known statically: each
// instruction occupies its queue for isa::duration cycles; after a SYNC or a
// DESKEW the queue waits for something outside it, so time becomes unknown.
#include <cstdint>
#include <optional>

#include "firmware/isa/isa.hpp"

namespace tsp::assembler {

class QueueClock {
 public:
  // Cycle at which the next instruction issues, if statically known.
  std::optional<uint64_t> now() const { return now_; }
  void issue(const isa::Instr& in) {
    if (!now_) return;
    if (in.op == isa::Op::SYNC || in.op == isa::Op::DESKEW)
      now_.reset();
    else
      *now_ += isa::duration(in);
  }

 private:
  std::optional<uint64_t> now_ = 0;
};

}  // namespace tsp::assembler
