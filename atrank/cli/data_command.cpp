// `atrank data stats|synth|bench`: inspect a spec's prepared data, generate synthetic data,
// and benchmark the data path (data/data_bench.hpp).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "atrank/cli/commands.hpp"
#include "atrank/data/data_bench.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/data/ensure_synthetic.hpp"
#include "atrank/data/stats.hpp"
#include "atrank/data/synth.hpp"
#include "atrank/spec/load.hpp"

namespace atrank::cli {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct StatsOptions {
  std::string spec;
  std::vector<std::string> sets;
  bool no_cache = false;
};

void run_stats(const StatsOptions& o) {
  const spec::Spec spec = spec::load_spec(o.spec, o.sets);
  data::LoadOptions options;
  options.use_cache = !o.no_cache;
  data::LoadTimings steps;
  options.timings = &steps;
  const auto t = Clock::now();
  data::ensure_synthetic(spec, std::cout);
  const data::Dataset d = data::Dataset::load(spec, options);
  const double seconds = since(t);
  std::printf("spec            %s (%s)\n", spec.name.c_str(), o.spec.c_str());
  std::printf("data            source %s, path %s\n", spec.data.source.c_str(), spec.data.path.c_str());
  if (d.from_cache())
    std::printf("prepared        loaded from cache %s in %.3f s\n", d.cache_path().c_str(), seconds);
  else if (!d.cache_path().empty())
    std::printf("prepared        imported and built in %.3f s; cached in %s\n", seconds, d.cache_path().c_str());
  else
    std::printf("prepared        imported and built in %.3f s (not cached)\n", seconds);
  std::string taken;  // the steps this load took
  for (const auto& [name, t] : {std::pair<const char*, double>{"hash inputs", steps.key},
                                {"import", steps.import},
                                {"examples", steps.build},
                                {"cache write", steps.write},
                                {"map and checks", steps.map + steps.verify + steps.check}})
    if (t > 0) taken += (taken.empty() ? "" : ", ") + fmt::format("{} {:.1f} s", name, t);
  std::printf("steps           %s\n", taken.c_str());
  std::fflush(stdout);
  data::print_stats(d, std::cout);
}

struct SynthFlags {
  std::string out;
  std::string kind = "single";
  data::SynthOptions o;
  bool electronics = false;
  bool taobao = false;
  double scale = 1.0;
};

// Sizes not given on the command line (`cmd`) take the kind's defaults (or Electronics or Taobao
// scale), times --scale. --taobao-scale implies --kind taobao.
void run_synth(SynthFlags f, const CLI::App& cmd) {
  data::SynthOptions& o = f.o;
  if (f.taobao && !cmd.count("--kind")) f.kind = "taobao";
  o.kind = *spec::parse_choice<spec::SyntheticKind>(f.kind);  // checked by the option
  const data::SynthSize size = f.electronics ? data::SynthSize::electronics
                               : f.taobao    ? data::SynthSize::taobao
                                             : data::SynthSize::kind_default;
  const data::SynthOptions defaults = data::synth_defaults(o.kind, size, f.scale);
  if (!cmd.count("--users")) o.users = defaults.users;
  if (!cmd.count("--items")) o.items = defaults.items;
  if (!cmd.count("--categories")) o.categories = defaults.categories;
  if (!cmd.count("--events")) o.events = defaults.events;
  const auto t = Clock::now();
  const data::SynthSummary s = data::write_synthetic(f.out, o);
  std::printf("wrote %s\n", s.files.c_str());
  std::printf("kind %s: %lld users, %lld items, %lld categories, %lld events", f.kind.c_str(),
              static_cast<long long>(s.users), static_cast<long long>(s.items),
              static_cast<long long>(s.categories), static_cast<long long>(s.events));
  if (o.kind == spec::SyntheticKind::Multi)
    std::printf(", %lld queries, %lld coupons, %lld shops, %lld brands", static_cast<long long>(s.queries),
                static_cast<long long>(s.coupons), static_cast<long long>(s.shops), static_cast<long long>(s.brands));
  std::printf(" (seed %llu) in %.2f s\n", static_cast<unsigned long long>(o.seed), since(t));
}

void add_stats(CLI::App& data) {
  auto o = std::make_shared<StatsOptions>();
  CLI::App* cmd = data.add_subcommand(
      "stats", "Import (or load from the cache) a spec's data and print users, objects, categories, events, "
               "cases, history lengths and behavior counts");
  cmd->add_option("spec", o->spec, "Spec file (TOML)")->required();
  cmd->add_option("--set", o->sets, "Override a spec value: key.path=value (repeatable)");
  cmd->add_flag("--no-cache", o->no_cache, "Neither read nor write the data cache");
  cmd->callback([o] { run_stats(*o); });
}

void add_synth(CLI::App& data) {
  auto f = std::make_shared<SynthFlags>();
  CLI::App* cmd = data.add_subcommand(
      "synth", "Generate synthetic behavior data with learnable structure (datasets/synthetic/README.md)");
  cmd->add_option("--out", f->out, "Output directory (created)")->required();
  cmd->add_option("--kind", f->kind,
                  "single: items only; multi: items, queries and coupons; taobao: pv/cart/fav/buy over 9 days "
                  "in Taobao UserBehavior's format (UserBehavior.csv, streamed)")
      ->check(CLI::IsMember(spec::choice_names<spec::SyntheticKind>()));
  cmd->add_option("--users", f->o.users, "Users (default 2000)")->check(CLI::PositiveNumber);
  cmd->add_option("--items", f->o.items, "Items (default 2000; multi 3000)")->check(CLI::PositiveNumber);
  cmd->add_option("--categories", f->o.categories, "Categories (default 20)")->check(CLI::PositiveNumber);
  cmd->add_option("--events", f->o.events, "Events over all behavior types (default 24000; multi 60000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--behaviors", f->o.behaviors, "single kind: number of item action types (1 = no behavior column)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", f->o.seed, "Random seed");
  CLI::Option* electronics = cmd->add_flag(
      "--electronics", f->electronics,
      "Amazon Electronics 5-core scale: 192403 users, 63001 items, 801 categories, 1689188 events");
  cmd->add_flag("--taobao-scale", f->taobao,
                "Taobao UserBehavior scale: 987994 users, 4162024 items, 9439 categories, 100150807 events "
                "(implies --kind taobao; about 3.6 GB)")
      ->excludes(electronics);
  cmd->add_option("--scale", f->scale,
                  "Multiply the default sizes (the kind's, --electronics or --taobao-scale) by this factor, "
                  "e.g. --taobao-scale --scale 0.01")
      ->check(CLI::PositiveNumber);
  cmd->callback([f, cmd] { run_synth(*f, *cmd); });
}

void add_bench(CLI::App& data) {
  auto o = std::make_shared<data::DataBenchOptions>();
  CLI::App* cmd = data.add_subcommand(
      "bench", "Benchmark (not a test): generate Electronics-scale data, time import + example building, "
               "then loading from the cache (checksums included) and one epoch of batches");
  cmd->add_option("--dir", o->dir, "Work directory (default: a temporary one, removed afterwards)");
  cmd->add_flag("--keep", o->keep, "Keep the temporary directory");
  cmd->add_option("--users", o->synth.users, "Users")->check(CLI::PositiveNumber);
  cmd->add_option("--items", o->synth.items, "Items")->check(CLI::PositiveNumber);
  cmd->add_option("--categories", o->synth.categories, "Categories")->check(CLI::PositiveNumber);
  cmd->add_option("--events", o->synth.events, "Events")->check(CLI::PositiveNumber);
  cmd->add_option("--negatives", o->negatives,
                  "Sampled negatives per test case (default 1, the authors' protocol; more as for hr@K/ndcg@K)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch-size", o->batch_size, "Batch size for the batching epoch")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", o->synth.seed, "Random seed");
  cmd->callback([o] { data::run_data_bench(*o, std::cout); });
}

}  // namespace

void add_data_command(CLI::App& app) {
  CLI::App* data = app.add_subcommand("data", "Import, prepare and inspect data; generate synthetic data");
  data->require_subcommand(1);
  add_stats(*data);
  add_synth(*data);
  add_bench(*data);
}

}  // namespace atrank::cli
