// `atrank check SPEC [--set key=value]... [--json]`: validates a spec, builds
// its model without training (spec -> Spec -> Model) and prints groups, tables,
// blocks, tasks and trainable parameter counts.
#include "atrank/cli/commands.hpp"

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "atrank/data/dataset.hpp"
#include "atrank/data/ensure_synthetic.hpp"
#include "atrank/model/build_context.hpp"
#include "atrank/model/model.hpp"
#include "atrank/model/summary_report.hpp"
#include "atrank/spec/load.hpp"

namespace atrank::cli {

namespace {

struct CheckOptions {
  std::string spec;
  std::vector<std::string> sets;
  bool json = false;
};

// Builds the model; vocabulary sizes from `vocab.<space>` overrides first and,
// when one is missing, from the spec's data (imported or read from the cache).
model::Model<float> build_for_check(const spec::Plan& plan, std::string& vocab_source) {
  const spec::Spec& spec = plan.spec;
  vocab_source = "spec (vocab.*)";
  try {
    return model::build_model<float>(plan, data::Vocabulary{});
  } catch (const model::VocabularyUnknown& missing) {
    std::ostringstream log;
    data::LoadOptions options;
    options.log = &log;
    std::unique_ptr<data::Dataset> dataset;
    try {
      data::ensure_synthetic(spec, std::cerr);
      dataset = std::make_unique<data::Dataset>(data::Dataset::load(spec, options));
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string(missing.what()) + "\n  (loading the data failed: " +
                               e.what() + ")");
    }
    vocab_source = dataset->from_cache() ? "data cache " + dataset->cache_path() : "data (imported)";
    return model::build_model<float>(plan, dataset->vocab());
  }
}

void run_check(const CheckOptions& o) {
  const spec::Plan plan = spec::load_plan(o.spec, o.sets);
  const spec::Spec& spec = plan.spec;
  std::string vocab_source;
  const model::Model<float> m = build_for_check(plan, vocab_source);
  const model::ModelSummary& s = m.summary();
  if (o.json) {
    nlohmann::json j = model::summary_json(s);
    j["spec"] = {{"file", o.spec}, {"name", spec.name}, {"overrides", o.sets},
                 {"vocabulary_from", vocab_source}};
    j["resolved_spec"] = spec::to_toml(spec);
    std::fputs((j.dump(2) + "\n").c_str(), stdout);
    return;
  }
  std::string out = "spec " + o.spec + " (" + spec.name + "): valid\n";
  for (const auto& set : o.sets) out += "  --set " + set + "\n";
  out += "\nresolved spec\n";
  std::istringstream toml(spec::to_toml(spec));
  for (std::string line; std::getline(toml, line);) out += "  " + line + "\n";
  out += "\nvocabulary sizes from " + vocab_source + "\n\n";
  out += model::summary_text(s);
  std::fputs(out.c_str(), stdout);
}

}  // namespace

void add_check_command(CLI::App& app) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Validate a spec, build its model without training, and print its groups, tables, blocks, "
      "tasks and trainable parameters");
  cmd->add_option("spec", opts->spec, "spec file (TOML)")->required();
  cmd->add_option("--set", opts->sets,
                  "override a spec key, typed like the file: --set key=value (repeatable; "
                  "e.g. --set vocab.item=63001)")
      ->allow_extra_args(false);
  cmd->add_flag("--json", opts->json, "print the report as JSON (params.total, tables, blocks, ...)");
  cmd->callback([opts]() { run_check(*opts); });
}

}  // namespace atrank::cli
