// The registry of random program generators (tb/gen/random_<unit>.cpp).
#include "tb/gen/random_program.hpp"

namespace tsp::gen {

// One declaration and one table line per unit.
image::Image random_mem(const RandomOptions& o);

const std::vector<GeneratorEntry>& generators() {
  static const std::vector<GeneratorEntry> all = {
      {"mem", &random_mem},
  };
  return all;
}

Generator find_generator(std::string_view unit) {
  for (const auto& g : generators())
    if (g.unit == unit) return g.generate;
  return nullptr;
}

}  // namespace tsp::gen
