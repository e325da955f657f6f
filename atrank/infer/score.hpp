// `atrank score`: the scores of given candidates for given histories (JSON
// lines, see score_input.hpp), with the model's own forward ops.
#pragma once

#include <iosfwd>
#include <string>

#include "atrank/infer/trained_run.hpp"

namespace atrank::infer {

struct ScoreOptions {
  std::string run;
  std::string input;           // JSON lines
  std::string output;          // "" = standard output
  bool skip_bad_lines = false; // count and report bad lines instead of failing
  CheckpointChoice from = CheckpointChoice::Default;
  std::int64_t threads = 0;    // 0 = the run's train.threads
};

// One output line per scored input line, in input order:
//   {"line": N, "user": "...", "scores": [logit per candidate, in order]}
// ("user" only when the input line has one). Every input line is read and
// checked before anything is scored or written; --output is written
// atomically. Skipped lines and a summary go to `log`.
void score(const ScoreOptions& options, std::ostream& out, std::ostream& log);

}  // namespace atrank::infer
