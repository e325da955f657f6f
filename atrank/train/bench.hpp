// Throughput benchmark (not a test): training and evaluation examples per
// second of a spec's model on its data, for several batch sizes and thread
// counts, as medians over repeated stretches measured in one process; and
// how close training comes to the machine's limit: its floating-point work
// per example (model/flops.hpp) against the sgemm peak measured here.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace atrank::train {

struct BenchOptions {
  std::string spec_path;
  std::vector<std::string> overrides;
  std::vector<std::int64_t> batch_sizes = {32, 256};
  std::vector<std::int64_t> threads = {1, 2};
  std::int64_t examples_per_stretch = 20000;  // training examples timed per stretch
  std::int64_t stretches = 5;
  std::int64_t eval_cases = 5000;             // test cases scored per stretch
};

struct BenchRow {
  std::int64_t batch = 0, threads = 0;
  double train_median = 0, train_min = 0, train_max = 0;  // examples/s
  double eval_median = 0;                                  // evaluation cases/s
  std::int64_t eval_candidates = 0;                        // candidates scored per case
  // Training work per example (forward + backward) over the timed stretches:
  // on real history positions, and as executed on padded slices.
  double flops_useful = 0, flops_executed = 0;
  double gflops = 0;       // executed work per second at the median rate
  double peak_share = 0;   // gflops / (threads x the one-thread sgemm peak)
};

// GFLOP/s of a single-threaded n x n x n sgemm through BLAS, best of `repeats`.
double sgemm_peak_gflops(std::size_t n = 1024, int repeats = 5);

std::vector<BenchRow> run_bench(const BenchOptions& options, std::ostream& out);

}  // namespace atrank::train
