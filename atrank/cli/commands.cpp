// The list of subcommands: one line per command, nothing registers itself;
// the options the inference commands share.
#include "atrank/cli/commands.hpp"

namespace atrank::cli {

void add_commands(CLI::App& app) {
  add_check_command(app);
  add_run_command(app);
  add_bench_command(app);
  add_data_command(app);
  add_recommend_command(app);
  add_score_command(app);
  add_export_command(app);
  add_explain_command(app);
}

infer::CheckpointChoice checkpoint_choice(const std::string& from) {
  if (from == "best") return infer::CheckpointChoice::Best;
  if (from == "last") return infer::CheckpointChoice::Last;
  return infer::CheckpointChoice::Default;
}

void add_from_option(CLI::App& cmd, std::string& from) {
  cmd.add_option("--from", from,
                 "Checkpoint: best (best.ckpt, the evaluation summary.json selects) or last (checkpoint.ckpt); "
                 "default best when the run has one")
      ->check(CLI::IsMember({"best", "last"}));
}

}  // namespace atrank::cli
