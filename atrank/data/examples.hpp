// Example building as the authors' build_dataset.py: per user, events stably sorted by time;
// every later target event is a case whose history is everything before it; the last target is
// the test case (the one before it the validation case with split = "valid"); seeded negatives.
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/data/events.hpp"
#include "atrank/data/layout.hpp"
#include "atrank/data/prepared.hpp"
#include "atrank/spec/choices.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::data {

struct BuildOptions {
  spec::SplitScheme split = spec::SplitScheme::Last;
  std::uint64_t seed = 1234;
  std::int64_t min_events = 0;      // users with fewer grouped events are dropped
  std::int64_t eval_negatives = 1;  // negatives per valid/test case (the first is the AUC pair's)
};

BuildOptions build_options(const spec::Spec& spec);

// K of a split's cases: 2 for training (positive, negative), 1 + eval_negatives for valid/test.
std::int64_t candidates_per_case(Split split, const BuildOptions& options);

// One user's share of the prepared arrays: per group the user's events in time order (offsets
// unused), per split the user's cases (candidates_per_case unused).
struct UserExamples {
  std::vector<PreparedData::Sequences> groups;
  PreparedData::Cases splits[kSplits];

  void clear();  // keeps the capacity (the builder reuses one for every user)
};

// Receives the examples user after user, in ascending user id (every user, also those without
// events or cases): keeps them in memory, counts them, or writes them to a cache file.
class ExampleSink {
 public:
  virtual ~ExampleSink() = default;
  virtual void add_user(const UserExamples& user) = 0;
};

// Builds every user's examples into `sink` and adds the build's counters (behaviors, dropped
// users, ...) to `report`. Throws DataError when no user has a case (after the last user).
// Deterministic: a second run gives the sink the same examples (the cache file is written by a
// counting run and a writing run, so that no more than one user's examples are ever held).
void build_examples(const EventLog& log, const Layout& layout, const BuildOptions& options, ExampleSink& sink,
                    ImportReport& report);

// Lengths of the prepared arrays, from a counting run.
struct PreparedSizes {
  std::vector<std::int64_t> group_events;  // per group
  std::int64_t cases[kSplits] = {};
  std::int64_t users = 0;
};
PreparedSizes count_examples(const EventLog& log, const Layout& layout, const BuildOptions& options,
                             ImportReport& report);

// In memory. Consumes the log (its vocabulary and report move into the result).
PreparedData build_examples(EventLog log, const Layout& layout, const BuildOptions& options);

}  // namespace atrank::data
