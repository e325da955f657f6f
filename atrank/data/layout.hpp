// How a spec cuts the data: behavior groups (each with its own history and time buckets) and
// tasks (whose target group's events become the examples). Resolved against the vocabulary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::data {

struct Layout {
  struct Group {
    std::string name;
    std::string object_space;
    std::vector<std::int32_t> behaviors;  // behavior ids in this group
    std::vector<std::int64_t> edges;      // ascending bucket edges
    std::int64_t unit_seconds = 86400;    // gaps in these units (group time.unit_seconds, else data's)
  };
  struct Task {
    std::string name;
    int group = 0;  // target group index
  };
  std::vector<Group> groups;
  std::vector<Task> tasks;
  std::int64_t history_cap = 0;

  int group_index(const std::string& name) const;
};

// Groups with no behaviors listed take every behavior of their object space; a spec without
// groups gets one group "history" of all behaviors of data.object_space; a spec without tasks
// gets one task on the first group. Throws DataError on behaviors or groups that do not exist.
Layout make_layout(const spec::Spec& spec, const Vocabulary& vocab,
                   const std::vector<std::string>& behavior_space);

// The authors' bucket: gap = day(target) - day(event) + 1 with day = floor(t / unit);
// bucket = number of edges <= gap (edges 2,4,...,4096 -> buckets 0..12, 12 = beyond the last edge).
inline std::int32_t time_bucket(const std::vector<std::int64_t>& edges, std::int64_t unit,
                                std::int64_t target_time, std::int64_t event_time) {
  auto floor_div = [](std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  };
  const std::int64_t gap = floor_div(target_time, unit) - floor_div(event_time, unit) + 1;
  std::int32_t b = 0;
  for (std::int64_t e : edges) b += (e <= gap);  // edges are few (12); a scan beats a search
  return b;
}

}  // namespace atrank::data
