// Each configuration trains a freshly built model: a warm-up stretch, then
// `stretches` timed stretches; evaluation scores the first test cases.
#include "atrank/train/bench.hpp"

#include <algorithm>
#include <chrono>
#include <ostream>

#include <fmt/format.h>

#include "atrank/data/batcher.hpp"
#include "atrank/data/dataset.hpp"
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
    }
    return double(done) / seconds;
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
};

// A warm-up stretch of a quarter of a timed one (at least one batch).
constexpr std::int64_t kWarmupDivisor = 4;

BenchRow bench_configuration(const spec::Plan& base, const data::Dataset& data, std::int64_t threads,
                             std::int64_t batch_size, const BenchOptions& options) {
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
  return row;
}

}  // namespace

std::vector<BenchRow> run_bench(const BenchOptions& options, std::ostream& out) {
  const spec::Plan base = spec::load_plan(options.spec_path, options.overrides);
  const auto t0 = Clock::now();
  const data::Dataset data = data::Dataset::load(base.spec);
  out << fmt::format("data: {} test cases, loaded in {:.2f} s{}\n", data.num_cases(data::Split::test),
                     std::chrono::duration<double>(Clock::now() - t0).count(),
                     data.from_cache() ? " (cache)" : "");
  std::vector<BenchRow> rows;
  for (const auto threads : options.threads)
    for (const auto batch_size : options.batch_sizes) {
      const BenchRow row = bench_configuration(base, data, threads, batch_size, options);
      out << fmt::format(
          "batch {:>4} threads {} | train {:>8.0f} ex/s (median of {}; min {:.0f}, max {:.0f}) | "
          "eval {:>8.0f} cases/s ({} candidates each)\n",
          row.batch, row.threads, row.train_median, options.stretches, row.train_min, row.train_max,
          row.eval_median, row.eval_candidates);
      out.flush();
      rows.push_back(row);
    }
  return rows;
}

}  // namespace atrank::train
