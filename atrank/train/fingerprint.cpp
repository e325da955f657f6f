#include "atrank/train/fingerprint.hpp"

#include <xxhash.h>

#include <string>

#include "atrank/spec/load.hpp"

namespace atrank::train {

spec::Spec without_run_length(spec::Spec s) {
  s.train.epochs = 0;
  s.train.max_steps = 0;
  s.train.eval_every = 0;
  s.train.checkpoint_every = 0;
  s.train.threads = 0;
  s.train.early_stop = {};
  s.file.clear();
  return s;
}

std::uint64_t spec_fingerprint(const spec::Spec& s) {
  const std::string text = spec::to_toml(without_run_length(s));
  return XXH64(text.data(), text.size(), 0);
}

}  // namespace atrank::train
