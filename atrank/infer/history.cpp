// Histories for inference, built the way the batcher builds training histories.
#include "atrank/infer/history.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace atrank::infer {

UserHistory dataset_history(const data::Dataset& data, std::int32_t user) {
  UserHistory h;
  h.user = user;
  h.groups.resize(std::size_t(data.num_groups()));
  bool any = false;
  for (int g = 0; g < data.num_groups(); ++g) {
    const data::SequencesView& seq = data.sequences(g);
    const auto begin = std::size_t(seq.offsets[std::size_t(user)]), end = std::size_t(seq.offsets[std::size_t(user) + 1]);
    UserHistory::Group& out = h.groups[std::size_t(g)];
    out.objects.assign(seq.objects.data() + begin, seq.objects.data() + end);
    out.behaviors.assign(seq.behaviors.data() + begin, seq.behaviors.data() + end);
    out.times.assign(seq.times.data() + begin, seq.times.data() + end);
    if (end > begin) {
      h.now = any ? std::max(h.now, out.times.back()) : out.times.back();
      any = true;
    }
  }
  return h;
}

UserHistory input_history(const data::Layout& layout, std::vector<Event> events, bool has_time, std::int64_t time) {
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
  UserHistory h;
  h.groups.resize(layout.groups.size());
  for (const Event& e : events)
    for (std::size_t g = 0; g < layout.groups.size(); ++g) {
      const auto& behaviors = layout.groups[g].behaviors;
      if (std::find(behaviors.begin(), behaviors.end(), e.behavior) == behaviors.end()) continue;
      h.groups[g].objects.push_back(e.object);
      h.groups[g].behaviors.push_back(e.behavior);
      h.groups[g].times.push_back(e.time);
    }
  h.now = has_time ? time : (events.empty() ? 0 : events.back().time);
  return h;
}

namespace {

// The first event of a group's n that fill_batch keeps (the history_cap most recent).
std::int64_t first_kept(const data::Layout& layout, std::int64_t n) {
  return layout.history_cap > 0 && n > layout.history_cap ? n - layout.history_cap : 0;
}

}  // namespace

std::int64_t history_length(const data::Layout& layout, const UserHistory& h) {
  std::int64_t total = 0;
  for (const auto& g : h.groups) {
    const auto n = std::int64_t(g.objects.size());
    total += n - first_kept(layout, n);
  }
  return total;
}

void fill_batch(const data::Layout& layout, const UserHistory& h, data::Batch& out) {
  if (h.groups.size() != layout.groups.size())
    throw std::invalid_argument("fill_batch: the history has " + std::to_string(h.groups.size()) +
                                " groups, the layout " + std::to_string(layout.groups.size()));
  out.size = 1;
  out.groups.resize(layout.groups.size());
  for (std::size_t g = 0; g < layout.groups.size(); ++g) {
    const UserHistory::Group& in = h.groups[g];
    const data::Layout::Group& group = layout.groups[g];
    const std::int64_t n = std::int64_t(in.objects.size());
    const std::int64_t first = first_kept(layout, n);
    data::GroupBatch& gb = out.groups[g];
    gb.max_len = n - first;
    gb.lengths.assign(1, std::int32_t(n - first));
    gb.objects.assign(in.objects.begin() + first, in.objects.end());
    gb.behaviors.assign(in.behaviors.begin() + first, in.behaviors.end());
    gb.buckets.resize(std::size_t(n - first));
    for (std::int64_t i = first; i < n; ++i)
      gb.buckets[std::size_t(i - first)] =
          data::time_bucket(group.edges, group.unit_seconds, h.now, in.times[std::size_t(i)]);
  }
  // Only a dataset user has a user row (what the bpr encoder looks up).
  if (h.user >= 0) out.users.assign(1, h.user);
  else out.users.clear();
  out.task.clear();
  out.targets.clear();
  out.labels.clear();
  out.candidates_per_example = 0;
  out.candidates.clear();
  out.cases.clear();
}

std::vector<char> seen_objects(const data::Layout& layout, const UserHistory& h, const std::string& space,
                               std::int64_t n) {
  std::vector<char> seen(std::size_t(n), 0);
  for (std::size_t g = 0; g < layout.groups.size(); ++g) {
    if (layout.groups[g].object_space != space) continue;
    for (const std::int32_t o : h.groups[g].objects)
      if (o >= 0 && o < n) seen[std::size_t(o)] = 1;
  }
  return seen;
}

}  // namespace atrank::infer
