// The list of subcommands: one line per command, nothing registers itself.
#include "atrank/cli/commands.hpp"

namespace atrank::cli {

void add_commands(CLI::App& app) {
  add_check_command(app);
  add_run_command(app);
  add_bench_command(app);
  add_data_command(app);
  add_explain_command(app);
}

}  // namespace atrank::cli
