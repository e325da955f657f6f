// Runs a model's training steps and scoring over batches, with each batch
// split across threads (data parallelism: the small per-example kernels of
// attention over short histories run on every core, BLAS stays on one
// thread per core) and across the ranks of an MPI job (every rank holds the
// whole model). Used by the training loop, evaluation and the benchmark.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "atrank/autodiff/parameters.hpp"
#include "atrank/autodiff/tape.hpp"
#include "atrank/data/batch.hpp"
#include "atrank/dist/communicator.hpp"
#include "atrank/model/model.hpp"
#include "atrank/train/optimizer.hpp"
#include "atrank/train/worker_pool.hpp"

namespace atrank::train {

struct StepResult {
  float loss = 0;
  double grad_norm = 0;  // before clipping
  std::int64_t bytes_received = 0;  // from the other ranks in this step
  double exchange_seconds = 0;      // spent exchanging losses and gradients with them (waits included)
};

class BatchRunner {
 public:
  // `threads` per rank of `comm`: a batch is cut into comm.size() x threads
  // slices, rank r taking slices r*threads .. r*threads + threads-1.
  BatchRunner(model::Model<float>& model, int threads, dist::Communicator& comm = dist::Communicator::single());

  model::Model<float>& model() { return model_; }
  int threads() const { return pool_.size(); }
  dist::Communicator& communicator() { return comm_; }

  // One optimisation step: forward, backward, tf.clip_by_global_norm over all
  // gradients (scale = clip / max(norm, clip)), update. With one slice the
  // whole batch runs on one tape and draws dropout masks from `dropout_rng`.
  // With N slices each takes a contiguous part of the batch, its loss is its
  // share of the batch mean (so gradients add up to the whole batch's), and
  // draws dropout from its own generator seeded from `dropout_rng` (one draw
  // per slice). Gradients are added in slice order, on every rank the same:
  // results depend on the number of slices (dropout masks, float summation
  // order), not on how they are spread over ranks and threads (2 ranks x 1
  // thread train bitwise as 1 rank x 2 threads).
  // Does not update when the loss or gradient norm is not finite (the
  // caller reports it); the gradients are then dropped.
  StepResult train_step(const data::Batch& batch, Optimizer& optimizer, double learning_rate,
                        double clip_norm, std::mt19937_64& dropout_rng);

  // Scores (B,C) of batch.candidates (Model::score), slices scored in
  // parallel; every rank gets the whole batch's scores.
  const xt::xtensor<float, 2>& scores(const data::Batch& batch);
  // The user vectors (B,user_width()) that scored each example's first
  // candidate in the last scores() call (for user_spread); on every rank.
  const xt::xtensor<float, 2>& user_vectors() const { return users_; }
  std::int64_t user_width() const { return model_.encoder().out_width(); }

 private:
  // Slices a batch of n examples is cut into: one per thread of every rank, at least one example each.
  int slices_for(std::int64_t n) const {
    return int(std::min<std::int64_t>(n, std::int64_t(comm_.size()) * pool_.size()));
  }
  // This rank's first slice, and how many of the k it takes.
  int first_slice() const { return comm_.rank() * pool_.size(); }
  int local_slices(int k) const { return std::clamp(k - first_slice(), 0, pool_.size()); }
  // The examples of slice s of k (on thread t): the batch itself when it is not split.
  const data::Batch& slice(const data::Batch& batch, int k, int s, int t);
  // Adds the threads' gradients in slice order, onto the ranks' before (merge_dense),
  // and every rank's sparse table gradients after them (share_table_gradients).
  void merge_gradients(int local);
  static void merge_dense(void* self, const float* prefix, std::size_t begin, std::size_t end);
  void share_table_gradients();

  model::Model<float>& model_;
  dist::Communicator& comm_;
  WorkerPool pool_;
  std::vector<autodiff::Tape<float>> tapes_;                   // one per thread
  std::vector<data::Batch> slices_;                            // one per thread
  std::vector<autodiff::GradientShard<float>> shards_;         // threads 1..N-1 (thread 0 writes the model's)
  std::vector<std::uint64_t> seeds_;                           // one per slice of every rank
  std::vector<float> losses_;                                  // one per slice of every rank
  xt::xtensor<float, 2> scores_;
  xt::xtensor<float, 2> users_;
  int merging_ = 0;                                            // local slices of the merge under way
  double merged_squares_ = 0;                                  // sum of squares of the merged dense gradients
  std::vector<char> packed_;                                   // every rank's table gradients
};

}  // namespace atrank::train
