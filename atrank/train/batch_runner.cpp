#include "atrank/train/batch_runner.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "atrank/data/batch_slice.hpp"

namespace atrank::train {
namespace {

// First example of slice s when n examples are cut into k slices.
std::int64_t slice_begin(std::int64_t n, int k, int s) { return n * s / k; }

// A thread that cannot start (thread or memory limits) is an error saying which setting asked for it.
WorkerPool start_threads(int threads) {
  try {
    return WorkerPool(threads);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("starting " + std::to_string(threads) +
                             " threads for training and evaluation (train.threads or --threads): " + e.what());
  }
}

}  // namespace

BatchRunner::BatchRunner(model::Model<float>& model, int threads)
    : model_(model),
      pool_(start_threads(threads)),
      tapes_(std::size_t(threads)),
      slices_(std::size_t(threads)),
      shards_(std::size_t(threads)),
      seeds_(std::size_t(threads)),
      losses_(std::size_t(threads)) {
  const auto tables = model_.tables();
  for (int s = 1; s < threads; ++s) {
    shards_[std::size_t(s)].dense.assign(model_.dense().size(), 0.f);
    shards_[std::size_t(s)].tables.resize(tables.size());
    tapes_[std::size_t(s)].set_gradient_shard(&shards_[std::size_t(s)]);
  }
}

const data::Batch& BatchRunner::slice(const data::Batch& batch, int k, int s) {
  if (k == 1) return batch;
  data::Batch& out = slices_[std::size_t(s)];
  data::slice_batch(batch, slice_begin(batch.size, k, s), slice_begin(batch.size, k, s + 1), out);
  return out;
}

StepResult BatchRunner::train_step(const data::Batch& batch, Optimizer& optimizer,
                                   double learning_rate, double clip_norm,
                                   std::mt19937_64& dropout_rng) {
  const int k = slices_for(batch.size);
  auto forward_backward = [&](int s, std::mt19937_64& rng) {
    auto& tape = tapes_[std::size_t(s)];
    tape.clear();
    const auto out = model_.forward(tape, slice(batch, k, s), /*training=*/true, rng, batch.size);
    losses_[std::size_t(s)] = tape.value(out.loss)[0];
    if (std::isfinite(losses_[std::size_t(s)])) tape.backward(out.loss);
  };
  if (k == 1) {
    forward_backward(0, dropout_rng);
  } else {
    for (int s = 0; s < k; ++s) seeds_[std::size_t(s)] = dropout_rng();
    pool_.run([&](int s) {
      if (s >= k) return;
      std::mt19937_64 rng(seeds_[std::size_t(s)]);
      forward_backward(s, rng);
    });
    merge_gradients(k);
  }

  StepResult r;
  for (int s = 0; s < k; ++s) r.loss += losses_[std::size_t(s)];
  if (!std::isfinite(r.loss)) {
    model_.zero_grad();
    return r;
  }
  r.grad_norm = global_grad_norm(model_.dense(), model_.tables());
  if (!std::isfinite(r.grad_norm)) {
    model_.zero_grad();
    return r;
  }
  const double scale = clip_norm > 0 && r.grad_norm > clip_norm ? clip_norm / r.grad_norm : 1.0;
  optimizer.step(model_.dense(), model_.tables(), learning_rate, scale);
  return r;
}

// Slices 1..k-1 wrote into their shards: add them into the model's gradients
// in slice order (deterministic) and reset the shards for the next step.
void BatchRunner::merge_gradients(int slices) {
  std::vector<float>& dense = model_.dense().grads();
  const auto tables = model_.tables();
  for (int s = 1; s < slices; ++s) {
    auto& shard = shards_[std::size_t(s)];
    for (std::size_t i = 0; i < dense.size(); ++i) dense[i] += shard.dense[i];
    std::fill(shard.dense.begin(), shard.dense.end(), 0.f);
    for (std::size_t t = 0; t < tables.size(); ++t) {
      auto& from = shard.tables[t];
      auto& to = tables[t]->grad;
      to.rows.insert(to.rows.end(), from.rows.begin(), from.rows.end());
      to.values.insert(to.values.end(), from.values.begin(), from.values.end());
      from.clear();
    }
  }
}

const std::vector<float>& BatchRunner::scores(const data::Batch& batch) {
  const int k = slices_for(batch.size);
  const std::int64_t c = batch.candidates_per_example > 0 ? batch.candidates_per_example : 1;
  scores_.resize(std::size_t(batch.size * c));
  users_.resize(std::size_t(batch.size * user_width()));
  auto score = [&](int s) {
    if (s >= k) return;
    auto& tape = tapes_[std::size_t(s)];
    tape.clear();
    model::ScoreTrace trace;
    const autodiff::Var v = model_.score(tape, slice(batch, k, s), &trace);
    const float* p = tape.value(v);
    const std::int64_t first = slice_begin(batch.size, k, s);
    std::copy(p, p + tape.shape(v).numel(), scores_.begin() + first * c);
    // (b, candidate 0, :) of the (B,C,H) user vectors
    const autodiff::Shape us = tape.shape(trace.users);
    if (us.rank != 3 || us[2] != user_width())
      throw std::logic_error("BatchRunner::scores: user vectors " + us.str() + ", expected width " +
                             std::to_string(user_width()));
    const float* u = tape.value(trace.users);
    for (std::int64_t b = 0; b < us[0]; ++b)
      std::copy(u + b * us[1] * us[2], u + (b * us[1] + 1) * us[2], users_.begin() + (first + b) * us[2]);
  };
  if (k == 1)
    score(0);
  else
    pool_.run(score);
  return scores_;
}

}  // namespace atrank::train
