// `atrank data stats|synth|bench`: inspect a spec's prepared data, generate synthetic data,
// and time import + example building against loading from the binary cache.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "atrank/cli/commands.hpp"
#include "atrank/data/batcher.hpp"
#include "atrank/data/blob.hpp"
#include "atrank/data/cache.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/data/ensure_synthetic.hpp"
#include "atrank/data/examples.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/paths.hpp"
#include "atrank/data/stats.hpp"
#include "atrank/data/synth.hpp"
#include "atrank/spec/load.hpp"

namespace atrank::cli {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
// Process CPU seconds: on a shared machine wall time includes waiting for other processes.
double cpu_now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct StatsOptions {
  std::string spec;
  std::vector<std::string> sets;
  bool no_cache = false;
};

void run_stats(const StatsOptions& o) {
  const spec::Spec spec = spec::load_spec(o.spec, o.sets);
  data::LoadOptions options;
  options.use_cache = !o.no_cache;
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
  std::fflush(stdout);
  data::print_stats(d, std::cout);
}

struct SynthFlags {
  std::string out;
  std::string kind = "single";
  data::SynthOptions o;
  bool electronics = false;
  bool users = false, items = false, categories = false, events = false;
};

void run_synth(SynthFlags f) {
  data::SynthOptions& o = f.o;
  o.kind = *spec::parse_choice<spec::SyntheticKind>(f.kind);  // checked by the option
  // Defaults per kind (a quick run), unless given; --electronics = Amazon Electronics 5-core.
  const data::SynthOptions defaults = data::synth_defaults(o.kind, f.electronics);
  if (!f.users) o.users = defaults.users;
  if (!f.items) o.items = defaults.items;
  if (!f.categories) o.categories = defaults.categories;
  if (!f.events) o.events = defaults.events;
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

struct BenchFlags {
  std::string dir;
  bool keep = false;
  data::SynthOptions o;
  std::int64_t negatives = 100;
  std::int64_t batch_size = 32;
};

// The data section of specs/quickstart.toml, built in code (the bench needs no spec file).
spec::Spec bench_spec(const std::string& dir, std::int64_t negatives) {
  spec::Spec s;
  s.name = "bench-data";
  s.data.source = "csv";
  s.data.path = dir + "/synthetic/events.csv";
  s.data.cache_dir = dir + "/cache";
  spec::AttributeSpec a;
  a.name = "category";
  a.object_space = "item";
  a.column = "category";
  s.data.attributes = {a};
  spec::GroupSpec g;
  g.name = "item";
  g.object = "item";
  for (std::int64_t e = 2; e <= 4096; e *= 2) g.time.edges.push_back(e);
  s.groups = {g};
  spec::TaskSpec t;
  t.name = "item";
  t.target = "item";
  s.tasks = {t};
  s.eval.negatives = negatives;
  return s;
}

void run_bench(BenchFlags f) {
  std::string dir = f.dir;
  if (dir.empty()) {
    std::string tmpl = "/tmp/atrank-bench-data-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
    dir = tmpl;
  }
  std::printf("bench-data in %s\n", dir.c_str());
  std::fflush(stdout);
  auto t = Clock::now();
  const data::SynthSummary s = data::write_synthetic(dir + "/synthetic", f.o);
  std::printf("generate     %8.3f s  %lld users, %lld items, %lld categories, %lld events\n", since(t),
              static_cast<long long>(s.users), static_cast<long long>(s.items),
              static_cast<long long>(s.categories), static_cast<long long>(s.events));
  const spec::Spec spec = bench_spec(dir, f.negatives);
  if (::system(("rm -rf '" + spec.data.cache_dir + "'").c_str()) != 0) {
  }

  // Cold path, step by step (what Dataset::load does on a cache miss).
  const auto cold = Clock::now();
  const double cold_cpu = cpu_now();
  t = Clock::now();
  data::EventLog log = data::import_events(spec.data);
  const double t_import = since(t);
  t = Clock::now();
  const data::Layout layout = data::make_layout(spec, log.vocab, log.behavior_space);
  data::PreparedData prepared = data::build_examples(std::move(log), layout, data::build_options(spec));
  const double t_build = since(t);
  t = Clock::now();
  const data::CacheKey key = data::cache_key(spec);
  const double t_key = since(t);
  t = Clock::now();
  data::BlobWriter writer;
  data::write_prepared(prepared, writer);
  data::make_dirs(spec.data.cache_dir);
  const std::string path = data::cache_file(spec, key);
  writer.write_atomic(path, key.lo, key.hi);
  const double t_write = since(t);
  const double t_cold = since(cold);
  const double cpu_cold = cpu_now() - cold_cpu;
  const auto train_cases = static_cast<long long>(prepared.splits[0].users.size());
  const auto test_cases = static_cast<long long>(prepared.splits[2].users.size());
  prepared = data::PreparedData();
  std::printf("import       %8.3f s  (csv parse + id remap)\n", t_import);
  std::printf("build        %8.3f s  (sort, histories, negatives)\n", t_build);
  std::printf("hash inputs  %8.3f s  (cache key)\n", t_key);
  std::printf("write cache  %8.3f s  (%s)\n", t_write, path.c_str());
  std::printf("IMPORT+BUILD %8.3f s  total (%.3f s CPU): %lld training examples (%lld cases), %lld test cases\n",
              t_cold, cpu_cold, 2 * train_cases, train_cases, test_cases);

  // Warm path: Dataset::load finds the cache (hashes the inputs, maps the file, decodes the vocabulary).
  std::ostringstream quiet;
  data::LoadOptions options;
  options.log = &quiet;
  t = Clock::now();
  const double load_cpu = cpu_now();
  const data::Dataset d = data::Dataset::load(spec, options);
  const double t_load = since(t);
  const double cpu_load = cpu_now() - load_cpu;
  if (!d.from_cache()) throw std::runtime_error("bench: the second load missed the cache");
  const std::int64_t train_examples = 2 * d.num_cases(data::Split::train);
  const double per_million = t_load / (static_cast<double>(train_examples + d.num_cases(data::Split::test)) / 1e6);
  std::printf("CACHE LOAD   %8.3f s  (%.3f s CPU; incl. ~%.3f s hashing inputs) = %.3f s per million examples\n",
              t_load, cpu_load, t_key, per_million);

  // One epoch of training batches (gather + padding + buckets), as the trainer would see them.
  data::BatcherOptions bo;
  bo.batch_size = f.batch_size;
  data::Batcher batcher(d, bo);
  data::Batch batch;
  t = Clock::now();
  std::int64_t n = 0, padded = 0, valid = 0;
  while (batcher.next(batch)) {
    n += batch.size;
    padded += batch.size * batch.groups[0].max_len;
    for (auto len : batch.groups[0].lengths) valid += len;
  }
  const double t_epoch = since(t);
  std::printf("batch epoch  %8.3f s  %lld examples in batches of %lld; padding %.1f%% of history slots\n",
              t_epoch, static_cast<long long>(n), static_cast<long long>(f.batch_size),
              padded ? 100.0 * static_cast<double>(padded - valid) / static_cast<double>(padded) : 0.0);
  if (!f.keep && f.dir.empty()) {
    if (::system(("rm -rf '" + dir + "'").c_str()) != 0) {
    }
  }
}

}  // namespace

void add_data_command(CLI::App& app) {
  CLI::App* data = app.add_subcommand("data", "Import, prepare and inspect data; generate synthetic data");
  data->require_subcommand(1);

  auto stats_opts = std::make_shared<StatsOptions>();
  CLI::App* stats = data->add_subcommand(
      "stats", "Import (or load from the cache) a spec's data and print users, objects, categories, events, "
               "cases, history lengths and behavior counts");
  stats->add_option("spec", stats_opts->spec, "Spec file (TOML)")->required();
  stats->add_option("--set", stats_opts->sets, "Override a spec value: key.path=value (repeatable)");
  stats->add_flag("--no-cache", stats_opts->no_cache, "Neither read nor write the data cache");
  stats->callback([stats_opts] { run_stats(*stats_opts); });

  auto synth = std::make_shared<SynthFlags>();
  CLI::App* sy = data->add_subcommand(
      "synth", "Generate synthetic behavior data with learnable structure (datasets/synthetic/README.md)");
  sy->add_option("--out", synth->out, "Output directory (created)")->required();
  sy->add_option("--kind", synth->kind, "single: items only; multi: items, queries and coupons")
      ->check(CLI::IsMember(spec::choice_names<spec::SyntheticKind>()));
  sy->add_option("--users", synth->o.users, "Users (default 2000)")->check(CLI::PositiveNumber);
  sy->add_option("--items", synth->o.items, "Items (default 2000; multi 3000)")->check(CLI::PositiveNumber);
  sy->add_option("--categories", synth->o.categories, "Categories (default 20)")->check(CLI::PositiveNumber);
  sy->add_option("--events", synth->o.events, "Events over all behavior types (default 24000; multi 60000)")
      ->check(CLI::PositiveNumber);
  sy->add_option("--behaviors", synth->o.behaviors,
                 "single kind: number of item action types (1 = no behavior column)")
      ->check(CLI::PositiveNumber);
  sy->add_option("--seed", synth->o.seed, "Random seed");
  sy->add_flag("--electronics", synth->electronics,
               "Amazon Electronics 5-core scale: 192403 users, 63001 items, 801 categories, 1689188 events");
  sy->callback([synth, sy] {
    SynthFlags f = *synth;
    f.users = sy->count("--users") > 0;
    f.items = sy->count("--items") > 0;
    f.categories = sy->count("--categories") > 0;
    f.events = sy->count("--events") > 0;
    run_synth(f);
  });

  auto bench = std::make_shared<BenchFlags>();
  bench->o.users = 192403;
  bench->o.items = 63001;
  bench->o.categories = 801;
  bench->o.events = 1689188;
  CLI::App* be = data->add_subcommand(
      "bench", "Benchmark (not a test): generate Electronics-scale data, time import + example building, "
               "then loading from the cache and one epoch of batches");
  be->add_option("--dir", bench->dir, "Work directory (default: a temporary one, removed afterwards)");
  be->add_flag("--keep", bench->keep, "Keep the temporary directory");
  be->add_option("--users", bench->o.users, "Users")->check(CLI::PositiveNumber);
  be->add_option("--items", bench->o.items, "Items")->check(CLI::PositiveNumber);
  be->add_option("--categories", bench->o.categories, "Categories")->check(CLI::PositiveNumber);
  be->add_option("--events", bench->o.events, "Events")->check(CLI::PositiveNumber);
  be->add_option("--negatives", bench->negatives, "Sampled negatives per test case (eval.negatives)");
  be->add_option("--batch-size", bench->batch_size, "Batch size for the batching epoch")->check(CLI::PositiveNumber);
  be->add_option("--seed", bench->o.seed, "Random seed");
  be->callback([bench] { run_bench(*bench); });
}

}  // namespace atrank::cli
