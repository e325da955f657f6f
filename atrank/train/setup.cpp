// The training configuration of a plan: optimizer settings, batching, threads, seeds.
#include "atrank/train/setup.hpp"

#include "atrank/train/schedule.hpp"

namespace atrank::train {

namespace {

// Dropout draws from its own generator, seeded apart from the batcher's shuffles.
constexpr std::uint64_t kDropoutSeedSalt = 0x5eedULL;

OptimizerConfig optimizer_config(const spec::Plan& plan) {
  const spec::TrainSpec& t = plan.spec.train;
  OptimizerConfig c;
  c.kind = plan.train.optimizer;
  c.beta1 = t.beta1;
  c.beta2 = t.beta2;
  c.eps = t.adam_eps;
  c.adagrad_init = t.adagrad_init;
  return c;
}

data::BatcherOptions batcher_options(const spec::Plan& plan) {
  data::BatcherOptions o;
  o.split = data::Split::train;
  o.mode = plan.train.pairwise ? data::BatchMode::pairwise : data::BatchMode::pointwise;
  o.batch_size = plan.spec.train.batch_size;
  o.seed = plan.spec.train.seed;
  o.one_task_per_batch = plan.train.multitask == spec::Multitask::Interleave;
  return o;
}

}  // namespace

TrainingSetup::TrainingSetup(const spec::Plan& plan, const data::Dataset& data)
    : model(model::Model<float>::build(plan, data.vocab())),
      runner(model, int(plan.spec.train.threads)),
      optimizer(optimizer_config(plan)),
      batcher(data, batcher_options(plan)),
      dropout_rng(plan.spec.train.seed ^ kDropoutSeedSalt) {
  optimizer.attach(model.dense(), model.tables());
}

double TrainingSetup::learning_rate(const data::Batch& batch, std::int64_t step) const {
  const spec::Plan& plan = model.plan();
  if (plan.train.multitask == spec::Multitask::Interleave && !batch.task.empty()) {
    const auto& task = plan.tasks.at(std::size_t(batch.task.front()));
    if (task.learning_rate) return *task.learning_rate;
  }
  return learning_rate_at(plan.spec.train.learning_rate, plan.spec.train.schedule, step);
}

StepResult TrainingSetup::train_step(const data::Batch& batch, double learning_rate) {
  return runner.train_step(batch, optimizer, learning_rate, model.plan().spec.train.clip_norm, dropout_rng);
}

}  // namespace atrank::train
