// The step: clipping follows tf.clip_by_global_norm (scale = clip / max(norm, clip)).
#include "atrank/train/step.hpp"

#include <cmath>

namespace atrank::train {

StepResult train_step(model::Model<float>& model, autodiff::Tape<float>& tape,
                      const data::Batch& batch, Optimizer& optimizer, double learning_rate,
                      double clip_norm, std::mt19937_64& dropout_rng) {
  StepResult r;
  tape.clear();
  const auto out = model.forward(tape, batch, /*training=*/true, dropout_rng);
  r.loss = tape.value(out.loss)[0];
  if (!std::isfinite(r.loss)) {
    model.zero_grad();
    return r;
  }
  tape.backward(out.loss);
  r.grad_norm = global_grad_norm(model.dense(), model.tables());
  if (!std::isfinite(r.grad_norm)) {
    model.zero_grad();
    return r;
  }
  const double scale = clip_norm > 0 && r.grad_norm > clip_norm ? clip_norm / r.grad_norm : 1.0;
  optimizer.step(model.dense(), model.tables(), learning_rate, scale);
  return r;
}

}  // namespace atrank::train
