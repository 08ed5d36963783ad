#pragma once
// Helpers shared by the per-unit engine tests on `mini`: a builder that places
// each instruction at an explicit cycle (so a test states the cycles it worked
// out by hand), multi-byte tensors as byte planes on adjacent slices
// (docs/timing.md "Tensor layout"), and error capture.
#include <gtest/gtest.h>

#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "systemc/engine/chip_engine.hpp"
#include "tests/model/program_builder.hpp"

namespace tsp::test {

// Instructions at absolute cycles: `at(q, t, ...)` issues on queue q at cycle t,
// preceded by the NOP that fills the gap since the queue's last slot.
class Timed {
 public:
  explicit Timed(const std::string& config = "mini") : b(config) {}
  Timed& at(const std::string& queue, uint64_t cycle, isa::Op op, std::initializer_list<int64_t> operands,
            uint64_t duration = 1) {
    uint64_t& free = next_[queue];
    if (cycle < free) throw std::logic_error(queue + ": cycle " + std::to_string(cycle) + " is already taken");
    if (cycle > free) {
      b.op(queue, isa::Op::NOP, {static_cast<int64_t>(cycle - free)});
      ++count_[queue];
    }
    b.op(queue, op, operands);
    index_[queue] = count_[queue]++;
    free = cycle + duration;
    return *this;
  }
  // Index in its queue of the last instruction placed by at() (for error messages).
  uint32_t index(const std::string& queue) { return index_[queue]; }
  const image::Image& image() const { return b.image(); }

  ProgramBuilder b;

 private:
  std::map<std::string, uint64_t> next_;
  std::map<std::string, uint32_t> count_, index_;
};

// Writes lane values of a `width`-byte type as byte planes on MEM.<side>.<first+i>
// (slice + i holds byte i; on both hemispheres slice numbers grow with the index).
inline void put_tensor(ProgramBuilder& b, char side, unsigned first, uint32_t address, unsigned width,
                       const std::vector<uint32_t>& lanes) {
  for (unsigned i = 0; i < width; ++i) {
    std::vector<uint8_t> plane(lanes.size());
    for (size_t l = 0; l < lanes.size(); ++l) plane[l] = static_cast<uint8_t>(lanes[l] >> (8 * i));
    b.sram(std::string("MEM.") + side + "." + std::to_string(first + i), address, plane);
  }
}

inline std::vector<uint8_t> sram_bytes(model::ChipEngine& e, uint16_t slice, uint32_t address) {
  model::Vec v;
  e.slice(slice).read(address, v);
  return {v.bytes.begin(), v.bytes.begin() + e.config().lanes};
}

// Reads a `width`-byte tensor back from MEM.<side>.<first+i>.
inline std::vector<uint32_t> get_tensor(model::ChipEngine& e, const ProgramBuilder& b, char side, unsigned first,
                                        uint32_t address, unsigned width) {
  std::vector<uint32_t> out(e.config().lanes, 0);
  for (unsigned i = 0; i < width; ++i) {
    const auto plane = sram_bytes(e, b.slice(std::string("MEM.") + side + "." + std::to_string(first + i)), address);
    for (size_t l = 0; l < out.size(); ++l) out[l] |= uint32_t(plane[l]) << (8 * i);
  }
  return out;
}

// Repeats `pattern` over `n` lanes.
inline std::vector<uint32_t> cycle_lanes(const std::vector<uint32_t>& pattern, size_t n = 32) {
  std::vector<uint32_t> v(n);
  for (size_t l = 0; l < n; ++l) v[l] = pattern[l % pattern.size()];
  return v;
}

// Runs to the end; returns the schedule error's message or "no error".
inline std::string run_error(const image::Image& img) {
  try {
    model::ChipEngine e(img, 0);
    e.run_until(~0ull);
  } catch (const model::ScheduleError& err) {
    return err.what();
  }
  return "no error";
}

// Asserts that `msg` contains every fragment.
inline void expect_contains(const std::string& msg, std::initializer_list<std::string> fragments) {
  for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "missing: " << f << "\nin: " << msg;
}

}  // namespace tsp::test
