// A user's history as inference feeds it to the model: per behavior group
// the user's events oldest first, and the moment the user is scored at. A
// dataset user's history is all of the user's events (each group capped at
// data.history_cap most recent, as in training), scored at the time of the
// user's last event; an input history's events go to the groups of their
// behaviors, ordered by time (ties keep the input's order).
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/data/layout.hpp"

namespace atrank::infer {

// One event as rows of the run's id spaces.
struct Event {
  std::int32_t object = 0;
  std::int32_t behavior = 0;
  std::int64_t time = 0;  // unix seconds
};

struct UserHistory {
  std::int32_t user = -1;  // dataset user row (-1 for an input history)
  struct Group {
    std::vector<std::int32_t> objects, behaviors;
    std::vector<std::int64_t> times;
  };
  std::vector<Group> groups;  // the layout's groups
  std::int64_t now = 0;       // buckets measure gaps up to this time
};

// Dataset user `user`'s events (all of them; the cap applies in fill_batch),
// `now` = the time of the user's last event.
UserHistory dataset_history(const data::Dataset& data, std::int32_t user);

// Input events (any order) of a user: each goes to every group holding its
// behavior; `now` = `time` when given (has_time), else the last event's time.
UserHistory input_history(const data::Layout& layout, std::vector<Event> events, bool has_time, std::int64_t time);

// The batch of one example Model::encode_history reads: each group's
// history_cap most recent events with their time buckets against `now`.
void fill_batch(const data::Layout& layout, const UserHistory& h, data::Batch& out);

// The number of events fill_batch feeds the model (each group capped).
std::int64_t history_length(const data::Layout& layout, const UserHistory& h);

// Objects of `space` the history holds (in any group whose objects live in
// `space`), as a mask over the space's n rows: what recommend excludes.
std::vector<char> seen_objects(const data::Layout& layout, const UserHistory& h, const std::string& space,
                               std::int64_t n);

}  // namespace atrank::infer
