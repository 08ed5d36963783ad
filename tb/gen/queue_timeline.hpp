#pragma once
// Places instructions at absolute cycles, queue by queue (a NOP fills each
// gap), and accumulates the program length of docs/timing.md with
// firmware/sched/timing.hpp as it goes, so a generator's image carries its
// predicted cycle count without running the model.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>

#include "firmware/image/program_builder.hpp"
#include "firmware/sched/timing.hpp"

namespace tsp::gen {

class QueueTimeline {
 public:
  explicit QueueTimeline(const std::string& config) : b(config), length_(b.config()) {}

  // Issues `op` on `queue` at `cycle`; the queue must be free then.
  void at(const std::string& queue, uint64_t cycle, isa::Op op, std::initializer_list<int64_t> operands) {
    uint64_t& free = next_[queue];
    if (cycle < free) throw std::logic_error("generator: " + queue + " is busy at cycle " + std::to_string(cycle));
    if (cycle > free) b.op(queue, isa::Op::NOP, {static_cast<int64_t>(cycle - free)});
    b.op(queue, op, operands);
    isa::Instr in{op, {}};
    size_t i = 0;
    for (int64_t v : operands) in.operand[i++] = v;
    free = cycle + isa::duration(in);
    length_.queue_busy_until(free);
    if (isa::op_desc(op).unit != isa::Unit::ICU) {
      last_.insert_or_assign(queue, in);
      length_.unit_instr(in, cycle);
    } else if (op == isa::Op::REPEAT && last_.count(queue)) {  // its repetitions end the program as the op would
      const int64_t count = in.operand[0], interval = in.operand[1];
      for (int64_t k = 0; k < count; ++k) length_.unit_instr(last_.at(queue), cycle + uint64_t(k * interval));
    }
  }
  // The first cycle `queue` is free.
  uint64_t free(const std::string& queue) { return next_[queue]; }

  // The image with its predicted cycle count.
  image::Image finish() {
    image::Image img = b.image();
    img.has_prediction = true;
    img.predicted_cycles = length_.end();
    return img;
  }

  image::ProgramBuilder b;

 private:
  sched::ProgramLength length_;
  std::map<std::string, uint64_t> next_;
  std::map<std::string, isa::Instr> last_;  // per queue: the last unit instruction (what a REPEAT repeats)
};

}  // namespace tsp::gen
