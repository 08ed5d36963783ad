#pragma once
// The ranks of a distributed run (docs/distributed.md): MPI only, no transport
// of our own. `tsp` initialises MPI only when a launcher started it (mpirun,
// srun: their environment says so), so a plain `tsp` is one rank without MPI.
// Every collective here is non-blocking, polled against a deadline: a rank
// that died or hangs makes the others abort the job with a message, never
// wait forever. A rank that is still simulating says so (heartbeat()), so a
// long window on one rank is not taken for a hang by the ranks waiting for it.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tsp::dist {

class Comm {
 public:
  // The world of this process: MPI_COMM_WORLD when launched by an MPI
  // launcher (initialised on first use), else a single rank.
  static Comm& world();
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool distributed() const { return size_ > 1; }
  // Seconds a rank waits for the others in one collective before it aborts the job.
  void set_timeout(double seconds) { timeout_ = seconds; }
  double timeout() const { return timeout_; }
  // Wall seconds this rank spent inside collectives (waiting and exchanging).
  double comm_seconds() const { return comm_seconds_; }
  uint64_t collectives() const { return collectives_; }

  // Each rank sends `out[r]` to rank r and a few words of state to all;
  // returns what every rank sent here (in[r] from rank r) and every rank's
  // state words. `what` names the step for a timeout message.
  struct Exchanged {
    std::vector<std::vector<uint8_t>> in;
    std::vector<std::vector<int64_t>> state;  // state[r]: rank r's words
  };
  Exchanged exchange(const std::vector<std::vector<uint8_t>>& out, const std::vector<int64_t>& state,
                     const std::string& what);
  // All ranks' words, element by element: maximum / sum.
  std::vector<int64_t> max(std::vector<int64_t> v, const std::string& what);
  std::vector<int64_t> sum(std::vector<int64_t> v, const std::string& what);
  // Rank 0 receives every rank's string (in rank order); the others get nothing.
  std::vector<std::string> gather(const std::string& s, const std::string& what);
  // Rank 0's value, on every rank.
  int64_t broadcast(int64_t v, const std::string& what);
  // Called often while this rank loads and simulates: every timeout / 4 of
  // wall time it tells the other ranks it is alive, and each such word moves
  // a waiting rank's deadline a timeout on. Between, it reads the clock.
  void heartbeat();
  // Ends every rank of the job now with `code` after printing `why`.
  [[noreturn]] void abort(const std::string& why, int code);
  void finalize();

 private:
  Comm() = default;
  void wait(void* request, const std::string& what);
  bool take_heartbeats();  // whether any other rank's arrived (all are consumed)
  int rank_ = 0, size_ = 1;
  bool mpi_ = false;
  double timeout_ = 60;
  std::chrono::steady_clock::time_point next_beat_{};
  double comm_seconds_ = 0;
  uint64_t collectives_ = 0;
};

// True when an MPI launcher started this process (its environment says so).
bool launched_by_mpi();

}  // namespace tsp::dist
