// `atrank recommend RUN [--user ID]... [--users FILE] [--history FILE] [--k 10] [--task T]
//  [--exclude-seen true|false] [--json] [--from best|last] [--threads N]`.
#include <iostream>
#include <memory>

#include "atrank/cli/commands.hpp"
#include "atrank/infer/recommend.hpp"

namespace atrank::cli {

void add_recommend_command(CLI::App& app) {
  auto o = std::make_shared<infer::RecommendOptions>();
  auto from = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "recommend", "Top-K objects of a task for dataset users (or input histories) from a trained run");
  cmd->add_option("run", o->run, "Run directory (written by atrank run)")->required();
  cmd->add_option("--user", o->users, "Raw id of a dataset user (repeatable)");
  cmd->add_option("--users", o->users_file, "File of raw user ids, one per line");
  cmd->add_option("--history", o->history_file,
                  "JSON lines of histories (atrank score's input format, without candidates) instead of dataset users");
  cmd->add_option("--k", o->k, "Objects per user (default 10)");
  cmd->add_option("--task", o->task, "Task whose target objects are ranked (default: the first)");
  cmd->add_option("--exclude-seen", o->exclude_seen, "Leave out objects of the user's history (default true)");
  cmd->add_flag("--json", o->json, "JSON lines (one object per user) instead of TSV");
  cmd->add_option("--threads", o->threads, "Threads (default: the run's train.threads)");
  add_from_option(*cmd, *from);
  cmd->callback([o, from] {
    o->from = checkpoint_choice(*from);
    infer::recommend(*o, std::cout, std::cerr);
  });
}

}  // namespace atrank::cli
