// `atrank check SPEC [--set key=value]... [--json]`: validates a spec, builds
// its model without training (spec -> Spec -> data when present -> Model) and
// prints groups, tables, blocks, tasks and trainable parameter counts.
#include "atrank/cli/commands.hpp"

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "atrank/data/check_data.hpp"
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

// The model with the data's vocabulary when the data is there (so a `vocab.*` smaller than the
// data fails here as in a run); without data, a missing size is reported after the reason the
// data is missing, which is the real problem.
model::Model<float> build_for_check(const spec::Plan& plan, const data::CheckData& data) {
  try {
    return model::build_model<float>(plan, data.vocab());
  } catch (const model::VocabularyUnknown& e) {
    if (data.unavailable.empty()) throw;
    throw std::runtime_error(data.unavailable + "\n  (without the data: " + e.what() + ")");
  }
}

void run_check(const CheckOptions& o) {
  const spec::Plan plan = spec::load_plan(o.spec, o.sets);
  const spec::Spec& spec = plan.spec;
  const data::CheckData data = data::data_for_check(spec, std::cerr);
  const model::Model<float> m = build_for_check(plan, data);
  const model::ModelSummary& s = m.summary();
  if (o.json) {
    nlohmann::json j = model::summary_json(s);
    j["spec"] = {{"file", o.spec}, {"name", spec.name}, {"overrides", o.sets},
                 {"vocabulary_from", data.vocabulary_from}};
    j["resolved_spec"] = spec::to_toml(spec);
    std::fputs((j.dump(2) + "\n").c_str(), stdout);
    return;
  }
  std::string out = "spec " + o.spec + " (" + spec.name + "): valid\n";
  for (const auto& set : o.sets) out += "  --set " + set + "\n";
  out += "\nresolved spec\n";
  std::istringstream toml(spec::to_toml(spec));
  for (std::string line; std::getline(toml, line);) out += "  " + line + "\n";
  out += "\nvocabulary sizes from " + data.vocabulary_from + "\n";
  if (!data.unavailable.empty()) out += "data not checked: " + data.unavailable + "\n";
  out += "\n";
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
