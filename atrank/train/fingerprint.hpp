// Which spec a checkpoint belongs to: a hash of the resolved spec, so that a
// run resumes, and inference loads, only parameters of the model it describes.
#pragma once

#include <cstdint>

#include "atrank/spec/spec.hpp"

namespace atrank::train {

// The resolved spec minus the keys that only say how long or how often
// (train.epochs, max_steps, eval_every, checkpoint_every, threads): a run
// may change those between stop and resume.
std::uint64_t spec_fingerprint(spec::Spec s);

}  // namespace atrank::train
