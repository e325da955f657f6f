// `atrank bench SPEC`: training/evaluation throughput (a benchmark, not a test).
#include <iostream>
#include <memory>

#include "atrank/cli/commands.hpp"
#include "atrank/train/bench.hpp"

namespace atrank::cli {

void add_bench_command(CLI::App& app) {
  auto opt = std::make_shared<train::BenchOptions>();
  CLI::App* bench = app.add_subcommand(
      "bench", "Measure training and evaluation examples/s of a spec's model (medians of stretches)");
  bench->add_option("spec", opt->spec_path, "TOML spec file")->required();
  bench->add_option("--set", opt->overrides, "Override a spec key: key.path=value (repeatable)");
  bench->add_option("--batch", opt->batch_sizes, "Batch sizes")->delimiter(',');
  bench->add_option("--threads", opt->threads, "Thread counts")->delimiter(',');
  bench->add_option("--examples", opt->examples_per_stretch, "Training examples per timed stretch");
  bench->add_option("--stretches", opt->stretches, "Timed stretches per configuration");
  bench->add_option("--eval-cases", opt->eval_cases, "Test cases scored per stretch");
  bench->callback([opt] { train::run_bench(*opt, std::cout); });
}

}  // namespace atrank::cli
