// What every build shares: the launcher's environment and the one-rank paths.
#include "atrank/dist/communicator.hpp"

#include <cstdlib>
#include <string>

namespace atrank::dist {

int launcher_ranks() {
  // Open MPI's mpirun, MPICH / Intel MPI (Hydra) and Slurm's PMI, MVAPICH.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE"})
    if (const char* v = std::getenv(name)) {
      const int n = std::atoi(v);
      if (n > 0) return n;
    }
  return 0;
}

Communicator& Communicator::single() {
  static Communicator one(0, 1);
  return one;
}

std::vector<std::int64_t> Communicator::all_values(std::int64_t mine) {
  std::vector<std::int64_t> all(std::size_t(size_), mine);
  if (size_ > 1) mpi_all_values(mine, all.data());
  return all;
}

void Communicator::share_ranges(void* data, const std::vector<std::int64_t>& offsets) {
  if (size_ > 1) mpi_share_ranges(data, offsets);
}

void Communicator::fold_in_rank_order(float* v, std::size_t n, FoldChunk fold, void* context) {
  if (size_ > 1)
    mpi_fold(v, n, fold, context);
  else
    fold(context, nullptr, 0, n);
}

}  // namespace atrank::dist
