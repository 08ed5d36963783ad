#pragma once
// The two programs `tsp bench` measures on tsp1, each with the same math done
// natively on the host, so the figures are a ratio measured in one run.
//   mxm: plane W.0 loads a 320x320 int8 weight set, then N activation vectors
//        stream in and accumulate into one slot (an ABC every cycle).
//   mem: every slice pair copies N vectors (a READ and a WRITE every cycle).
#include <cstdint>
#include <string>
#include <vector>

#include "firmware/image/image.hpp"
#include "systemc/engine/chip_engine.hpp"

namespace tsp::bench {

struct Workload {
  std::string name;
  image::Image img;
  uint64_t work = 0;        // MACs (mxm) or SRAM bytes read + written (mem)
  std::string work_unit;    // "MAC" or "byte"
  std::string native_what;  // what the native side does, printed with the figures
  // Runs the same math natively into `out` (sized by the function; call it once
  // to warm up, then time the second call), for comparison with the model.
  void (*native)(const image::Image& img, uint32_t n, std::vector<uint8_t>& out) = nullptr;
  // Reads the model's result after the run.
  std::vector<uint8_t> (*result)(model::ChipEngine& chip, uint32_t n) = nullptr;
  uint32_t n = 0;
};

Workload mxm_workload(uint32_t n);
Workload mem_workload(uint32_t n);

}  // namespace tsp::bench
