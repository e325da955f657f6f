// What `atrank run` trains and `atrank bench` times: the model a plan
// describes, its optimizer, the training batcher, the batch runner and the
// dropout generator, set up in one place so that the benchmark measures the
// configuration a run trains.
#pragma once

#include <cstdint>
#include <random>

#include "atrank/data/batcher.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/model/model.hpp"
#include "atrank/spec/plan.hpp"
#include "atrank/train/batch_runner.hpp"
#include "atrank/train/optimizer.hpp"

namespace atrank::train {

struct TrainingSetup {
  // Builds the model on `data`'s vocabulary, with plan.spec.train.threads
  // threads. `data` must outlive the setup.
  TrainingSetup(const spec::Plan& plan, const data::Dataset& data);
  TrainingSetup(const TrainingSetup&) = delete;
  TrainingSetup& operator=(const TrainingSetup&) = delete;

  // The rate for `batch` as step `step` (0-based) of a run: with interleaved
  // multi-task batches the batch's task rate when the spec gives one (the
  // authors' per-task learning rates), else the schedule's.
  double learning_rate(const data::Batch& batch, std::int64_t step) const;
  // One optimisation step at `learning_rate`, clipped at train.clip_norm.
  StepResult train_step(const data::Batch& batch, double learning_rate);

  model::Model<float> model;  // holds the plan (model.plan())
  BatchRunner runner;
  Optimizer optimizer;
  data::Batcher batcher;      // the training split
  std::mt19937_64 dropout_rng;
};

}  // namespace atrank::train
