#pragma once
// Constrained-random programs, one generator per unit, for cosim regressions.
// Each generator is seeded (same seed, same image, on every machine: use
// std::mt19937_64 and draw integers only, never std::uniform_*_distribution,
// whose output differs between standard libraries), produces only legal
// schedules (no stream, port or bank conflict, no empty read: it schedules
// with firmware/sched/timing.hpp) and sets the image's predicted cycle count
// from the same arithmetic, never by running the model.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/image/image.hpp"

namespace tsp::gen {

struct RandomOptions {
  uint64_t seed = 1;
  std::string config = "mini";
  uint32_t instructions = 64;  // unit instructions to generate (roughly)
};

using Generator = image::Image (*)(const RandomOptions&);

struct GeneratorEntry {
  std::string_view unit;  // as in `tsp cosim --rtl`: "mem", "vxm", "mxm", "sxm", "icu"
  Generator generate;
};

// Every generator, one line per unit in random_program.cpp.
const std::vector<GeneratorEntry>& generators();
// The generator of `unit`, or nullptr.
Generator find_generator(std::string_view unit);

}  // namespace tsp::gen
