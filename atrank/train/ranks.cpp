#include "atrank/train/ranks.hpp"

#include <sched.h>

#include <fmt/format.h>

namespace atrank::train {

data::Dataset load_on_every_rank(const spec::Spec& spec, dist::Communicator& comm) {
  if (comm.root()) {
    data::Dataset d = data::Dataset::load(spec);
    comm.barrier();
    return d;
  }
  comm.barrier();
  return data::Dataset::load(spec);
}

void warn_if_bound_below(int threads, const dist::Communicator& comm) {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (comm.size() == 1 || sched_getaffinity(0, sizeof cpus, &cpus) != 0) return;
  const int cores = CPU_COUNT(&cpus);
  if (cores < threads)
    std::fputs(fmt::format("atrank: warning: rank {} runs {} threads on {} core{} (mpirun binds each rank to "
                           "one core by default: pass --bind-to none, or --map-by slot:PE={})\n",
                           comm.rank(), threads, cores, cores == 1 ? "" : "s", threads)
                   .c_str(),
               stderr);
}

}  // namespace atrank::train
