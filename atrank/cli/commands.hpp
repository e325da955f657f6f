// The subcommands of the atrank binary, registered explicitly by main().
// Each add_* attaches one subcommand (its flags and its action) to the app.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "atrank/infer/trained_run.hpp"

namespace atrank::cli {

// Every subcommand reports failure by throwing; main() prints and exits non-zero.
void add_commands(CLI::App& app);

// Thrown by a command that has said everything already and must exit with `code`
// (a run stopped by a signal: 128 + the signal).
struct Exit {
  int code = 0;
};

void add_run_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_check_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_recommend_command(CLI::App& app);
void add_score_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_explain_command(CLI::App& app);

// --from best|last of the inference commands, and its value.
void add_from_option(CLI::App& cmd, std::string& from);
infer::CheckpointChoice checkpoint_choice(const std::string& from);

}  // namespace atrank::cli
