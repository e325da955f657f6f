// Evaluation of a model on one split: scores every case's candidates
// (positive first) and computes the spec's metrics, overall and per task.
#pragma once

#include <map>
#include <string>

#include "atrank/data/dataset.hpp"
#include "atrank/model/model.hpp"
#include "atrank/train/batch_runner.hpp"

namespace atrank::train {

// metric name -> value for the whole split; with several tasks also
// "<task>.<metric>" per task.
using MetricValues = std::map<std::string, double>;

// Scores with the runner's model and threads.
MetricValues evaluate(BatchRunner& runner, const data::Dataset& data, data::Split split,
                      const std::vector<spec::Metric>& metrics, std::int64_t batch_size);

}  // namespace atrank::train
