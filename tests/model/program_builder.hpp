#pragma once
// Model tests build programs with the image layer's builder.
#include "firmware/image/program_builder.hpp"

namespace tsp::test {
using image::east;
using image::ProgramBuilder;
using image::west;
}  // namespace tsp::test
