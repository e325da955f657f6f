// `atrank score RUN --input FILE.jsonl [--output FILE] [--skip-bad-lines] [--from best|last] [--threads N]`.
#include <iostream>
#include <memory>

#include "atrank/cli/commands.hpp"
#include "atrank/infer/score.hpp"

namespace atrank::cli {

void add_score_command(CLI::App& app) {
  auto o = std::make_shared<infer::ScoreOptions>();
  auto from = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("score", "Score candidates for histories given as JSON lines with a trained run");
  cmd->add_option("run", o->run, "Run directory (written by atrank run)")->required();
  cmd->add_option("--input", o->input, "JSON lines: {history, candidates, task?, time?, user?}")->required();
  cmd->add_option("--output", o->output, "Output file (default: standard output), written atomically");
  cmd->add_flag("--skip-bad-lines", o->skip_bad_lines, "Skip (and count) bad input lines instead of failing");
  cmd->add_option("--threads", o->threads, "Threads (default: the run's train.threads)");
  add_from_option(*cmd, *from);
  cmd->callback([o, from] {
    o->from = checkpoint_choice(*from);
    infer::score(*o, std::cout, std::cerr);
  });
}

}  // namespace atrank::cli
