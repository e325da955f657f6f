// `atrank recommend`: the top-K objects of a task's target space for dataset
// users (their whole history, capped as in training, scored at the time of
// their last event) or for input histories (score's format), every object
// scored with the vanilla attention of each candidate (infer/scoring).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "atrank/infer/trained_run.hpp"

namespace atrank::infer {

struct RecommendOptions {
  std::string run;                  // run directory
  std::vector<std::string> users;   // --user: raw dataset user ids
  std::string users_file;           // --users: one raw user id per line
  std::string history_file;         // --history: JSON lines in score's format, instead of dataset users
  std::int64_t k = 10;
  std::string task;                 // "" = the first task
  bool exclude_seen = true;         // skip objects of the user's history
  bool json = false;                // JSON lines instead of TSV
  CheckpointChoice from = CheckpointChoice::Default;
  std::int64_t threads = 0;         // 0 = the run's train.threads
};

// Writes the recommendations to `out` (TSV "user rank object score" with a
// header line, or one JSON object per user) and a summary line (users,
// seconds, users/s) to `log`. Throws before writing anything on a bad option,
// an unknown user (naming it) or a bad input line (naming line and field).
void recommend(const RecommendOptions& options, std::ostream& out, std::ostream& log);

}  // namespace atrank::infer
