#include "tb/cosim/rtl_coverage.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/error.hpp"

#if TSP_RTL_COVERAGE
#include <verilated_cov.h>
#endif

namespace tsp::cosim {

bool coverage_enabled() {
#if TSP_RTL_COVERAGE
  const char* dir = std::getenv("TSP_COVERAGE_DIR");
  return dir && *dir;
#else
  return false;
#endif
}

void save_coverage([[maybe_unused]] VerilatedContext& ctx, [[maybe_unused]] std::string_view unit,
                   [[maybe_unused]] std::string_view model) {
#if TSP_RTL_COVERAGE
  if (!coverage_enabled() || model.find("_planted") != std::string_view::npos) return;
  static std::atomic<unsigned> serial{0};
  const std::filesystem::path dir = std::getenv("TSP_COVERAGE_DIR");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto file = dir / fmt::format("{}-{}-{}.dat", unit, ::getpid(), serial++);
  ctx.coveragep()->write(file.c_str());
  if (!std::filesystem::exists(file))
    throw Error(fmt::format("RTL coverage: could not write {} (TSP_COVERAGE_DIR)", file.string()));
#endif
}

CoverageSaver::~CoverageSaver() {
  if (!ctx_) return;
  try {
    save_coverage(*ctx_, unit_, model_);
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());  // a destructor must not throw; the report then lacks this run
  }
}

}  // namespace tsp::cosim
