// Training progress for people: a live line rewritten in place on a terminal,
// plain periodic lines otherwise (logs, CI), one readable line per evaluation.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace atrank::train {

// Steps before the progress line shows an ETA.
constexpr std::int64_t kWarmupSteps = 20;

struct ProgressState {
  std::int64_t epoch = 0, epochs = 0;
  std::int64_t step = 0, total_steps = 0;
  double examples_per_second = 0;
  double loss = 0;  // running mean since the last evaluation
  double seconds_per_step = 0;  // training time per step so far (for the ETA)
};

class Progress {
 public:
  // Live line on `live` (stderr) when it is a terminal; otherwise a plain line every
  // `plain_every_seconds` on `log`.
  Progress(std::FILE* live, std::FILE* log, double plain_every_seconds = 30.0);

  // The live or plain progress line. The plain one first appears
  // `plain_every_seconds` after construction, and neither shows an ETA before
  // kWarmupSteps steps (the first steps' times say little about the rest).
  void update(const ProgressState& s);
  // One evaluation: a line with step, epoch and training loss, then one line
  // per split (in the order given) with its metrics, 4 decimals. Metric keys
  // "<task>.<metric>" (several tasks) make it one aligned table: a header of
  // metric names, a row per split and task, "all" first. A warning line
  // follows for every user_spread below kCollapsedUserSpread.
  using SplitMetrics = std::vector<std::pair<std::string, std::map<std::string, double>>>;
  void evaluation(const ProgressState& s, const SplitMetrics& splits);
  void message(const std::string& text);  // a line of its own (clears the live line first)

 private:
  std::string format(const ProgressState& s) const;
  void clear_live();

  std::FILE* live_;
  std::FILE* log_;
  bool tty_;
  double plain_every_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  bool live_shown_ = false;
};

std::string format_duration(double seconds);  // "1h02m", "3m12s", "45s"

}  // namespace atrank::train
