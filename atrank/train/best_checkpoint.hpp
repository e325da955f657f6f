// best.ckpt: the parameters of the evaluation summary.json selects, written
// atomically each time an evaluation becomes the best (sections "dense" and
// "table/<name>" as in checkpoint.ckpt, plus "best/step" and "best/metrics").
//
// A resumed run restarts from its checkpoint, which may be older than
// best.ckpt. So the first new best after a checkpoint first moves the
// checkpoint's best to best-at-checkpoint.ckpt; the next checkpoint removes
// it, and --resume puts it back.
#pragma once

#include <cstdint>
#include <ostream>

#include "atrank/train/checkpoint.hpp"
#include "atrank/train/run_directory.hpp"

namespace atrank::train {

class BestCheckpoint {
 public:
  explicit BestCheckpoint(RunFiles files) : files_(std::move(files)) {}

  // The evaluation at `step` is the new best: `c` (its parameters) becomes best.ckpt.
  void save(Checkpoint& c, std::int64_t step, const std::string& metrics_json);
  // A checkpoint was written: it restores what best.ckpt holds now.
  void committed();
  // On resume from a checkpoint whose best evaluation was at `best_step`
  // (-1: none yet): makes best.ckpt that evaluation's again. A best.ckpt of
  // an evaluation after the checkpoint (lost with the stop, evaluated again
  // by the resumed run) is removed with a warning on `warnings`.
  void restore(std::int64_t best_step, std::ostream& warnings);
  // The step best.ckpt holds, or -1 when there is none.
  std::int64_t step() const { return step_; }

 private:
  RunFiles files_;
  bool after_checkpoint_ = false;  // best.ckpt is newer than the last checkpoint
  std::int64_t step_ = -1;
};

}  // namespace atrank::train
