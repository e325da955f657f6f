// The importers' common output: every event (user, behavior, object, time) with dense ids,
// the vocabulary those ids live in, and a report of what was skipped, missing or dropped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "atrank/data/batch.hpp"

namespace atrank::data {

// Counters and messages of one import/build, printed by `atrank data stats` and at load:
// nothing is skipped or defaulted silently.
struct ImportReport {
  std::vector<std::string> files;              // input files read, in order
  std::map<std::string, std::int64_t> counts;  // "lines", "skipped_lines", "missing.item.category", ...
  std::vector<std::string> messages;           // the first skipped-line messages (file:line: problem)

  static constexpr std::size_t kMaxMessages = 10;
  void add(const std::string& key, std::int64_t n = 1) { counts[key] += n; }
  std::int64_t get(const std::string& key) const {
    auto it = counts.find(key);
    return it == counts.end() ? 0 : it->second;
  }
  void message(std::string m) {
    if (messages.size() < kMaxMessages) messages.push_back(std::move(m));
  }
};

// Events in file order (the builder sorts per user, stably, so equal times keep file order).
struct EventLog {
  std::vector<std::int32_t> users;
  std::vector<std::int32_t> behaviors;
  std::vector<std::int32_t> objects;   // id in the object space of the event's behavior
  std::vector<std::int64_t> times;     // unix seconds
  // Spaces: "user", "behavior", one per object space, one per attribute (real values + 1 unknown).
  Vocabulary vocab;
  std::vector<std::string> behavior_space;  // behavior id -> its object space
  ImportReport report;

  std::size_t size() const { return users.size(); }
};

}  // namespace atrank::data
