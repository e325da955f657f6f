// What a checkpoint restores besides parameters and optimizer state: the
// position and progress of a run. One list of fields, with the section each
// is stored in, serves both saving and restoring.
#pragma once

#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "atrank/data/batcher.hpp"
#include "atrank/model/model.hpp"
#include "atrank/train/checkpoint.hpp"
#include "atrank/train/early_stopping.hpp"

namespace atrank::train {

// A model's parameters, each with its section: best.ckpt holds these, a
// checkpoint these and the training state.
template <class F>
void parameter_fields(model::Model<float>& model, F&& f) {
  f("dense", model.dense().values());
  for (auto* t : model.tables()) f("table/" + t->name, t->values);
}

struct RunState {
  std::int64_t step = 0;
  data::BatchPosition position;
  std::int64_t examples = 0;     // examples trained on so far
  double train_seconds = 0;      // time in training steps (evaluation excluded)
  double seconds = 0;            // wall-clock time of the run (earlier runs included) at the last checkpoint
  double loss_sum = 0;           // since the last evaluation
  std::int64_t loss_count = 0;
  std::int64_t last_eval_step = -1;
  double best_score = -std::numeric_limits<double>::infinity();
  std::int64_t best_step = -1, best_epoch = -1;
  nlohmann::json best_metrics = nlohmann::json::object();
  EarlyStopState early_stop;

  // Calls f(section, field) for every field.
  template <class F>
  void fields(F&& f) {
    f("state/step", step);
    f("state/epoch", position.epoch);
    f("state/batch", position.batch);
    f("state/examples", examples);
    f("state/train_seconds", train_seconds);
    f("state/seconds", seconds);
    f("state/loss_sum", loss_sum);
    f("state/loss_count", loss_count);
    f("state/last_eval_step", last_eval_step);
    f("state/best_score", best_score);
    f("state/best_step", best_step);
    f("state/best_epoch", best_epoch);
    f("state/best_metrics", best_metrics);
    f("state/early_stop", early_stop);
  }
};

// Visitors for a field list: one writes each field into its checkpoint
// section, the other reads it back.
struct PutSection {
  Checkpoint& c;
  void operator()(const std::string& name, std::int64_t v) const { c.put_scalar(name, v); }
  void operator()(const std::string& name, double v) const { c.put_scalar(name, v); }
  void operator()(const std::string& name, const std::vector<float>& v) const { c.put(name, v); }
  void operator()(const std::string& name, const nlohmann::json& v) const { c.put_string(name, v.dump()); }
  void operator()(const std::string& name, const std::mt19937_64& v) const {
    std::ostringstream s;
    s << v;
    c.put_string(name, s.str());
  }
  void operator()(const std::string& name, const EarlyStopState& v) const { c.put_string(name, v.to_json()); }
};

struct GetSection {
  const Checkpoint& c;
  void operator()(const std::string& name, std::int64_t& v) const { v = c.get_scalar<std::int64_t>(name); }
  void operator()(const std::string& name, double& v) const { v = c.get_scalar<double>(name); }
  void operator()(const std::string& name, std::vector<float>& v) const { c.get_into(name, v); }
  void operator()(const std::string& name, nlohmann::json& v) const { v = nlohmann::json::parse(c.bytes(name)); }
  void operator()(const std::string& name, std::mt19937_64& v) const {
    std::istringstream s(c.bytes(name));
    s >> v;
  }
  // Checkpoints written before early stopping existed have no such section: a fresh state.
  void operator()(const std::string& name, EarlyStopState& v) const {
    v = c.has(name) ? EarlyStopState::from_json(c.bytes(name)) : EarlyStopState{};
  }
};

}  // namespace atrank::train
