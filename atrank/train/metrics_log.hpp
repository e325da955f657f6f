// metrics.jsonl: one JSON object per evaluation, appended with checked writes
// (a full disk stops the run with an error instead of losing evaluations), and
// put back in step with the checkpoint when a run resumes.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "atrank/train/checked_file.hpp"

namespace atrank::train {

class MetricsLog {
 public:
  explicit MetricsLog(const std::string& path) : file_(path) {}

  // Appends `line` as one line; throws WriteError naming the file when it cannot be written.
  void append(const nlohmann::json& line) { file_.append(line.dump() + "\n"); }

  // On resume: keeps the lines of evaluations at or before `step` (the last
  // evaluation the checkpoint knows of) and drops the later ones (made after
  // the checkpoint: the resumed run makes them again, or never, as an
  // uninterrupted run would) and a torn last line (a write cut short), with a
  // warning naming the file on `warnings`.
  // Rewrites the file only when something is dropped. A malformed line before
  // the last is an error naming the file and line: the file was edited.
  static void keep_until(const std::string& path, std::int64_t step, std::ostream& warnings);

 private:
  AppendFile file_;
};

}  // namespace atrank::train
