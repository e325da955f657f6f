// A build without MPI: every process is a world of one rank, and a start by
// mpirun (several ranks) is refused rather than running N unrelated copies
// that would all write the same run directory.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "atrank/dist/communicator.hpp"

namespace atrank::dist {

bool mpi_built_in() { return false; }

Communicator& Communicator::world() {
  if (const int n = launcher_ranks(); n > 1)
    throw std::runtime_error("started as one of " + std::to_string(n) +
                             " MPI ranks, but this atrank was built without MPI: install an MPI "
                             "(Debian: libopenmpi-dev openmpi-bin) and build again (meson finds it), "
                             "or run atrank on its own with --threads");
  return single();
}

void Communicator::abort(int code) {
  std::fflush(nullptr);
  std::exit(code);
}

namespace {
[[noreturn]] void unreachable() { throw std::logic_error("MPI collective called in a build without MPI"); }
}  // namespace

void Communicator::mpi_barrier() { unreachable(); }
void Communicator::mpi_broadcast(void*, std::size_t, int) { unreachable(); }
int Communicator::mpi_largest(int) { unreachable(); }
void Communicator::mpi_all_values(std::int64_t, std::int64_t*) { unreachable(); }
void Communicator::mpi_share_ranges(void*, const std::vector<std::int64_t>&) { unreachable(); }
void Communicator::mpi_fold(float*, std::size_t, FoldChunk, void*) { unreachable(); }

}  // namespace atrank::dist
