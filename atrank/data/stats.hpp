// The summary `atrank data stats` prints: users, objects, attribute values, events per behavior,
// cases per split, history-length percentiles, and everything the import skipped or defaulted.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <vector>

#include "atrank/data/dataset.hpp"

namespace atrank::data {

struct LengthSummary {
  std::int64_t count = 0;
  double mean = 0;
  std::int64_t p50 = 0, p90 = 0, p99 = 0, max = 0;
};

// Capped history lengths of a split's cases: over all groups (g = -1) or one group.
LengthSummary history_lengths(const Dataset& data, Split split, int g = -1);

void print_stats(const Dataset& data, std::ostream& out);

}  // namespace atrank::data
