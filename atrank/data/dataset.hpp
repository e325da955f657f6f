// The training side's view of the data: vocabulary, the train/valid/test cases and their
// histories, loaded from the binary cache or built (and cached) from the raw files.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/data/blob.hpp"
#include "atrank/data/cache.hpp"
#include "atrank/data/cache_key.hpp"
#include "atrank/data/events.hpp"
#include "atrank/data/layout.hpp"
#include "atrank/data/prepared.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::data {

// Seconds spent in each step of Dataset::load (steps it did not take stay 0).
struct LoadTimings {
  double key = 0;     // hashing the input files and the spec (cache key)
  double import = 0;  // reading the input files into events
  double build = 0;   // examples: per-user sort, histories, negatives (with a cache: the counting run)
  double write = 0;   // writing the cache file (the examples built again, streamed into it)
  double map = 0;     // mapping the cache file, decoding its vocabulary and report
  double verify = 0;  // section checksums of the mapped file
  double check = 0;   // array invariants (ids within their spaces, histories within sequences)
};

struct LoadOptions {
  bool use_cache = true;        // read and write <cache_dir>/<key>.atrank-data
  std::ostream* log = nullptr;  // where warnings (skipped lines, unknown attributes, ...) go; null = stderr
  LoadTimings* timings = nullptr;  // filled when given (atrank data bench)
};

class Dataset {
 public:
  // Cache hit: maps the file, verifies its checksums and invariants. Miss (or a damaged file,
  // with a warning naming it): imports, builds, writes the cache atomically, removes the least
  // recently used cache files beyond kCacheFilesKept, maps it. If the cache cannot be written,
  // keeps the prepared data in memory (and says so in the log).
  static Dataset load(const spec::Spec& spec, const LoadOptions& options = {});
  // Builds from an already imported log, in memory only (tests, benchmarks).
  static Dataset from_events(EventLog log, const spec::Spec& spec);

  const Vocabulary& vocab() const { return views_.vocab; }
  const Layout& layout() const { return layout_; }
  // behavior id -> the id space of its objects.
  const std::vector<std::string>& behavior_space() const { return views_.behavior_space; }
  const ImportReport& report() const { return views_.report; }
  int num_groups() const { return static_cast<int>(layout_.groups.size()); }

  std::int64_t num_cases(Split s) const { return split(s).size(); }
  // K: 2 for train (positive, negative), 1 + eval.negatives for valid/test.
  std::int64_t candidates_per_case(Split s) const { return split(s).candidates_per_case; }
  std::int32_t user(Split s, std::int64_t c) const { return split(s).users[c]; }
  std::int32_t task(Split s, std::int64_t c) const { return split(s).tasks[c]; }
  std::int64_t target_time(Split s, std::int64_t c) const { return split(s).times[c]; }
  // (K) candidates of case c, positive first.
  const std::int32_t* candidates(Split s, std::int64_t c) const {
    return split(s).candidates.data() + c * split(s).candidates_per_case;
  }
  std::int32_t positive(Split s, std::int64_t c) const { return candidates(s, c)[0]; }

  // Group g's history of case c, oldest first, after data.history_cap (the most recent N kept).
  struct History {
    const std::int32_t* objects = nullptr;
    const std::int32_t* behaviors = nullptr;
    const std::int64_t* times = nullptr;
    std::int64_t length = 0;
  };
  History history(Split s, std::int64_t c, int g) const;
  // Sum of the capped history lengths over groups (what batching groups by).
  std::int64_t history_length(Split s, std::int64_t c) const;
  // Time bucket of a history event of group g relative to case c's target.
  std::int32_t bucket(Split s, std::int64_t c, int g, std::int64_t event_time) const {
    const Layout::Group& group = layout_.groups[g];
    return time_bucket(group.edges, group.unit_seconds, target_time(s, c), event_time);
  }

  // Whole-data facts for stats.
  const SequencesView& sequences(int g) const { return views_.groups[g]; }
  bool from_cache() const { return from_cache_; }
  const std::string& cache_path() const { return cache_path_; }  // empty when in memory only

 private:
  const CasesView& split(Split s) const { return views_.split(s); }
  static Dataset from_blob(Blob blob, const spec::Spec& spec, LoadTimings& timings);
  static Dataset map_cache(const std::string& path, const CacheKey& key, const spec::Spec& spec,
                           LoadTimings& timings);

  Blob blob_;
  PreparedViews views_;
  Layout layout_;
  bool from_cache_ = false;
  std::string cache_path_;
};

// Writes the report's warnings (skipped lines and their first messages, objects without an
// attribute, dropped users) to `out`; prints nothing when there is nothing to warn about.
void print_warnings(const ImportReport& report, std::ostream& out);

}  // namespace atrank::data
