// Runs a model's training steps and scoring over batches, with each batch
// split across threads (data parallelism: the small per-example kernels of
// attention over short histories run on every core, BLAS stays on one
// thread per core). Used by the training loop, evaluation and the benchmark.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "atrank/autodiff/parameters.hpp"
#include "atrank/autodiff/tape.hpp"
#include "atrank/data/batch.hpp"
#include "atrank/model/model.hpp"
#include "atrank/train/optimizer.hpp"
#include "atrank/train/worker_pool.hpp"

namespace atrank::train {

struct StepResult {
  float loss = 0;
  double grad_norm = 0;  // before clipping
};

class BatchRunner {
 public:
  BatchRunner(model::Model<float>& model, int threads);

  model::Model<float>& model() { return model_; }
  int threads() const { return pool_.size(); }

  // One optimisation step: forward, backward, tf.clip_by_global_norm over all
  // gradients (scale = clip / max(norm, clip)), update. With one thread the
  // whole batch runs on one tape and draws dropout masks from `dropout_rng`.
  // With N threads each thread takes a contiguous slice, its loss is its
  // share of the batch mean (so gradients add up to the whole batch's), and
  // draws dropout from its own generator seeded from `dropout_rng` (one draw
  // per slice): results are deterministic for a given thread count, and
  // differ between thread counts in dropout masks and float summation order.
  // Does not update when the loss or gradient norm is not finite (the
  // caller reports it); the gradients are then dropped.
  StepResult train_step(const data::Batch& batch, Optimizer& optimizer, double learning_rate,
                        double clip_norm, std::mt19937_64& dropout_rng);

  // Scores (B,C) row-major of batch.candidates (Model::score), slices scored in parallel.
  const std::vector<float>& scores(const data::Batch& batch);
  // The user vectors (B,user_width()) that scored each example's first
  // candidate in the last scores() call (for user_spread).
  const std::vector<float>& user_vectors() const { return users_; }
  std::int64_t user_width() const { return model_.encoder().out_width(); }

 private:
  // Slices a batch of n examples is cut into: one per thread, at least one example each.
  int slices_for(std::int64_t n) const { return int(std::min<std::int64_t>(n, pool_.size())); }
  // The examples of slice s of k: the batch itself when it is not split.
  const data::Batch& slice(const data::Batch& batch, int k, int s);
  void merge_gradients(int slices);

  model::Model<float>& model_;
  WorkerPool pool_;
  std::vector<autodiff::Tape<float>> tapes_;                   // one per thread
  std::vector<data::Batch> slices_;                            // one per thread
  std::vector<autodiff::GradientShard<float>> shards_;         // threads 1..N-1 (thread 0 writes the model's)
  std::vector<std::uint64_t> seeds_;
  std::vector<float> losses_;
  std::vector<float> scores_;
  std::vector<float> users_;
};

}  // namespace atrank::train
