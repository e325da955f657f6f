// One optimisation step, shared by the training loop and the benchmark:
// forward on the reused tape, backward, global-norm clipping, update.
#pragma once

#include <random>

#include "atrank/autodiff/tape.hpp"
#include "atrank/data/batch.hpp"
#include "atrank/model/model.hpp"
#include "atrank/train/optimizer.hpp"

namespace atrank::train {

struct StepResult {
  float loss = 0;
  double grad_norm = 0;  // before clipping
};

// Does not update when the loss or the gradient norm is not finite (the
// caller reports it); the gradients are then dropped.
StepResult train_step(model::Model<float>& model, autodiff::Tape<float>& tape,
                      const data::Batch& batch, Optimizer& optimizer, double learning_rate,
                      double clip_norm, std::mt19937_64& dropout_rng);

}  // namespace atrank::train
