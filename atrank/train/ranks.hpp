// What the ranks of a data-parallel run (`mpirun -np N atrank run`) do
// differently from one process: rank 0 prepares the data and alone writes
// the run directory, the others wait for it and read; an error on any rank
// ends every rank instead of leaving the others waiting in a collective.
#pragma once

#include <cstdio>
#include <exception>
#include <utility>

#include "atrank/data/dataset.hpp"
#include "atrank/dist/communicator.hpp"

namespace atrank::train {

// Rank 0 loads the data (preparing its cache when there is none); the others
// wait for it, then load the cache it wrote.
data::Dataset load_on_every_rank(const spec::Spec& spec, dist::Communicator& comm);

// Warns (on stderr) when this rank may run on fewer cores than `threads`:
// mpirun binds each rank to one core by default.
void warn_if_bound_below(int threads, const dist::Communicator& comm);

// body() on this rank; with several ranks an error is printed naming the
// rank, and ends the whole job (exit code 1).
template <class Body>
auto or_end_job(dist::Communicator& comm, Body&& body) -> decltype(body()) {
  if (comm.size() == 1) return body();
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrank: error (rank %d of %d, ending the job): %s\n", comm.rank(), comm.size(), e.what());
  } catch (...) {
    std::fprintf(stderr, "atrank: error (rank %d of %d, ending the job)\n", comm.rank(), comm.size());
  }
  comm.abort(1);
}

}  // namespace atrank::train
