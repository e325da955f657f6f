// Scoring for inference with the model's own forward ops (Model::encode_history,
// targets_of, logits), in stages that each run as rarely as they can. A
// catalogue (every object of a task's target space, as the authors'
// `logits_all`) has its target side (vectors, biases, the encoder's query
// projections) computed once; a user's history is encoded once per user;
// the rest runs per block of candidates, whose products are BLAS calls over
// the whole block. For the ATRank encoder a catalogue is scored by the
// candidate-minor kernels of infer/candidate_attention instead of the tape
// ops, the same arithmetic laid out for whole blocks of candidates.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "atrank/autodiff/tape.hpp"
#include "atrank/data/batch.hpp"
#include "atrank/infer/candidate_attention.hpp"
#include "atrank/model/model.hpp"
#include "atrank/train/worker_pool.hpp"

namespace atrank::infer {

// Candidates scored per block: large enough that the products over a block
// are efficient BLAS calls, small enough that a block's buffers stay in cache.
constexpr std::int64_t kCandidateBlock = 512;

// The target side of the objects 0..size-1 of a task's target space.
template <class T>
struct Catalogue {
  int task = 0;
  std::int64_t size = 0;             // N objects
  std::int64_t width = 0;            // W of the target vectors
  std::int64_t projected_width = 0;  // width of the encoder's query projection; 0 without one
  std::vector<T> bias;               // (N), empty without a bias table
  // The ATRank kernels holding the target side in their own layout, or null
  // (other encoders): then the tape ops score `vectors` and `projected`.
  std::unique_ptr<const CandidateAttention<T>> attention;
  std::vector<T> vectors;            // (N,W), empty with `attention`
  std::vector<T> projected;          // (N,projected_width), empty with `attention` or without a projection
};

// The catalogue of `objects` objects of task `task` (the rows of its target
// space that have ids), computed in blocks on `t`.
template <class T>
Catalogue<T> make_catalogue(model::Model<T>& m, autodiff::Tape<T>& t, int task, std::int64_t objects);

// scores (N): the logits of every object of `c` for the one example of
// `history` (a batch of size 1), on `t` (cleared first).
template <class T>
void score_catalogue(model::Model<T>& m, autodiff::Tape<T>& t, const Catalogue<T>& c,
                     const data::Batch& history, T* scores);

// scores (n): the logits of candidates `ids` (rows of task `task`'s target
// space) for the one example of `history`, on `t`: the history encoded once,
// the candidates' target side computed block by block.
template <class T>
void score_candidates(model::Model<T>& m, autodiff::Tape<T>& t, int task, const data::Batch& history,
                      const std::int32_t* ids, std::int64_t n, T* scores);

// Scratch of one scoring thread.
template <class T>
struct ScoringScratch {
  autodiff::Tape<T> tape;
  data::Batch batch;
  std::vector<T> scores;
};

// Users scored on several threads, each with its own scratch (BLAS should
// then run on one thread: set_blas_threads(1)).
template <class T>
class ScoringThreads {
 public:
  explicit ScoringThreads(int threads) : pool_(threads), scratch_(std::size_t(threads)) {}

  int size() const { return pool_.size(); }

  // job(i, scratch) for every i in [0, count): threads take users in turn;
  // after a failure the others stop early and the first exception (by
  // thread) is rethrown.
  template <class Job>
  void run(std::int64_t count, Job&& job) {
    std::atomic<std::int64_t> next{0};
    std::atomic<bool> failed{false};
    pool_.run([&](int k) {
      try {
        for (std::int64_t i = next++; i < count && !failed; i = next++) job(i, scratch_[std::size_t(k)]);
      } catch (...) {
        failed = true;
        throw;
      }
    });
  }

 private:
  train::WorkerPool pool_;
  std::vector<ScoringScratch<T>> scratch_;  // one per thread
};

}  // namespace atrank::infer
