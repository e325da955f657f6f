// The list of subcommands: one line per command, nothing registers itself.
#include "atrank/cli/commands.hpp"

namespace atrank::cli {

void add_commands(CLI::App& app) {
  (void)app;  // subcommands arrive with their issues (check, data, run, bench)
}

}  // namespace atrank::cli
