// Prepared examples as flat arrays: per group, every user's events in time order (offsets +
// values); per split, one row per case that points at a prefix of those sequences. Histories are
// prefixes, so storage is O(events), not O(events^2), and a batch is a gather.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/data/events.hpp"

namespace atrank::data {

enum class Split { train = 0, valid = 1, test = 2 };
constexpr int kSplits = 3;
const char* split_name(Split s);

// Output of build_examples (owned); the cache stores exactly these arrays.
struct PreparedData {
  // Group g's events of user u are [offsets[u], offsets[u+1]) of objects/behaviors/times.
  struct Sequences {
    std::vector<std::int64_t> offsets;   // (users + 1)
    std::vector<std::int32_t> objects;   // (events of the group)
    std::vector<std::int32_t> behaviors;
    std::vector<std::int64_t> times;     // unix seconds (buckets depend on the target's time)
  };
  // One case = one target event of one task: its history is, per group, the first ends[g]
  // events of the user's group sequence (the events strictly before the target in time order).
  struct Cases {
    std::vector<std::int32_t> users;       // (N)
    std::vector<std::int32_t> tasks;       // (N) index into the layout's tasks
    std::vector<std::int64_t> times;       // (N) target time
    std::vector<std::int32_t> ends;        // (N, G)
    std::vector<std::int32_t> candidates;  // (N, K): positive first, then sampled negatives
    std::int64_t candidates_per_case = 0;  // K: 2 for training, 1 + eval negatives for valid/test
  };
  Vocabulary vocab;
  std::vector<std::string> behavior_space;  // behavior id -> object space
  std::vector<std::string> group_names;
  std::vector<Sequences> groups;
  Cases splits[kSplits];
  ImportReport report;

  Cases& split(Split s) { return splits[static_cast<int>(s)]; }
  const Cases& split(Split s) const { return splits[static_cast<int>(s)]; }
};

}  // namespace atrank::data

#include "atrank/data/span.hpp"

namespace atrank::data {

// The same arrays as read-only views (into a mapped cache file or an in-memory image).
struct SequencesView {
  Span<std::int64_t> offsets;
  Span<std::int32_t> objects, behaviors;
  Span<std::int64_t> times;
};
struct CasesView {
  Span<std::int32_t> users, tasks;
  Span<std::int64_t> times;
  Span<std::int32_t> ends, candidates;
  std::int64_t candidates_per_case = 0;
  std::int64_t size() const { return static_cast<std::int64_t>(users.size()); }
};

}  // namespace atrank::data
