// atrank: train and evaluate attention-based user-behavior models from TOML specs.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "atrank/cli/commands.hpp"
#include "atrank_version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"atrank: ATRank (Zhou et al., AAAI 2018) and its baselines on CPU, from TOML specs"};
  app.set_version_flag("--version", std::string("atrank ") + ATRANK_VERSION);
  app.require_subcommand(0, 1);
  atrank::cli::add_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const atrank::cli::Exit& e) {
    return e.code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atrank: error: %s\n", e.what());
    return 1;
  }
  if (argc == 1) std::fputs(app.help().c_str(), stdout);
  return 0;
}
