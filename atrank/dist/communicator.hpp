// The ranks of a data-parallel job and the few collectives training needs.
// A process started on its own is a world of one rank, in which every
// collective is a local no-op and nothing of MPI is touched. Started by
// mpirun with MPI built in (meson found it), the world is MPI_COMM_WORLD
// (mpi_communicator.cpp); without MPI built in, a start by mpirun is refused
// (no_mpi_communicator.cpp). Collectives are called from the main thread only,
// by every rank in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace atrank::dist {

// How many ranks a launcher (mpirun, mpiexec, srun) says this process is one
// of, from its environment (OMPI_COMM_WORLD_SIZE, PMI_SIZE, ...); 0 when no
// launcher started it.
int launcher_ranks();

// Whether this build can run over MPI.
bool mpi_built_in();

class Communicator {
 public:
  // The world this process was started in; initialises MPI on first use when
  // a launcher started it (finalised at exit). Throws when a launcher started
  // several ranks and MPI is not built in.
  static Communicator& world();
  // A world of one rank, whatever started the process (tests, benchmarks).
  static Communicator& single();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }

  void barrier() {
    if (size_ > 1) mpi_barrier();
  }

  // Every rank's value of `mine`, in rank order.
  std::vector<std::int64_t> all_values(std::int64_t mine);

  // `data` holds this rank's bytes [offsets[rank], offsets[rank + 1]); afterwards
  // it holds every rank's on every rank. offsets has size() + 1 entries.
  void share_ranges(void* data, const std::vector<std::int64_t>& offsets);

  void broadcast(void* data, std::size_t bytes, int from) {
    if (size_ > 1) mpi_broadcast(data, bytes, from);
  }

  // The largest of every rank's `mine`, on every rank.
  int largest(int mine) { return size_ > 1 ? mpi_largest(mine) : mine; }

  // The left fold of a vector over the ranks, in rank order, ending on every
  // rank: rank r gets the result of ranks 0..r-1 in chunks and
  // fold(context, prefix, begin, end) adds its own part of entries
  // [begin, end) onto prefix[begin, end) into v[begin, end); rank 0 gets no
  // prefix (nullptr). Floating-point sums folded this way are bitwise those
  // of one process adding the same terms in the same order, whatever the
  // number of ranks (an MPI_Allreduce fixes no order). Chunks pipeline the
  // chain; the last rank then broadcasts the result.
  using FoldChunk = void (*)(void* context, const float* prefix, std::size_t begin, std::size_t end);
  void fold_in_rank_order(float* v, std::size_t n, FoldChunk fold, void* context);

  // Ends the whole job (every rank) with `code`: what a rank does on an
  // error, so that no other rank waits for it forever.
  [[noreturn]] void abort(int code);

  // Payload bytes this rank has received from other ranks so far.
  std::int64_t bytes_received() const { return bytes_received_; }

 private:
  Communicator(int rank, int size) : rank_(rank), size_(size) {}

  // The MPI side, called only when size() > 1 (defined in the build's communicator file).
  void mpi_barrier();
  void mpi_broadcast(void* data, std::size_t bytes, int from);
  int mpi_largest(int mine);
  void mpi_all_values(std::int64_t mine, std::int64_t* all);
  void mpi_share_ranges(void* data, const std::vector<std::int64_t>& offsets);
  void mpi_fold(float* v, std::size_t n, FoldChunk fold, void* context);

  int rank_ = 0, size_ = 1;
  std::int64_t bytes_received_ = 0;
  std::vector<float> prefix_;  // the fold's incoming chunks
};

}  // namespace atrank::dist
