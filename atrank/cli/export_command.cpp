// `atrank export RUN --out DIR [--from best|last]`.
#include <iostream>
#include <memory>

#include "atrank/cli/commands.hpp"
#include "atrank/infer/export.hpp"

namespace atrank::cli {

void add_export_command(CLI::App& app) {
  auto o = std::make_shared<infer::ExportOptions>();
  auto from = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a run's embedding tables (TSV, Embedding Projector) and parameters (model.npz)");
  cmd->add_option("run", o->run, "Run directory (written by atrank run)")->required();
  cmd->add_option("--out", o->out, "Output directory")->required();
  add_from_option(*cmd, *from);
  cmd->callback([o, from] {
    o->from = checkpoint_choice(*from);
    infer::export_run(*o, std::cerr);
  });
}

}  // namespace atrank::cli
