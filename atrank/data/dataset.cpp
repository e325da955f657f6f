// Load path: key -> mapped cache file, or import -> count -> build streamed into an atomic cache
// write -> map (the examples are never all in memory: Taobao-scale data fits one machine). Without
// a cache the examples are built in memory and go through the blob image, so the cached and
// fresh paths read the same bytes.
#include "atrank/data/dataset.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

#include "atrank/data/cache_files.hpp"
#include "atrank/data/data_error.hpp"
#include "atrank/data/examples.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/paths.hpp"

namespace atrank::data {

namespace {

using Clock = std::chrono::steady_clock;

// Seconds since construction, added to a LoadTimings field by lap().
class Stopwatch {
 public:
  void lap(double& into) {
    const auto now = Clock::now();
    into += std::chrono::duration<double>(now - start_).count();
    start_ = now;
  }

 private:
  Clock::time_point start_ = Clock::now();
};

// Says which cache files prune_cache_dir() removed (nothing when none).
void report_pruned(const std::vector<std::string>& removed, const std::string& dir, std::ostream& out) {
  if (removed.empty()) return;
  out << "atrank: removed " << removed.size() << " least recently used data cache file(s) from " << dir
      << " (a cache directory keeps " << kCacheFilesKept << ")\n";
}

}  // namespace

Dataset Dataset::from_blob(Blob blob, const spec::Spec& spec, LoadTimings& timings) {
  Stopwatch watch;
  Dataset d;
  d.blob_ = std::move(blob);
  d.views_ = read_prepared(d.blob_);
  d.layout_ = make_layout(spec, d.views_.vocab, d.views_.behavior_space);
  watch.lap(timings.map);
  check_prepared(d.views_, d.layout_);
  watch.lap(timings.check);
  return d;
}

Dataset Dataset::from_events(EventLog log, const spec::Spec& spec) {
  const Layout layout = make_layout(spec, log.vocab, log.behavior_space);
  PreparedData prepared = build_examples(std::move(log), layout, build_options(spec));
  BlobWriter writer;
  write_prepared(prepared, writer);
  LoadTimings ignored;
  return from_blob(Blob::from_image(writer.image(0, 0)), spec, ignored);
}

Dataset Dataset::load(const spec::Spec& spec, const LoadOptions& options) {
  std::ostream& log = options.log ? *options.log : std::cerr;
  LoadTimings local;
  LoadTimings& timings = options.timings ? *options.timings : local;
  Stopwatch watch;
  const CacheKey key = cache_key(spec);  // hashes the inputs: also checks they exist
  watch.lap(timings.key);
  const std::string path = cache_file(spec, key);
  std::error_code missing;
  if (options.use_cache && std::filesystem::exists(path, missing)) {
    try {
      Dataset d = map_cache(path, key, spec, timings);
      d.from_cache_ = true;
      mark_used(path);
      print_warnings(d.report(), log);
      return d;
    } catch (const DataError& e) {
      log << "atrank: warning: data cache " << path << " is unusable (" << e.what() << "); rebuilding it\n";
    }
  }
  Stopwatch build_watch;
  EventLog events = import_events(spec.data);
  build_watch.lap(timings.import);
  const Layout layout = make_layout(spec, events.vocab, events.behavior_space);
  const BuildOptions build = build_options(spec);
  bool warned = false;
  if (options.use_cache) {
    ImportReport report = events.report;
    const PreparedSizes sizes = count_examples(events, layout, build, report);
    build_watch.lap(timings.build);
    print_warnings(report, log);
    warned = true;
    const std::string dir = std::filesystem::path(path).parent_path().string();
    bool written = false;
    try {
      make_dirs(dir);
      write_prepared_file(path, key.lo, key.hi, events, layout, build, sizes, report);
      build_watch.lap(timings.write);
      written = true;
    } catch (const DataError& e) {
      log << "atrank: warning: data cache not written (" << e.what() << "); keeping data in memory\n";
    }
    if (written) {
      report_pruned(prune_cache_dir(dir, path, kCacheFilesKept), dir, log);
      events = EventLog();  // the mapped file replaces it (a file that fails its checks now is an error)
      return map_cache(path, key, spec, timings);
    }
  }
  PreparedData prepared = build_examples(std::move(events), layout, build);
  build_watch.lap(timings.build);
  if (!warned) print_warnings(prepared.report, log);
  BlobWriter writer;
  write_prepared(prepared, writer);  // views into `prepared`, which outlives the image below
  return from_blob(Blob::from_image(writer.image(key.lo, key.hi)), spec, timings);
}

Dataset Dataset::map_cache(const std::string& path, const CacheKey& key, const spec::Spec& spec,
                           LoadTimings& timings) {
  Stopwatch watch;
  Blob blob = Blob::map_file(path, key.lo, key.hi);
  watch.lap(timings.map);
  blob.verify();
  watch.lap(timings.verify);
  Dataset d = from_blob(std::move(blob), spec, timings);
  d.cache_path_ = path;
  return d;
}

Dataset::History Dataset::history(Split s, std::int64_t c, int g) const {
  const CasesView& cases = split(s);
  const SequencesView& seq = views_.groups[g];
  const std::int64_t base = seq.offsets[static_cast<std::size_t>(cases.users[c])];
  std::int64_t end = cases.ends[static_cast<std::size_t>(c * num_groups() + g)];
  std::int64_t begin = 0;
  if (layout_.history_cap > 0 && end > layout_.history_cap) begin = end - layout_.history_cap;
  History h;
  h.objects = seq.objects.data() + base + begin;
  h.behaviors = seq.behaviors.data() + base + begin;
  h.times = seq.times.data() + base + begin;
  h.length = end - begin;
  return h;
}

std::int64_t Dataset::history_length(Split s, std::int64_t c) const {
  const CasesView& cases = split(s);
  const int G = num_groups();
  std::int64_t total = 0;
  for (int g = 0; g < G; ++g) {
    std::int64_t len = cases.ends[static_cast<std::size_t>(c * G + g)];
    if (layout_.history_cap > 0 && len > layout_.history_cap) len = layout_.history_cap;
    total += len;
  }
  return total;
}

namespace {

// The part of `key` between `prefix` and `suffix` ("task.item.users_too_few_events" -> "item"),
// or nullopt when `key` does not have that shape.
std::optional<std::string> between(const std::string& key, const std::string& prefix, const std::string& suffix) {
  if (key.size() < prefix.size() + suffix.size() || key.compare(0, prefix.size(), prefix) != 0 ||
      key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  return key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
}

}  // namespace

void print_warnings(const ImportReport& report, std::ostream& out) {
  const std::int64_t skipped = report.get("skipped_lines");
  if (skipped) {
    out << "atrank: warning: skipped " << skipped << " malformed line(s) (data.skip_bad_lines)";
    out << (report.messages.empty() ? "\n" : "; first:\n");
    for (const auto& m : report.messages) out << "  " << m << "\n";
  }
  for (const auto& [key, n] : report.counts) {
    if (const auto attribute = between(key, "missing.", ""))
      out << "atrank: warning: " << n << " object(s) without " << *attribute << " get the reserved unknown id\n";
    if (const auto attribute = between(key, "conflicts.", ""))
      out << "atrank: warning: " << n << " later value(s) of " << *attribute
          << " differ from an object's first value (first kept)\n";
    if (key == "events_in_no_group")
      out << "atrank: warning: " << n << " event(s) have a behavior in no group and are ignored\n";
    if (key == "eval_cases_with_repeated_negatives")
      out << "atrank: warning: " << n << " valid/test case(s) have fewer untouched objects than "
          << "eval.negatives: their negatives repeat\n";
    if (key == "users_dropped.min_events")
      out << "atrank: warning: " << n << " user(s) dropped: fewer than data.min_events events\n";
    if (const auto task = between(key, "task.", ".users_too_few_events"))
      out << "atrank: warning: " << n << " user(s) have too few target events for a " << *task
          << " test case: no cases of that task for them\n";
    if (const auto task = between(key, "task.", ".users_touched_everything"))
      out << "atrank: warning: " << n << " user(s) touched every object of " << *task
          << ": no negative to sample, no cases of that task for them\n";
  }
}

}  // namespace atrank::data
