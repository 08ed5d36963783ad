// The registry of random program generators (tb/gen/random_<unit>.cpp).
#include "tb/gen/random_program.hpp"

namespace tsp::gen {

// One declaration and one table line per unit.
image::Image random_mem(const RandomOptions& o);
image::Image random_mxm(const RandomOptions& o);
image::Image random_sxm(const RandomOptions& o);
image::Image random_icu(const RandomOptions& o);
image::Image random_vxm(const RandomOptions& opts);

const std::vector<GeneratorEntry>& generators() {
  static const std::vector<GeneratorEntry> all = {
      {"mem", &random_mem}, {"mxm", &random_mxm}, {"sxm", &random_sxm}, {"icu", &random_icu}, {"vxm", &random_vxm},
  };
  return all;
}

Generator find_generator(std::string_view unit) {
  for (const auto& g : generators())
    if (g.unit == unit) return g.generate;
  return nullptr;
}

}  // namespace tsp::gen
