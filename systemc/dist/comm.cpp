#include "systemc/dist/comm.hpp"

#include <fmt/format.h>
#include <mpi.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace tsp::dist {
namespace {

using Clock = std::chrono::steady_clock;

// Variables the launchers set in every rank's environment: OpenMPI's mpirun,
// PMIx (srun --mpi=pmix, OpenMPI 4 and 5), PMI-1/2 (srun --mpi=pmi2, MPICH).
constexpr const char* kLauncherVars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};

// Point-to-point words on their own tag: collectives never match them.
constexpr int kHeartbeatTag = 0x7b5a;
const uint8_t kHeartbeat = 1;  // sent by reference and never changed: its sends need no wait

}  // namespace

bool launched_by_mpi() {
  for (const char* v : kLauncherVars)
    if (std::getenv(v)) return true;
  return false;
}

Comm& Comm::world() {
  static Comm comm = [] {
    Comm c;
    if (!launched_by_mpi()) return c;
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) MPI_Init(nullptr, nullptr);
    // Errors come back as codes (and end in abort() with a message), not
    // MPI's own handler that kills the job without saying which step.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &c.size_);
    c.mpi_ = true;
    return c;
  }();
  return comm;
}

void Comm::abort(const std::string& why, int code) {
  std::fflush(stdout);
  fmt::print(stderr, "{}\n", why);
  std::fflush(stderr);
  if (mpi_) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

void Comm::heartbeat() {
  if (!mpi_) return;
  const auto now = Clock::now();
  if (now < next_beat_) return;
  next_beat_ = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_ / 4));
  for (int r = 0; r < size_; ++r) {
    if (r == rank_) continue;
    MPI_Request req;
    if (MPI_Isend(&kHeartbeat, 1, MPI_BYTE, r, kHeartbeatTag, MPI_COMM_WORLD, &req) == MPI_SUCCESS)
      MPI_Request_free(&req);
  }
  take_heartbeats();  // the others' words do not pile up while this rank runs
}

bool Comm::take_heartbeats() {
  bool any = false;
  for (;;) {
    int flag = 0;
    MPI_Status st;
    if (MPI_Iprobe(MPI_ANY_SOURCE, kHeartbeatTag, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS || !flag) return any;
    uint8_t word = 0;
    MPI_Recv(&word, 1, MPI_BYTE, st.MPI_SOURCE, kHeartbeatTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    any = true;
  }
}

void Comm::finalize() {
  if (!mpi_) return;
  take_heartbeats();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
  mpi_ = false;
}

void Comm::wait(void* request, const std::string& what) {
  // Poll, then sleep a little between polls: ranks may share cores
  // (--oversubscribe), and a spinning rank would starve the one it waits for.
  auto* req = static_cast<MPI_Request*>(request);
  const auto t0 = Clock::now();
  const auto timeout = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_));
  auto deadline = t0 + timeout;
  for (int polls = 0;; ++polls) {
    int done = 0;
    if (MPI_Test(req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
      abort(fmt::format("tsp run: rank {} of {}: error: MPI failed in {} (another rank died?)", rank_, size_, what), 4);
    if (done) break;
    // A rank that is still simulating is late, not dead: its heartbeat moves the deadline.
    if (polls % 64 == 0 && take_heartbeats()) deadline = Clock::now() + timeout;
    if (Clock::now() > deadline)
      abort(fmt::format("tsp run: rank {} of {}: error: no answer from the other ranks for {} s in {}, and no "
                        "heartbeat from a rank still simulating: a rank died or hangs; ending the job "
                        "(--mpi-timeout sets the wait)",
                        rank_, size_, timeout_, what),
            4);
    if (polls > 200) std::this_thread::sleep_for(std::chrono::microseconds(polls > 2000 ? 500 : 20));
  }
  comm_seconds_ += std::chrono::duration<double>(Clock::now() - t0).count();
  ++collectives_;
}

Comm::Exchanged Comm::exchange(const std::vector<std::vector<uint8_t>>& out, const std::vector<int64_t>& state,
                               const std::string& what) {
  Exchanged x;
  x.in.resize(size_);
  x.state.assign(size_, {});
  if (!mpi_) {
    x.in[0] = out.at(0);
    x.state[0] = state;
    return x;
  }
  // One all-to-all of (bytes for you, my state words), then the bytes.
  const size_t words = 1 + state.size();
  std::vector<int64_t> head(words * size_), got(words * size_);
  for (int r = 0; r < size_; ++r) {
    head[r * words] = static_cast<int64_t>(out.at(r).size());
    std::copy(state.begin(), state.end(), head.begin() + r * words + 1);
  }
  MPI_Request req;
  MPI_Ialltoall(head.data(), int(words), MPI_INT64_T, got.data(), int(words), MPI_INT64_T, MPI_COMM_WORLD, &req);
  wait(&req, what);
  std::vector<int> scount(size_), sdispl(size_), rcount(size_), rdispl(size_);
  std::vector<uint8_t> sbuf, rbuf;
  int s = 0, r = 0;
  for (int p = 0; p < size_; ++p) {
    scount[p] = int(out[p].size());
    sdispl[p] = s;
    s += scount[p];
    rcount[p] = int(got[p * words]);
    rdispl[p] = r;
    r += rcount[p];
    x.state[p].assign(got.begin() + p * words + 1, got.begin() + (p + 1) * words);
  }
  sbuf.reserve(s);
  for (const auto& b : out) sbuf.insert(sbuf.end(), b.begin(), b.end());
  rbuf.resize(r);
  MPI_Ialltoallv(sbuf.data(), scount.data(), sdispl.data(), MPI_BYTE, rbuf.data(), rcount.data(), rdispl.data(),
                 MPI_BYTE, MPI_COMM_WORLD, &req);
  wait(&req, what);
  for (int p = 0; p < size_; ++p) x.in[p].assign(rbuf.begin() + rdispl[p], rbuf.begin() + rdispl[p] + rcount[p]);
  return x;
}

std::vector<int64_t> Comm::max(std::vector<int64_t> v, const std::string& what) {
  if (!mpi_) return v;
  std::vector<int64_t> out(v.size());
  MPI_Request req;
  MPI_Iallreduce(v.data(), out.data(), int(v.size()), MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD, &req);
  wait(&req, what);
  return out;
}

std::vector<int64_t> Comm::sum(std::vector<int64_t> v, const std::string& what) {
  if (!mpi_) return v;
  std::vector<int64_t> out(v.size());
  MPI_Request req;
  MPI_Iallreduce(v.data(), out.data(), int(v.size()), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD, &req);
  wait(&req, what);
  return out;
}

std::vector<std::string> Comm::gather(const std::string& s, const std::string& what) {
  if (!mpi_) return {s};
  int64_t n = static_cast<int64_t>(s.size());
  std::vector<int64_t> sizes(size_);
  MPI_Request req;
  MPI_Igather(&n, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, 0, MPI_COMM_WORLD, &req);
  wait(&req, what);
  std::vector<int> counts(size_), displs(size_);
  int total = 0;
  for (int p = 0; p < size_; ++p) {
    counts[p] = int(sizes[p]);
    displs[p] = total;
    total += counts[p];
  }
  std::string all(rank_ == 0 ? size_t(total) : 0, '\0');
  MPI_Igatherv(s.data(), int(n), MPI_CHAR, all.data(), counts.data(), displs.data(), MPI_CHAR, 0, MPI_COMM_WORLD, &req);
  wait(&req, what);
  std::vector<std::string> out;
  if (rank_ == 0)
    for (int p = 0; p < size_; ++p) out.push_back(all.substr(displs[p], counts[p]));
  return out;
}

int64_t Comm::broadcast(int64_t v, const std::string& what) {
  if (!mpi_) return v;
  MPI_Request req;
  MPI_Ibcast(&v, 1, MPI_INT64_T, 0, MPI_COMM_WORLD, &req);
  wait(&req, what);
  return v;
}

}  // namespace tsp::dist
