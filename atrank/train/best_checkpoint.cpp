#include "atrank/train/best_checkpoint.hpp"

#include <filesystem>

namespace atrank::train {

namespace fs = std::filesystem;

void BestCheckpoint::save(Checkpoint& c, std::int64_t step, const std::string& metrics_json) {
  if (!after_checkpoint_ && fs::exists(files_.best())) fs::rename(files_.best(), files_.best_at_checkpoint());
  after_checkpoint_ = true;
  c.put_scalar<std::int64_t>("best/step", step);
  c.put_string("best/metrics", metrics_json);
  c.save(files_.best());
  step_ = step;
}

void BestCheckpoint::committed() {
  if (after_checkpoint_) fs::remove(files_.best_at_checkpoint());
  after_checkpoint_ = false;
}

void BestCheckpoint::restore(std::int64_t best_step, std::ostream& warnings) {
  if (fs::exists(files_.best_at_checkpoint())) fs::rename(files_.best_at_checkpoint(), files_.best());
  after_checkpoint_ = false;
  step_ = -1;
  if (!fs::exists(files_.best())) return;
  const Checkpoint best = Checkpoint::load(files_.best(), 0);
  const auto held = best.has("best/step") ? best.get_scalar<std::int64_t>("best/step") : -1;
  if (held == best_step) {
    step_ = held;
    return;
  }
  warnings << "atrank: warning: " << files_.best() << ": removed: it holds the evaluation of step " << held
           << ", which came after the checkpoint; the resumed run evaluates again\n";
  fs::remove(files_.best());
}

}  // namespace atrank::train
