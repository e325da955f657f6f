// Which spec a checkpoint belongs to: a hash of the resolved spec, so that a
// run resumes, and inference loads, only parameters of the model it describes.
#pragma once

#include <cstdint>

#include "atrank/spec/spec.hpp"

namespace atrank::train {

// The spec minus the keys that only say how long, how often or on how many
// threads (train.epochs, max_steps, eval_every, checkpoint_every, threads,
// early_stop): a run may change those between stop and resume.
spec::Spec without_run_length(spec::Spec s);

// A hash of without_run_length(s): what a checkpoint depends on.
std::uint64_t spec_fingerprint(const spec::Spec& s);

}  // namespace atrank::train
