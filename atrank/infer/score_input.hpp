// The input of `atrank score` (and of `recommend --history`, `explain --history`): JSON lines,
// each one user's history and what to score, in raw ids:
//   {"history": [{"object": "B0001", "behavior": "review", "time": 1388534400}, ...],
//    "candidates": ["B0002", 17], "task": "item", "time": "2014-01-02", "user": "alice"}
// history (required, may be empty): events with `object` (a string or an
// integer id), `behavior` (optional when the run's data has one behavior)
// and `time` (unix seconds, or a string: digits or an ISO date[time], UTC).
// candidates: objects of the task's target space (score; explain's target); task:
// optional, the command's task by default; time: the moment of scoring
// (time buckets measure gaps up to it), by default the last event's time;
// user: an optional label echoed in the output. Unknown fields are errors.
// Parsing is a pure function of the bytes: fuzzers call read_score_input.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "atrank/data/id_map.hpp"
#include "atrank/data/id_maps.hpp"
#include "atrank/data/layout.hpp"
#include "atrank/infer/history.hpp"

namespace atrank::infer {

// A bad line: what() is "<source>:<line>: <field>: <problem>".
class ScoreInputError : public std::runtime_error {
 public:
  ScoreInputError(const std::string& source, std::int64_t line, const std::string& field, const std::string& problem)
      : std::runtime_error(source + ":" + std::to_string(line) + ": " + (field.empty() ? "" : field + ": ") + problem),
        line_(line) {}
  std::int64_t line() const { return line_; }

 private:
  std::int64_t line_;
};

// What input lines may name, resolved against a run's id maps and layout.
class ScoreSchema {
 public:
  // `candidates`: whether lines carry candidates (score) or must not (recommend);
  // `candidates_required` = false lets a line carrying them leave them out (explain).
  ScoreSchema(const data::IdMaps& ids, const data::Layout& layout, bool candidates, bool candidates_required = true);

  bool wants_candidates() const { return candidates_; }
  bool requires_candidates() const { return candidates_ && candidates_required_; }
  int tasks() const { return int(tasks_.size()); }
  // Task index of `name`, or -1.
  int task(std::string_view name) const;
  // Behavior row of `name`, or -1; the behavior used when an event names none (-1: required).
  int behavior(std::string_view name) const;
  int default_behavior() const { return default_behavior_; }
  // Whether some group holds behavior b (the model reads its events).
  bool in_a_group(int b) const { return grouped_[std::size_t(b)]; }
  // Row of raw id `raw` in the objects of behavior b, or of task k's targets; -1 when unknown.
  std::int32_t object_of_behavior(int b, std::string_view raw) const;
  std::int32_t target_of_task(int k, std::string_view raw) const;
  const std::string& space_of_behavior(int b) const { return behavior_space_[std::size_t(b)]; }
  const std::string& space_of_task(int k) const { return tasks_[std::size_t(k)].space; }
  std::string task_names() const;
  std::string behavior_names() const;

 private:
  struct Task {
    std::string name, space;
  };
  const data::IdMap& lookup(const std::string& space) const;

  bool candidates_, candidates_required_;
  std::vector<Task> tasks_;
  data::IdMap behaviors_;
  std::vector<std::string> behavior_space_;
  std::vector<char> grouped_;
  int default_behavior_ = -1;
  std::vector<std::pair<std::string, data::IdMap>> spaces_;  // object spaces of behaviors and targets
};

struct ScoreRequest {
  std::int64_t line = 0;      // 1-based line of the input
  std::string user;           // the `user` label, empty when absent
  int task = 0;               // index into the run's tasks
  std::vector<Event> history;
  bool has_time = false;      // `time` given
  std::int64_t time = 0;
  std::vector<std::int32_t> candidates;  // rows of the task's target space
};

// One line (a JSON object); `default_task` when the line names none. Throws
// ScoreInputError naming `source`, `line` and the offending field.
ScoreRequest parse_score_line(std::string_view text, std::int64_t line, const ScoreSchema& schema, int default_task,
                              const std::string& source);

struct ScoreInputReport {
  std::int64_t lines = 0;            // non-blank lines read
  std::int64_t skipped = 0;          // bad lines skipped (skip_bad_lines)
  std::vector<std::string> messages; // the first kMaxMessages of them
  static constexpr std::size_t kMaxMessages = 10;
};

// Every non-blank line of `bytes` (lines end at \n; a \r before it and a
// UTF-8 byte-order mark at the start are dropped) through parse_score_line,
// in order, into `use`. A bad line throws, or with skip_bad_lines is counted
// in the report and skipped.
ScoreInputReport read_score_input(std::string_view bytes, const ScoreSchema& schema, int default_task,
                                  const std::string& source, bool skip_bad_lines,
                                  const std::function<void(ScoreRequest&&)>& use);

}  // namespace atrank::infer
