// Load path: key -> mapped cache file, or import -> build -> atomic cache write -> map. Built data
// always goes through the blob image, so the cached and fresh paths read the same bytes.
#include "atrank/data/dataset.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "atrank/data/data_error.hpp"
#include "atrank/data/examples.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/paths.hpp"

namespace atrank::data {

namespace {

bool file_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

}  // namespace

Dataset Dataset::from_blob(Blob blob, const spec::Spec& spec) {
  Dataset d;
  d.blob_ = std::move(blob);
  d.views_ = read_prepared(d.blob_);
  d.layout_ = make_layout(spec, d.views_.vocab, d.views_.behavior_space);
  if (d.layout_.groups.size() != d.views_.group_names.size())
    throw DataError("data cache does not match the spec's groups");
  return d;
}

Dataset Dataset::from_events(EventLog log, const spec::Spec& spec) {
  const Layout layout = make_layout(spec, log.vocab, log.behavior_space);
  PreparedData prepared = build_examples(std::move(log), layout, build_options(spec));
  BlobWriter writer;
  write_prepared(prepared, writer);
  return from_blob(Blob::from_image(writer.image(0, 0)), spec);
}

Dataset Dataset::load(const spec::Spec& spec, const LoadOptions& options) {
  std::ostream& log = options.log ? *options.log : std::cerr;
  const CacheKey key = cache_key(spec);  // hashes the inputs: also checks they exist
  const std::string path = cache_file(spec, key);
  if (options.use_cache && file_exists(path)) {
    try {
      Dataset d = from_blob(Blob::map_file(path, key.lo, key.hi), spec);
      d.from_cache_ = true;
      d.cache_path_ = path;
      d.key_ = key;
      print_warnings(d.report(), log);
      return d;
    } catch (const DataError& e) {
      log << "atrank: warning: ignoring unreadable data cache (" << e.what() << "); rebuilding\n";
    }
  }
  EventLog events = import_events(spec.data);
  const Layout layout = make_layout(spec, events.vocab, events.behavior_space);
  PreparedData prepared = build_examples(std::move(events), layout, build_options(spec));
  print_warnings(prepared.report, log);
  BlobWriter writer;
  write_prepared(prepared, writer);  // views into `prepared`, which outlives the writes below
  Dataset d;
  bool cached = false;
  if (options.use_cache) {
    try {
      make_dirs(path.substr(0, path.find_last_of('/')));
      writer.write_atomic(path, key.lo, key.hi);
      d = from_blob(Blob::map_file(path, key.lo, key.hi), spec);
      d.cache_path_ = path;
      cached = true;
    } catch (const DataError& e) {
      log << "atrank: warning: data cache not written (" << e.what() << "); keeping data in memory\n";
    }
  }
  if (!cached) d = from_blob(Blob::from_image(writer.image(key.lo, key.hi)), spec);
  d.key_ = key;
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

void print_warnings(const ImportReport& report, std::ostream& out) {
  const std::int64_t skipped = report.get("skipped_lines");
  if (skipped) {
    out << "atrank: warning: skipped " << skipped << " malformed line(s) (data.skip_bad_lines)";
    out << (report.messages.empty() ? "\n" : "; first:\n");
    for (const auto& m : report.messages) out << "  " << m << "\n";
  }
  for (const auto& [key, n] : report.counts) {
    if (key.rfind("missing.", 0) == 0)
      out << "atrank: warning: " << n << " object(s) without " << key.substr(8)
          << " get the reserved unknown id\n";
    if (key.rfind("conflicts.", 0) == 0)
      out << "atrank: warning: " << n << " later value(s) of " << key.substr(10)
          << " differ from an object's first value (first kept)\n";
    if (key == "events_in_no_group")
      out << "atrank: warning: " << n << " event(s) have a behavior in no group and are ignored\n";
    if (key == "eval_cases_with_repeated_negatives")
      out << "atrank: warning: " << n << " valid/test case(s) have fewer untouched objects than "
          << "eval.negatives: their negatives repeat\n";
    if (key == "users_dropped.min_events")
      out << "atrank: warning: " << n << " user(s) dropped: fewer than data.min_events events\n";
    if (key.rfind("task.", 0) == 0 && key.find(".users_too_few_events") != std::string::npos)
      out << "atrank: warning: " << n << " user(s) have too few target events for a "
          << key.substr(5, key.find(".users_too_few_events") - 5) << " test case: no cases of that task for them\n";
    if (key.rfind("task.", 0) == 0 && key.find(".users_touched_everything") != std::string::npos)
      out << "atrank: warning: " << n << " user(s) touched every object of "
          << key.substr(5, key.find(".users_touched_everything") - 5)
          << ": no negative to sample, no cases of that task for them\n";
  }
}

}  // namespace atrank::data
