// Opening a run directory: spec.toml -> plan, ids/ -> vocabulary, checkpoint -> parameters.
#include "atrank/infer/trained_run.hpp"

#include <filesystem>
#include <stdexcept>

#include "atrank/spec/load.hpp"
#include "atrank/train/checkpoint.hpp"
#include "atrank/train/fingerprint.hpp"
#include "atrank/train/run_directory.hpp"

namespace atrank::infer {

namespace fs = std::filesystem;

namespace {

spec::Plan run_plan(const std::string& dir) {
  const fs::path spec = fs::path(dir) / "spec.toml";
  std::error_code ec;
  if (!fs::is_regular_file(spec, ec))
    throw std::runtime_error(dir + " is not a run directory (no spec.toml; `atrank run` writes one)");
  return spec::load_plan(spec.string());
}

}  // namespace

std::string checkpoint_path(const std::string& run_dir, CheckpointChoice from) {
  const fs::path best = fs::path(run_dir) / "best.ckpt", last = fs::path(run_dir) / "checkpoint.ckpt";
  std::error_code ec;
  if (from == CheckpointChoice::Best || (from == CheckpointChoice::Default && fs::exists(best, ec))) {
    if (!fs::exists(best, ec))
      throw std::runtime_error(run_dir + " has no best.ckpt (the run has not selected an evaluation yet); "
                               "--from last reads checkpoint.ckpt");
    return best.string();
  }
  if (!fs::exists(last, ec)) throw std::runtime_error(run_dir + " has no checkpoint.ckpt (the run saved none yet)");
  return last.string();
}

TrainedRun::TrainedRun(const std::string& run_dir, CheckpointChoice from)
    : dir(run_dir),
      plan(run_plan(run_dir)),
      ids(data::read_id_maps((fs::path(run_dir) / "ids").string())),
      layout(data::make_layout(plan.spec, ids.vocab, ids.behavior_space)),
      model(model::Model<float>::build(plan, ids.vocab)),
      checkpoint(checkpoint_path(run_dir, from)),
      fingerprint(train::spec_fingerprint(plan.spec)) {
  plan.spec = train::with_run_paths(train::RunFiles{dir}, plan.spec);  // after the fingerprint
  const train::Checkpoint c = train::Checkpoint::load(checkpoint, fingerprint);
  c.get_into("dense", model.dense().values());
  for (auto* t : model.tables()) c.get_into("table/" + t->name, t->values);
  // best.ckpt records the step of its evaluation, checkpoint.ckpt its training state's.
  for (const char* section : {"best/step", "state/step"})
    if (c.has(section)) {
      step = c.get_scalar<std::int64_t>(section);
      break;
    }
}

int TrainedRun::task(const std::string& name) const {
  if (name.empty()) return 0;
  std::string names;
  for (std::size_t k = 0; k < layout.tasks.size(); ++k) {
    if (layout.tasks[k].name == name) return int(k);
    names += (k ? ", " : "") + layout.tasks[k].name;
  }
  throw std::invalid_argument("unknown task `" + name + "` (the run's tasks: " + names + ")");
}

const std::string& TrainedRun::target_space(int k) const {
  return layout.groups[std::size_t(layout.tasks.at(std::size_t(k)).group)].object_space;
}

std::int64_t TrainedRun::objects(int k) const { return ids.vocab.size(target_space(k)); }

void TrainedRun::require_history_encoder(const std::string& use) const {
  if (plan.encoder.uses_history) return;
  throw std::runtime_error(use + ": encoder `" + std::string(spec::name_of(plan.encoder.kind)) +
                           "` does not read histories (its user vectors are rows of a table): it scores the "
                           "data's users only (atrank recommend --user, --users)");
}

}  // namespace atrank::infer
