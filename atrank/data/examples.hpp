// Example building as the authors' build_dataset.py: per user, events stably sorted by time;
// every later target event is a case whose history is everything before it; the last target is
// the test case (the one before it the validation case with split = "valid"); seeded negatives.
#pragma once

#include <cstdint>

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

// Consumes the log (its vocabulary and report move into the result).
PreparedData build_examples(EventLog log, const Layout& layout, const BuildOptions& options);

}  // namespace atrank::data
