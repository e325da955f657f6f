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
      spec::Spec spec = base.spec;
      spec.train.batch_size = batch_size;
      spec.train.threads = threads;
      set_blas_threads(1);  // as the trainer: see run_training
      TrainingSetup setup(spec::make_plan(spec), data);
      data::Batch batch;

      std::int64_t step = 0;
      auto train_stretch = [&](std::int64_t examples) {
        std::int64_t done = 0;
        double seconds = 0;
        while (done < examples) {
          if (!setup.batcher.next(batch)) continue;  // next epoch
          const auto s = Clock::now();
          setup.train_step(batch, setup.learning_rate(batch, step++));
          seconds += std::chrono::duration<double>(Clock::now() - s).count();
          done += batch.size;
        }
        return double(done) / seconds;
      };

      data::BatcherOptions eo;
      eo.split = data::Split::test;
      eo.mode = data::BatchMode::eval;
      eo.batch_size = spec.train.eval_batch_size;
      eo.shuffle = false;
      data::Batcher eval_batcher(data, eo);
      auto eval_stretch = [&] {
        eval_batcher.seek({0, 0});
        std::int64_t done = 0;
        const auto s = Clock::now();
        while (done < options.eval_cases && eval_batcher.next(batch)) {
          setup.runner.scores(batch);
          done += batch.size;
        }
        return double(done) / std::chrono::duration<double>(Clock::now() - s).count();
      };

      train_stretch(std::max<std::int64_t>(options.examples_per_stretch / 4, batch_size));  // warm-up
      std::vector<double> train_rates, eval_rates;
      for (std::int64_t i = 0; i < options.stretches; ++i) {
        train_rates.push_back(train_stretch(options.examples_per_stretch));
        eval_rates.push_back(eval_stretch());
      }
      BenchRow row;
      row.batch = batch_size;
      row.threads = threads;
      row.train_median = median(train_rates);
      row.train_min = *std::min_element(train_rates.begin(), train_rates.end());
      row.train_max = *std::max_element(train_rates.begin(), train_rates.end());
      row.eval_median = median(eval_rates);
      row.eval_candidates = data.candidates_per_case(data::Split::test);
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
