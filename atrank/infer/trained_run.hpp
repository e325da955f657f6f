// A training run opened for inference: its resolved spec (spec.toml), its id
// maps (ids/) and the parameters of one of its checkpoints, read from the run
// directory alone.
#pragma once

#include <cstdint>
#include <string>

#include "atrank/data/id_maps.hpp"
#include "atrank/data/layout.hpp"
#include "atrank/model/model.hpp"
#include "atrank/spec/plan.hpp"

namespace atrank::infer {

// --from: best.ckpt (the evaluation summary.json selects) or checkpoint.ckpt
// (the last state). Default: best.ckpt when the run has one, else checkpoint.ckpt.
enum class CheckpointChoice { Default, Best, Last };

// The checkpoint file `from` names in `run_dir`; throws when it is missing.
std::string checkpoint_path(const std::string& run_dir, CheckpointChoice from);

struct TrainedRun {
  TrainedRun(const std::string& run_dir, CheckpointChoice from);

  std::string dir;
  // Of RUN/spec.toml, its relative data.path and data.cache_dir resolved as
  // `atrank run` resolved them (train::with_run_paths): loads the run's data
  // from any working directory.
  spec::Plan plan;
  data::IdMaps ids;                // RUN/ids
  data::Layout layout;             // groups and tasks resolved against the id maps
  model::Model<float> model;       // with the checkpoint's parameters
  std::string checkpoint;          // the file they came from
  std::uint64_t fingerprint = 0;   // of the spec as written (and the checkpoint)
  std::int64_t step = -1;          // the checkpoint's training step; -1 when it does not record one

  // The index of task `name`; "" = the first task. Throws listing the tasks.
  int task(const std::string& name) const;
  // The id space of task k's target objects, and the number of its objects with ids.
  const std::string& target_space(int k) const;
  std::int64_t objects(int k) const;
  // Throws unless the encoder reads histories (bpr's user vectors are rows of
  // a table: it scores the data's users only); `use` names what needed one.
  void require_history_encoder(const std::string& use) const;
};

}  // namespace atrank::infer
