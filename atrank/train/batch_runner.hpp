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
  // History positions (all groups together) one forward and backward pass
  // takes at most: a thread runs a slice with more in several passes, their
  // gradients adding up. A pass's activations then stay in the core's cache
  // (with 128 hidden units, 256 positions are 128 KiB per activation); on
  // MovieLens histories of 50 this trains 1.2-1.3x faster at batch 256 than
  // one pass (experiments/bench-train/README.md), and costs nothing on short
  // histories, where a pass holds the whole slice.
  static constexpr std::int64_t kPositionsPerPass = 256;

  // `threads` per rank of `comm`: a batch is cut into comm.size() x threads
  // slices, rank r taking slices r*threads .. r*threads + threads-1.
  // positions_per_pass <= 0: every slice in one pass.
  BatchRunner(model::Model<float>& model, int threads, dist::Communicator& comm = dist::Communicator::single(),
              std::int64_t positions_per_pass = kPositionsPerPass);

  model::Model<float>& model() { return model_; }
  int threads() const { return pool_.size(); }
  dist::Communicator& communicator() { return comm_; }

  // One optimisation step: forward, backward, tf.clip_by_global_norm over all
  // gradients (scale = clip / max(norm, clip)), update. With one slice the
  // whole batch runs on one tape and draws dropout masks from `dropout_rng`.
  // With N slices each takes a contiguous part of the batch, its loss is its
  // share of the batch mean (so gradients add up to the whole batch's), and
  // draws dropout from its own generator seeded from `dropout_rng` (one draw
  // per slice); a slice's passes draw from it one after the other. Gradients
  // are added in slice order, on every rank the same: results depend on the
  // number of slices and passes (dropout masks, float summation order), not
  // on how slices are spread over ranks and threads (2 ranks x 1 thread train
  // bitwise as 1 rank x 2 threads).
  // Does not update when the loss or gradient norm is not finite (the
  // caller reports it); the gradients are then dropped.
  StepResult train_step(const data::Batch& batch, Optimizer& optimizer, double learning_rate,
                        double clip_norm, std::mt19937_64& dropout_rng);

  // Scores (B,C) of batch.candidates (Model::score), slices scored in
  // parallel (in passes, as training); every rank gets the whole batch's scores.
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
  // Examples [begin, end) of the batch (for thread t): the batch itself when that is all of it.
  const data::Batch& part(const data::Batch& batch, std::int64_t begin, std::int64_t end, int t);
  // Adds the threads' gradients in slice order, onto the ranks' before (merge_dense),
  // and every rank's sparse table gradients after them (share_table_gradients).
  void merge_gradients(int local);
  static void merge_dense(void* self, const float* prefix, std::size_t begin, std::size_t end);
  void share_table_gradients();

  model::Model<float>& model_;
  dist::Communicator& comm_;
  WorkerPool pool_;
  std::vector<autodiff::Tape<float>> tapes_;                   // one per thread
  std::int64_t positions_per_pass_;                            // see kPositionsPerPass
  std::vector<data::Batch> parts_;                             // one per thread
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
