// trace() of the MXM and SXM adapters: Verilator FST of every RTL model of the
// unit, timestamps in chip cycles, in one file (the models share Verilator's
// default context, so one VerilatedFstC takes them all). The binary also links
// the model's own FST writer (tsp_waves) to show the two fstapi copies coexist.
#include <gtest/gtest.h>
#include <verilated_fst_c.h>

#include <filesystem>

#include "systemc/waves/fst_file.hpp"
#include "tb/cosim/rtl_mxm.hpp"
#include "tb/cosim/rtl_sxm.hpp"
#include "tb/gen/random_program.hpp"
#include "tests/rtl/cosim_harness.hpp"

using namespace tsp;

namespace {

std::uintmax_t traced_run(const char* unit, bool planted, const std::string& path) {
  const image::Image img = gen::find_generator(unit)(gen::RandomOptions{3, "mini", 24});
  auto rtl = std::string(unit) == "mxm" ? cosim::make_rtl_mxm(planted) : cosim::make_rtl_sxm(planted);
  model::ChipEngine e(img, 0);
  rtl->start(e);
  VerilatedFstC fst;
  rtl->trace(fst, 0, ~model::Cycle{0});
  fst.open(path.c_str());
  test::ForwardUnitOps fwd(*rtl, e.config(), std::string(unit) == "mxm" ? isa::Unit::MXM : isa::Unit::SXM);
  e.set_observer(&fwd);
  EXPECT_TRUE(e.run_until(~0ull));
  EXPECT_FALSE(fwd.run.first);
  EXPECT_GT(fwd.run.ops, 0u);
  EXPECT_FALSE(rtl->finish());
  fst.close();
  return std::filesystem::file_size(path);
}

TEST(CosimTrace, MxmAndSxmWriteFstFiles) {
  const auto dir = std::filesystem::temp_directory_path();
  EXPECT_GT(traced_run("mxm", false, (dir / "tsp_cosim_trace_mxm.fst").string()), 1000u);
  EXPECT_GT(traced_run("sxm", false, (dir / "tsp_cosim_trace_sxm.fst").string()), 1000u);
  waves::FstFile model_waves((dir / "tsp_cosim_trace_model.fst").string());  // links next to Verilator's
}

}  // namespace
