#pragma once
// Kernels to chains: builds the chains of each kernel with the offsets that
// the ISA table's latencies and the floorplan distances dictate, derives each
// chain's earliest anchor from when its operands are written, schedules it,
// and records when its results are written (for the kernels after it).
#include <array>
#include <limits>
#include <map>
#include <vector>

#include "firmware/compiler/lower.hpp"
#include "firmware/compiler/place.hpp"
#include "firmware/compiler/schedule.hpp"
#include "firmware/compiler/vecop.hpp"

namespace tsp::compiler {

// What a MatMul leaves behind on an MXM plane for the next one.
struct MxmPlaneState {
  Cycle install = std::numeric_limits<Cycle>::min() / 2;    // when the active weight set was installed
  Cycle abc_end = std::numeric_limits<Cycle>::min() / 2;    // one past the last ABC's issue
  Cycle abc_free = std::numeric_limits<Cycle>::min() / 2;   // when the array takes the next ABC
  Cycle acc_start = std::numeric_limits<Cycle>::min() / 2;  // the last ACC run (slot m at + m)
};

// When the vectors of one byte plane are written into the SRAM array.
struct PlaneWrites {
  Cycle first = 0;      // array-access cycle of vector 0 (uniform) ...
  Cycle last = 0;       // ... and of the last vector written
  bool uniform = true;  // vector k written at first + k
};

struct MatMulPlan;  // kernel_mxm.cpp
struct MxmBlock {   // one weight block of a MatMul: K block kb, N block nb
  uint32_t kb, nb;
};

class KernelScheduler {
 public:
  KernelScheduler(const Graph& g, const std::vector<Placement>& place, const isa::Config& cfg, Scheduler& s)
      : g_(g),
        place_(place),
        cfg_(cfg),
        s_(s),
        writes_(g.tensors().size()),
        vector_writes_(g.tensors().size()),
        planes_(cfg.mxm_planes) {}
  void vxm(const VxmKernel& k, const std::string& what);
  // VXM kernels whose results stream from one into the next (Lowered::stream_to),
  // one chain; only the last result is written. Each has one run, n vectors.
  void vxm_fused(const std::vector<const VxmKernel*>& steps, const std::string& what);
  void matmul(const MatMulKernel& k, const std::string& what, uint32_t plane);
  // The plane whose last ABC ends first (the lowest such after `from`,
  // cyclically), of hemisphere `hemisphere` if given.
  uint32_t free_plane(uint32_t from, std::optional<uint32_t> hemisphere = std::nullopt) const;
  void permute(const PermuteKernel& k, const std::string& what);
  // A Reshape: `out` is `in`'s storage, written when `in` was.
  void alias(TensorId out, TensorId in) { writes_[out] = writes_[in]; }
  void vec(const VecKernel& k, const std::string& what);
  void gather(const GatherKernel& k, const std::string& what);
  // For chains built outside (the system compiler's collectives): the earliest
  // anchor at which an access of plane `i` of `t` at anchor + `access` reads
  // all of it, and a record that a vector of plane `i` of `t` (of `planes`) is written at `at`.
  Cycle ready(TensorId t, unsigned i, Cycle access) const { return ready_anchor(t, i, access, false); }
  // The same for one vector `v`: when it was written, where that is known
  // (a MatMul's ACC runs, a uniform run), else when all of `t` was.
  Cycle vector_ready(TensorId t, unsigned i, uint32_t v, Cycle access) const;
  void written(TensorId t, unsigned i, unsigned planes, Cycle at);

 private:
  // Earliest anchor so that an access of plane `i` of `t` at anchor + `access`
  // (vector k at + k when `in_order`) reads what its producer wrote.
  void permute_run(const PermuteKernel& k, const std::string& what, uint32_t v0, uint32_t n,
                   const std::vector<uint16_t>& sxq, bool first_run, bool split);
  void vxm_run(const VxmKernel& k, const std::string& what, const VectorRun& run, bool first_run, bool split);
  void vxm_steps(const std::vector<const VxmKernel*>& steps, const std::vector<VectorRun>& runs,
                 const std::string& what, bool first_run, bool split);
  Cycle ready_anchor(TensorId t, unsigned i, Cycle access, bool in_order) const;
  // After a run of n vectors anchored at `anchor`: vector k of plane i of `t` is
  // written into the array at anchor + access[i] + k (the first run sets `first`).
  void record_writes(TensorId t, Cycle anchor, const std::vector<Cycle>& access, uint32_t n, bool first_run,
                     bool split);
  // A MatMul's chains (kernel_mxm.cpp): each returns its anchor (mxm_iw: the install cycle).
  MatMulPlan plan_matmul(const MatMulKernel& k, const std::string& what, uint32_t plane);
  Cycle mxm_lw(const MatMulKernel& k, const MatMulPlan& m, MxmBlock b);
  Cycle mxm_iw(const MatMulPlan& m, Cycle lw_start, MxmBlock b);
  Cycle mxm_abc(const MatMulKernel& k, const MatMulPlan& m, MxmBlock b);
  Cycle mxm_acc(MatMulPlan& m, MxmBlock b);
  int8_t sxm_hemisphere(const VecKernel& k) const;
  uint16_t sxm_position(int8_t hemisphere) const;
  // One run of a vector program: rows r0, r0 + 1 ... (n of them), each vector index advancing by its stride.
  void vec_run(const VecKernel& k, const VecRow& r0, uint32_t n, int64_t out_stride,
               const std::array<int64_t, 3>& in_stride, const std::string& what);
  const Graph& g_;
  const std::vector<Placement>& place_;
  const isa::Config& cfg_;
  Scheduler& s_;
  std::vector<std::vector<PlaneWrites>> writes_;  // per tensor; empty: loaded with the image
  // Tensors written by vector programs: per plane, the array-write cycle of
  // each vector, so that the next program's runs follow vector by vector.
  std::vector<std::vector<std::vector<Cycle>>> vector_writes_;
  std::vector<MxmPlaneState> planes_;
  // MatMul results: per plane, the cycle each vector was written by an ACC
  // run (kNoFloor: not by one). Only vector_ready() reads it.
  std::map<TensorId, std::vector<std::vector<Cycle>>> vector_writes_by_acc_;
};

}  // namespace tsp::compiler
