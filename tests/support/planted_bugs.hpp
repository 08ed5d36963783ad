#pragma once
// Planted scheduler bugs, for tests only: each is a chain hook
// (CompileOptions::chain_hook) that changes the first chain of one kind after
// the kernel built it, so the compiler's model of the schedule and the image
// disagree in a way the checks must catch. `tsp` links none of this.
//   1: the first VXM chain's result WRITEs issue one cycle late (modelled on time)
//   2: the first Permute chain's result WRITEs likewise
//   3: the first VXM READ run that re-reads a row (stride 0) reads stride 1
//   4: the first vector-program chain's WRITE is modelled one cycle late
//   5: every chain ignores its SRAM-reuse write floor: a tensor's writer may
//      overwrite a dead tensor's addresses before its last read (WAR)
//   6: the first fused VXM chain's second ALU issues one cycle late: its
//      operand has already passed the VXM on the stream
#include <functional>
#include <string>

#include "firmware/compiler/bound.hpp"
#include "firmware/compiler/chain.hpp"

namespace tsp::compiler {

inline constexpr int kPlantedBugs = 6;
// Throws std::invalid_argument unless 1 <= n <= kPlantedBugs.
std::function<void(Chain&)> planted_bug(int n);
// A planted system-compiler bug (system.hpp): the first RECV of a collective
// (of a chain whose name starts with `chain`) issues `cycles` off its frame's
// arrival (+1 late, -1 early), modelled on time.
std::function<void(Chain&)> planted_recv(int cycles, std::string chain = "");
// A planted lower bound (CompileOptions::bound_hook): `extra` cycles above the
// real one, on its binding term. compile() must refuse any schedule it exceeds.
std::function<void(Bound&)> planted_bound(uint64_t extra);

}  // namespace tsp::compiler
