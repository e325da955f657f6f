// Which evaluation is better, for model selection (eval.select) and for
// train.early_stop, and the early-stopping state a checkpoint carries.
#pragma once

#include <cstdint>
#include <string>

#include "atrank/spec/plan.hpp"

namespace atrank::train {

// `value` beats `best` by more than `min_delta` in the metric's direction
// (a NaN value never does).
inline bool improves(double value, double best, bool lower_is_better, double min_delta = 0) {
  return lower_is_better ? value < best - min_delta : value > best + min_delta;
}

// train.early_stop between evaluations (saved in checkpoints as JSON).
struct EarlyStopState {
  std::string metric;            // what it watches ("valid.auc"): a resume watching another starts afresh
  double best = 0;               // the best value so far
  std::int64_t best_step = -1;   // its step; -1 before the first evaluation
  std::int64_t stale = 0;        // evaluations in a row without improvement since then

  // Records the value of the evaluation at `step`.
  void observe(const spec::EarlyStopPlan& plan, double value, std::int64_t step);
  // `patience` evaluations in a row brought no improvement.
  bool exhausted(const spec::EarlyStopPlan& plan) const {
    return metric == plan.name && best_step >= 0 && stale >= plan.patience;
  }

  std::string to_json() const;
  static EarlyStopState from_json(const std::string& text);
};

}  // namespace atrank::train
