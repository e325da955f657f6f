// Turns a split of a Dataset into padded Batches: seeded shuffle, then examples of similar
// history length grouped within a shuffled window (little padding), one epoch = every example
// once. The position (epoch, batch) can be saved and restored for checkpoint resume.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/data/dataset.hpp"

namespace atrank::data {

enum class BatchMode {
  pointwise,  // training as the authors: each case gives two examples, (positive, 1) and (negative, 0)
  pairwise,   // BPR training: one example per case, candidates (B, 2) = positive, negative
  eval,       // evaluation: one example per case, candidates (B, K) positive first; targets = positive
};

struct BatcherOptions {
  Split split = Split::train;
  BatchMode mode = BatchMode::pointwise;
  std::int64_t batch_size = 32;
  std::uint64_t seed = 1234;
  bool shuffle = true;           // false: cases in order (then sorted by length within windows)
  std::int64_t window = 0;       // examples sorted by length together (rounded up to whole
                                 // batches); 0 = 64 batches, or the whole split without shuffle
  bool one_task_per_batch = true;  // multi-task "interleave": every batch holds one task
};

struct BatchPosition {
  std::int64_t epoch = 0;
  std::int64_t batch = 0;  // batches of this epoch already returned
};

class Batcher {
 public:
  Batcher(const Dataset& data, BatcherOptions options);

  // Fills `out` with the next batch of the current epoch, reusing its buffers (no allocation
  // once they have grown to the largest batch). Returns false, leaving `out` untouched, when
  // the epoch is over; the position then moves to the next epoch.
  bool next(Batch& out);

  BatchPosition position() const { return pos_; }
  // Continues from a saved position (same data and options give the same batches).
  void seek(BatchPosition pos);

  std::int64_t batches_per_epoch() const;
  std::int64_t examples_per_epoch() const { return examples_; }

  // Fills `out` with the given examples (case * 2 + (negative ? 1 : 0) in pointwise mode,
  // else case indices). Public for evaluation code that picks its own cases.
  void fill(const std::int64_t* examples, std::int64_t count, Batch& out) const;

 private:
  void plan(std::int64_t epoch);  // computes the epoch's batch list
  std::int64_t case_of(std::int64_t example) const {
    return options_.mode == BatchMode::pointwise ? example / 2 : example;
  }

  const Dataset& data_;
  BatcherOptions options_;
  std::int64_t examples_ = 0;
  BatchPosition pos_;
  std::int64_t planned_epoch_ = -1;
  std::vector<std::int64_t> order_;  // the epoch's examples, grouped into batches
  std::vector<std::pair<std::int64_t, std::int64_t>> batches_;  // the epoch's b-th batch is order_[first, second)
  std::vector<std::int32_t> lengths_;      // per case: capped history length over all groups
};

}  // namespace atrank::data
