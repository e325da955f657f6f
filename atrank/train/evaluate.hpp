// Evaluation of a model on one split: scores every case's candidates
// (positive first) and computes the spec's metrics, overall and per task.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "atrank/data/dataset.hpp"
#include "atrank/model/model.hpp"
#include "atrank/train/batch_runner.hpp"

namespace atrank::train {

// metric name -> value for the whole split; with several tasks also
// "<task>.<metric>" per task. Besides the spec's metrics every evaluation
// reports "user_spread" (user_spread.hpp), per task as well.
using MetricValues = std::map<std::string, double>;

// Scores with the runner's model and threads. `same_as_auc` (when given)
// receives the "gauc" keys (overall, "<task>.gauc") of case sets where no
// user has more than one case: gauc is then the paper's auc with ties
// counted 1/2 (not worth printing next to it).
MetricValues evaluate(BatchRunner& runner, const data::Dataset& data, data::Split split,
                      const std::vector<spec::Metric>& metrics, std::int64_t batch_size,
                      std::vector<std::string>* same_as_auc = nullptr);

}  // namespace atrank::train
