// The cold and warm loads are Dataset::load itself (LoadTimings splits them into steps), so the
// figures are those of `atrank run`'s data path, not of a re-implementation.
#include "atrank/data/data_bench.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "atrank/data/batcher.hpp"
#include "atrank/data/data_error.hpp"
#include "atrank/data/dataset.hpp"

namespace atrank::data {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
// Process CPU seconds: on a shared machine wall time includes waiting for other processes.
double cpu_now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

constexpr double kMegabyte = 1e6;
constexpr std::int64_t kLog2Edges = 12;  // the authors' time buckets: edges 2, 4, ..., 4096

// The data section of specs/quickstart.toml, built in code (the bench needs no spec file), with
// `negatives` sampled negatives per test case.
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
  for (std::int64_t i = 1; i <= kLog2Edges; ++i) g.time.edges.push_back(std::int64_t{1} << i);
  s.groups = {g};
  spec::TaskSpec t;
  t.name = "item";
  t.target = "item";
  s.tasks = {t};
  // The example builder samples eval.negatives per test case only for ranking metrics.
  s.eval.negatives = negatives;
  if (negatives > 1) s.eval.metrics.push_back("hr@10");
  return s;
}

// A temporary directory removed at scope exit unless kept.
class WorkDir {
 public:
  explicit WorkDir(const DataBenchOptions& o) : path_(o.dir), remove_(o.dir.empty() && !o.keep) {
    if (!path_.empty()) return;
    std::string tmpl = (fs::temp_directory_path() / "atrank-bench-data-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw DataError("cannot create a temporary directory like " + tmpl);
    path_ = tmpl;
  }
  ~WorkDir() {
    std::error_code ignored;
    if (remove_) fs::remove_all(path_, ignored);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool remove_;
};

struct Load {
  Dataset data;
  LoadTimings t;
  double wall = 0, cpu = 0;
};

Load timed_load(const spec::Spec& spec, std::ostream& quiet, bool expect_cache) {
  Load l;
  LoadOptions options;
  options.log = &quiet;
  options.timings = &l.t;
  const auto wall = Clock::now();
  const double cpu = cpu_now();
  l.data = Dataset::load(spec, options);
  l.wall = since(wall);
  l.cpu = cpu_now() - cpu;
  if (l.data.cache_path().empty()) throw DataError("bench: the data cache was not written (see its warnings)");
  if (l.data.from_cache() != expect_cache)
    throw DataError(expect_cache ? "bench: the second load missed the cache" : "bench: the first load hit a cache");
  return l;
}

// One epoch of training batches (gather + padding + buckets), as the trainer would see them.
void batch_epoch(const Dataset& d, std::int64_t batch_size, std::ostream& out) {
  BatcherOptions bo;
  bo.batch_size = batch_size;
  Batcher batcher(d, bo);
  Batch batch;
  const auto t = Clock::now();
  std::int64_t n = 0, padded = 0, valid = 0;
  while (batcher.next(batch)) {
    n += batch.size;
    padded += batch.size * batch.groups[0].max_len;
    for (auto len : batch.groups[0].lengths) valid += len;
  }
  const double padding = padded ? 100.0 * static_cast<double>(padded - valid) / static_cast<double>(padded) : 0.0;
  out << fmt::format("batch epoch  {:8.3f} s  {} examples in batches of {}; padding {:.1f}% of history slots\n",
                     since(t), n, batch_size, padding);
}

}  // namespace

void run_data_bench(const DataBenchOptions& o, std::ostream& out) {
  const WorkDir dir(o);
  out << "bench-data in " << dir.path() << "\n" << std::flush;
  auto t = Clock::now();
  const SynthSummary s = write_synthetic(dir.path() + "/synthetic", o.synth);
  out << fmt::format("generate     {:8.3f} s  {} users, {} items, {} categories, {} events\n", since(t), s.users,
                     s.items, s.categories, s.events);
  const spec::Spec spec = bench_spec(dir.path(), o.negatives);
  std::error_code ec;
  fs::remove_all(spec.data.cache_dir, ec);
  if (ec) throw DataError("cannot remove " + spec.data.cache_dir + ": " + ec.message());

  std::ostringstream quiet;
  {
    const Load cold = timed_load(spec, quiet, false);
    out << fmt::format("hash inputs  {:8.3f} s  (cache key)\n", cold.t.key);
    out << fmt::format("import       {:8.3f} s  (csv parse + id remap)\n", cold.t.import);
    out << fmt::format("build        {:8.3f} s  (sort, histories, negatives: the counting run)\n", cold.t.build);
    out << fmt::format("write cache  {:8.3f} s  (the same build streamed into {}, {:.0f} MB)\n", cold.t.write,
                       cold.data.cache_path(),
                       static_cast<double>(fs::file_size(cold.data.cache_path())) / kMegabyte);
    out << fmt::format("map written  {:8.3f} s  (map, checksums, invariants of the file just written)\n",
                       cold.t.map + cold.t.verify + cold.t.check);
    out << fmt::format("IMPORT+BUILD {:8.3f} s  total ({:.3f} s CPU)\n", cold.wall, cold.cpu);
  }
  const Load warm = timed_load(spec, quiet, true);
  const Dataset& d = warm.data;
  const std::int64_t train = 2 * d.num_cases(Split::train), test = d.num_cases(Split::test);
  out << fmt::format("CACHE LOAD   {:8.3f} s  ({:.3f} s CPU) = {:.3f} s per million examples "
                     "({} training examples, {} test cases); of which\n",
                     warm.wall, warm.cpu, warm.wall / (static_cast<double>(train + test) / 1e6), train, test);
  out << fmt::format("  hash inputs    {:8.3f} s\n", warm.t.key);
  out << fmt::format("  map + decode   {:8.3f} s  (mmap, vocabulary, layout)\n", warm.t.map);
  out << fmt::format("  checksums      {:8.3f} s  (XXH3-64 of every section)\n", warm.t.verify);
  out << fmt::format("  invariants     {:8.3f} s  (ids within their spaces, histories within sequences)\n",
                     warm.t.check);
  batch_epoch(d, o.batch_size, out);
}

}  // namespace atrank::data
