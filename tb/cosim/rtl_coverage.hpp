#pragma once
// RTL code coverage (docs/coverage.md). In a build configured with
// TSP_RTL_COVERAGE=ON (preset `coverage`) every Verilated model counts
// Verilator's line, toggle and user cover points in its VerilatedContext;
// these write a context's counters to
// $TSP_COVERAGE_DIR/<unit>-<pid>-<n>.dat, where scripts/coverage merges them
// per unit. Without the option, or with TSP_COVERAGE_DIR unset, they do
// nothing.
//
// Verilator's counters live inside the models, so they must be written while
// the models live: call save_coverage() before destroying them, or declare a
// CoverageSaver member after the models (members die in reverse order).
#include <verilated.h>

#include <string>
#include <string_view>

namespace tsp::cosim {

// True in a TSP_RTL_COVERAGE build with TSP_COVERAGE_DIR set.
bool coverage_enabled();
// Writes `ctx`'s counters as one data file named after `unit` (nothing when
// coverage is not enabled). `model` is a model's modelName(): a planted
// variant (TSP_PLANT_BUG_*, "..._planted") is not the design and is not
// counted. Throws tsp::Error when the file cannot be written.
void save_coverage(VerilatedContext& ctx, std::string_view unit, std::string_view model);

class CoverageSaver {
 public:
  CoverageSaver(VerilatedContext* ctx, std::string unit, std::string model)
      : ctx_(ctx), unit_(std::move(unit)), model_(std::move(model)) {}
  CoverageSaver(const CoverageSaver&) = delete;
  CoverageSaver& operator=(const CoverageSaver&) = delete;
  ~CoverageSaver();

 private:
  VerilatedContext* ctx_;
  std::string unit_, model_;
};

}  // namespace tsp::cosim
