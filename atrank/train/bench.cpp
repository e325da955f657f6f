// Each configuration trains a freshly built model: a warm-up stretch, then
// `stretches` timed stretches; evaluation scores the first test cases.
#include "atrank/train/bench.hpp"

#include <algorithm>
#include <chrono>
#include <ostream>

#include <fmt/format.h>

#include "atrank/data/batcher.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/model/flops.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/tensor/gemm.hpp"
#include "atrank/train/setup.hpp"

namespace atrank::train {
namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

// Stretches of one configuration: training steps on the shared setup (as
// `atrank run` trains), scoring of the first test cases.
class Stretches {
 public:
  Stretches(const spec::Plan& plan, const data::Dataset& data)
      : setup_(plan, data), eval_batcher_(data, eval_options(plan)) {}

  // Training examples per second over at least `examples` examples.
  double train(std::int64_t examples) {
    std::int64_t done = 0;
    double seconds = 0;
    while (done < examples) {
      if (!setup_.batcher.next(batch_)) continue;  // next epoch
      const auto s = Clock::now();
      setup_.train_step(batch_, setup_.learning_rate(batch_, step_++));
      seconds += std::chrono::duration<double>(Clock::now() - s).count();
      done += batch_.size;
      const model::BatchFlops f = model::batch_forward_flops(setup_.model.plan(), batch_, setup_.runner.threads(),
                                                                 setup_.model.encoder().reads_packed_rows());
      flops_.useful += f.useful;
      flops_.executed += f.executed;
      flops_examples_ += batch_.size;
    }
    return double(done) / seconds;
  }

  // Training work per example (forward + backward: 3x forward) of the batches trained so far.
  model::BatchFlops training_flops_per_example() const {
    const double per = 3.0 / double(std::max<std::int64_t>(flops_examples_, 1));
    return {flops_.useful * per, flops_.executed * per};
  }

  // Evaluation cases per second over the first `cases` test cases.
  double eval(std::int64_t cases) {
    eval_batcher_.seek({0, 0});
    std::int64_t done = 0;
    const auto s = Clock::now();
    while (done < cases && eval_batcher_.next(batch_)) {
      setup_.runner.scores(batch_);
      done += batch_.size;
    }
    return double(done) / std::chrono::duration<double>(Clock::now() - s).count();
  }

 private:
  static data::BatcherOptions eval_options(const spec::Plan& plan) {
    data::BatcherOptions o;
    o.split = data::Split::test;
    o.mode = data::BatchMode::eval;
    o.batch_size = plan.spec.train.eval_batch_size;
    o.shuffle = false;
    return o;
  }

  TrainingSetup setup_;
  data::Batcher eval_batcher_;
  data::Batch batch_;
  std::int64_t step_ = 0;
  model::BatchFlops flops_;
  std::int64_t flops_examples_ = 0;
};

// A warm-up stretch of a quarter of a timed one (at least one batch).
constexpr std::int64_t kWarmupDivisor = 4;

BenchRow bench_configuration(const spec::Plan& base, const data::Dataset& data, std::int64_t threads,
                             std::int64_t batch_size, const BenchOptions& options, double peak) {
  spec::Spec spec = base.spec;
  spec.train.batch_size = batch_size;
  spec.train.threads = threads;
  set_blas_threads(1);  // as the trainer: see run_training
  Stretches stretches(spec::make_plan(spec), data);
  stretches.train(std::max<std::int64_t>(options.examples_per_stretch / kWarmupDivisor, batch_size));
  std::vector<double> train_rates, eval_rates;
  for (std::int64_t i = 0; i < options.stretches; ++i) {
    train_rates.push_back(stretches.train(options.examples_per_stretch));
    eval_rates.push_back(stretches.eval(options.eval_cases));
  }
  BenchRow row;
  row.batch = batch_size;
  row.threads = threads;
  row.train_median = median(train_rates);
  row.train_min = *std::min_element(train_rates.begin(), train_rates.end());
  row.train_max = *std::max_element(train_rates.begin(), train_rates.end());
  row.eval_median = median(eval_rates);
  row.eval_candidates = data.candidates_per_case(data::Split::test);
  const model::BatchFlops f = stretches.training_flops_per_example();
  row.flops_useful = f.useful;
  row.flops_executed = f.executed;
  row.gflops = f.executed * row.train_median / 1e9;
  row.peak_share = row.gflops / (double(threads) * peak);
  return row;
}

}  // namespace

double sgemm_peak_gflops(std::size_t n, int repeats) {
  set_blas_threads(1);
  xt::xtensor<float, 2> a = xt::ones<float>({n, n}), b = xt::ones<float>({n, n}), c = xt::zeros<float>({n, n});
  double best = 0;
  for (int i = 0; i <= repeats; ++i) {  // the first call warms up
    const auto s = Clock::now();
    gemm<float>(Trans::No, Trans::No, 1.f, a, b, 0.f, c);
    const double seconds = std::chrono::duration<double>(Clock::now() - s).count();
    if (i > 0) best = std::max(best, 2.0 * double(n) * double(n) * double(n) / seconds / 1e9);
  }
  return best;
}

std::vector<BenchRow> run_bench(const BenchOptions& options, std::ostream& out) {
  const spec::Plan base = spec::load_plan(options.spec_path, options.overrides);
  const auto t0 = Clock::now();
  const data::Dataset data = data::Dataset::load(base.spec);
  out << fmt::format("data: {} test cases, loaded in {:.2f} s{}\n", data.num_cases(data::Split::test),
                     std::chrono::duration<double>(Clock::now() - t0).count(),
                     data.from_cache() ? " (cache)" : "");
  const double peak = sgemm_peak_gflops();
  out << fmt::format("sgemm peak: {:.1f} GFLOP/s on one thread (1024^3, best of 5); training work per example "
                     "counted from the shapes (forward + backward), useful = real history positions, "
                     "executed = what the products compute (padded slices; none of it padding over packed rows)\n",
                     peak);
  std::vector<BenchRow> rows;
  for (const auto threads : options.threads)
    for (const auto batch_size : options.batch_sizes) {
      const BenchRow row = bench_configuration(base, data, threads, batch_size, options, peak);
      out << fmt::format(
          "batch {:>4} threads {} | train {:>8.0f} ex/s (median of {}; min {:.0f}, max {:.0f}) | "
          "eval {:>8.0f} cases/s ({} candidates each) | {:.3g} MFLOP/ex useful, {:.3g} executed | "
          "{:.2f} GFLOP/s, {:.1f}% of peak\n",
          row.batch, row.threads, row.train_median, options.stretches, row.train_min, row.train_max,
          row.eval_median, row.eval_candidates, row.flops_useful / 1e6, row.flops_executed / 1e6, row.gflops,
          100 * row.peak_share);
      out.flush();
      rows.push_back(row);
    }
  return rows;
}

}  // namespace atrank::train
