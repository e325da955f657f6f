// `atrank run SPEC [--set k=v]... [--out DIR] [--threads N] [--resume | --force]`.
#include <memory>

#include "atrank/cli/commands.hpp"
#include "atrank/spec/plan.hpp"
#include "atrank/train/trainer.hpp"

namespace atrank::cli {

void add_run_command(CLI::App& app) {
  auto opt = std::make_shared<train::RunOptions>();
  CLI::App* run = app.add_subcommand("run", "Train and evaluate the model a spec describes");
  run->add_option("spec", opt->spec_path, "TOML spec file")->required();
  run->add_option("--set", opt->overrides, "Override a spec key: key.path=value (repeatable)");
  run->add_option("--out", opt->out_dir, "Run directory (default runs/<spec>-<time>)");
  run->add_option("--threads", opt->threads, "Threads (default: the spec's train.threads)")
      ->check(CLI::Range(std::int64_t{1}, spec::kMaxThreads));
  auto* resume = run->add_flag("--resume", opt->resume, "Continue the run in --out from its checkpoint");
  run->add_flag("--force", opt->force,
                "Start over in an --out that holds a run: its files move to --out/replaced-<time>/ first")
      ->excludes(resume);
  run->add_flag("--quiet", opt->quiet, "No progress or evaluation lines");
  run->callback([opt, &app] {
    opt->program = app.get_name().empty() ? "atrank" : app.get_name();
    const train::RunResult r = train::run_training(*opt);
    if (r.signal != 0) throw Exit{128 + r.signal};  // 130 for SIGINT, 143 for SIGTERM
  });
}

}  // namespace atrank::cli
