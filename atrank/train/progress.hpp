// Training progress for people: a live line rewritten in place on a terminal,
// plain periodic lines otherwise (logs, CI), one readable line per evaluation.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

namespace atrank::train {

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

  void update(const ProgressState& s);
  // One line per evaluation: step, epoch, loss and every metric of each split.
  void evaluation(const ProgressState& s, const std::map<std::string, std::map<std::string, double>>& splits);
  void message(const std::string& text);  // a line of its own (clears the live line first)

 private:
  std::string format(const ProgressState& s) const;
  void clear_live();

  std::FILE* live_;
  std::FILE* log_;
  bool tty_;
  double plain_every_;
  std::chrono::steady_clock::time_point last_{};
  bool live_shown_ = false;
};

std::string format_duration(double seconds);  // "1h02m", "3m12s", "45s"

}  // namespace atrank::train
