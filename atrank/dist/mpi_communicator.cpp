// The MPI world (compiled only when meson finds MPI): MPI_COMM_WORLD, with
// MPI initialised only when a launcher started this process, so that a
// plain `atrank run` neither needs nor touches MPI.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#include "atrank/dist/communicator.hpp"

namespace atrank::dist {

bool mpi_built_in() { return true; }

namespace {

// MPI_Init on construction, MPI_Finalize at exit (static destruction).
struct MpiSession {
  int rank = 0, size = 1;
  MpiSession() {
    int provided = 0;
    // Only the main thread calls MPI; the worker threads never do.
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      throw std::runtime_error("MPI_Init_thread failed");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
  ~MpiSession() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }
};

// Counts go to MPI as int: larger messages are sent in pieces of this many units.
constexpr std::size_t kMaxCount = std::size_t(1) << 30;
// Entries per fold chunk: about one chunk per rank, so that filling the chain
// (size - 2 chunk transfers before the last rank starts) costs about one
// more pass of the vector; at least 16 KB, so that each message still moves
// at bandwidth rather than at latency.
constexpr std::size_t kMinFoldChunk = std::size_t(1) << 12;
std::size_t fold_chunk(std::size_t n, int ranks) { return std::max(kMinFoldChunk, (n + std::size_t(ranks) - 1) / std::size_t(ranks)); }
constexpr int kFoldTag = 14;

int count_of(std::int64_t bytes, const char* what) {
  if (bytes < 0 || bytes > INT_MAX)
    throw std::runtime_error(std::string("MPI exchange of ") + what + ": " + std::to_string(bytes) +
                             " bytes from one rank exceeds what one message can carry (2 GiB)");
  return int(bytes);
}

}  // namespace

Communicator& Communicator::world() {
  if (launcher_ranks() == 0) return single();
  static MpiSession session;
  static Communicator world(session.rank, session.size);
  return world;
}

void Communicator::abort(int code) {
  std::fflush(nullptr);
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

void Communicator::mpi_barrier() {
  // Polls with pauses: a rank that waits minutes for rank 0 to prepare the
  // data must not spin on a core rank 0 could use.
  MPI_Request request;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  for (int done = 0; MPI_Test(&request, &done, MPI_STATUS_IGNORE), !done;)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void Communicator::mpi_broadcast(void* data, std::size_t bytes, int from) {
  auto* p = static_cast<char*>(data);
  for (std::size_t done = 0; done < bytes; done += kMaxCount)
    MPI_Bcast(p + done, int(std::min(kMaxCount, bytes - done)), MPI_BYTE, from, MPI_COMM_WORLD);
  if (rank_ != from) bytes_received_ += std::int64_t(bytes);
}

int Communicator::mpi_largest(int mine) {
  int all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  bytes_received_ += std::int64_t(sizeof(int)) * (size_ - 1);
  return all;
}

void Communicator::mpi_all_values(std::int64_t mine, std::int64_t* all) {
  MPI_Allgather(&mine, 1, MPI_INT64_T, all, 1, MPI_INT64_T, MPI_COMM_WORLD);
  bytes_received_ += std::int64_t(sizeof mine) * (size_ - 1);
}

void Communicator::mpi_share_ranges(void* data, const std::vector<std::int64_t>& offsets) {
  if (offsets.size() != std::size_t(size_) + 1) throw std::logic_error("share_ranges: one offset per rank, plus the end");
  std::vector<int> counts(static_cast<std::size_t>(size_)), displs(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) {
    counts[std::size_t(r)] = count_of(offsets[std::size_t(r) + 1] - offsets[std::size_t(r)], "ranges");
    displs[std::size_t(r)] = count_of(offsets[std::size_t(r)], "ranges");
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data, counts.data(), displs.data(), MPI_BYTE,
                 MPI_COMM_WORLD);
  bytes_received_ += offsets.back() - offsets.front() - counts[std::size_t(rank_)];
}

void Communicator::mpi_fold(float* v, std::size_t n, FoldChunk fold, void* context) {
  const bool first = rank_ == 0, last = rank_ == size_ - 1;
  const std::size_t chunk = fold_chunk(n, size_);
  const std::size_t chunks = (n + chunk - 1) / chunk;
  std::vector<MPI_Request> receives, sends;
  if (!first) {
    prefix_.resize(n);
    for (std::size_t c = 0; c < chunks; ++c) {
      const std::size_t b = c * chunk, e = std::min(n, b + chunk);
      receives.emplace_back();
      MPI_Irecv(prefix_.data() + b, int(e - b), MPI_FLOAT, rank_ - 1, kFoldTag, MPI_COMM_WORLD, &receives.back());
    }
    bytes_received_ += std::int64_t(n * sizeof(float));
  }
  for (std::size_t c = 0; c < chunks; ++c) {
    const std::size_t b = c * chunk, e = std::min(n, b + chunk);
    if (!first) MPI_Wait(&receives[c], MPI_STATUS_IGNORE);
    fold(context, first ? nullptr : prefix_.data(), b, e);
    if (!last) {
      sends.emplace_back();
      MPI_Isend(v + b, int(e - b), MPI_FLOAT, rank_ + 1, kFoldTag, MPI_COMM_WORLD, &sends.back());
    }
  }
  if (!sends.empty()) MPI_Waitall(int(sends.size()), sends.data(), MPI_STATUSES_IGNORE);
  mpi_broadcast(v, n * sizeof(float), size_ - 1);
}

}  // namespace atrank::dist
