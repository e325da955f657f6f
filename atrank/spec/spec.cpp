// Origins, lookups by name and field-wise equality of the typed spec.
#include "atrank/spec/spec.hpp"

#include <tuple>

namespace atrank::spec {

std::string Origin::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

namespace {
template <class T>
const T* find_named(const std::vector<T>& v, const std::string& n) {
  for (const auto& x : v)
    if (x.name == n) return &x;
  return nullptr;
}
}  // namespace

const TableSpec* Spec::table(const std::string& n) const { return find_named(tables, n); }
const GroupSpec* Spec::group(const std::string& n) const { return find_named(groups, n); }
const TaskSpec* Spec::task(const std::string& n) const { return find_named(tasks, n); }

// Every field but `origin`/`origins`; keep in step with spec.hpp.
bool operator==(const AttributeSpec& a, const AttributeSpec& b) {
  return std::tie(a.name, a.object_space, a.path, a.object_column, a.column) ==
         std::tie(b.name, b.object_space, b.path, b.object_column, b.column);
}

bool operator==(const DataSpec& a, const DataSpec& b) {
  return std::tie(a.source, a.path, a.amazon_category, a.files, a.delimiter, a.header, a.columns, a.user_column,
                  a.object_column, a.behavior_column, a.time_column, a.time_format, a.default_behavior,
                  a.liked_threshold, a.attributes, a.object_space, a.behavior_object_space, a.time_unit_seconds,
                  a.history_cap, a.split, a.seed, a.skip_bad_lines, a.min_events, a.cache_dir, a.synthetic) ==
         std::tie(b.source, b.path, b.amazon_category, b.files, b.delimiter, b.header, b.columns, b.user_column,
                  b.object_column, b.behavior_column, b.time_column, b.time_format, b.default_behavior,
                  b.liked_threshold, b.attributes, b.object_space, b.behavior_object_space, b.time_unit_seconds,
                  b.history_cap, b.split, b.seed, b.skip_bad_lines, b.min_events, b.cache_dir, b.synthetic);
}

bool operator==(const TableSpec& a, const TableSpec& b) {
  return std::tie(a.name, a.vocab, a.width, a.init, a.init_scale) ==
         std::tie(b.name, b.vocab, b.width, b.init, b.init_scale);
}

bool operator==(const FeatureSpec& a, const FeatureSpec& b) {
  return std::tie(a.table, a.through) == std::tie(b.table, b.through);
}

bool operator==(const TimeSpec& a, const TimeSpec& b) {
  return std::tie(a.encoding, a.edges_kind, a.count, a.edges, a.width, a.combine, a.table, a.unit_seconds) ==
         std::tie(b.encoding, b.edges_kind, b.count, b.edges, b.width, b.combine, b.table, b.unit_seconds);
}

bool operator==(const ProjectionSpec& a, const ProjectionSpec& b) {
  return std::tie(a.width, a.activation, a.enabled) == std::tie(b.width, b.activation, b.enabled);
}

bool operator==(const GroupSpec& a, const GroupSpec& b) {
  return std::tie(a.name, a.behaviors, a.object, a.features, a.behavior_table, a.time, a.projection) ==
         std::tie(b.name, b.behaviors, b.object, b.features, b.behavior_table, b.time, b.projection);
}

bool operator==(const EncoderSpec& a, const EncoderSpec& b) {
  return std::tie(a.kind, a.hidden, a.heads, a.blocks, a.ffn, a.dropout, a.qkv_activation, a.layer_norm_eps,
                  a.attend, a.lstm_units, a.cnn_widths, a.cnn_filters, a.cnn_max_length, a.cnn_init, a.user_table) ==
         std::tie(b.kind, b.hidden, b.heads, b.blocks, b.ffn, b.dropout, b.qkv_activation, b.layer_norm_eps,
                  b.attend, b.lstm_units, b.cnn_widths, b.cnn_filters, b.cnn_max_length, b.cnn_init, b.user_table);
}

bool operator==(const TaskSpec& a, const TaskSpec& b) {
  return std::tie(a.name, a.target, a.bias_table, a.loss, a.l2, a.weight, a.learning_rate, a.project_target) ==
         std::tie(b.name, b.target, b.bias_table, b.loss, b.l2, b.weight, b.learning_rate, b.project_target);
}

bool operator==(const ScheduleStep& a, const ScheduleStep& b) {
  return std::tie(a.step, a.learning_rate) == std::tie(b.step, b.learning_rate);
}

bool operator==(const EarlyStopSpec& a, const EarlyStopSpec& b) {
  return std::tie(a.metric, a.patience, a.min_delta) == std::tie(b.metric, b.patience, b.min_delta);
}

bool operator==(const TrainSpec& a, const TrainSpec& b) {
  return std::tie(a.optimizer, a.learning_rate, a.schedule, a.beta1, a.beta2, a.adam_eps, a.adagrad_init,
                  a.batch_size, a.epochs, a.clip_norm, a.seed, a.threads, a.eval_every, a.checkpoint_every,
                  a.multitask, a.eval_batch_size, a.max_steps, a.early_stop) ==
         std::tie(b.optimizer, b.learning_rate, b.schedule, b.beta1, b.beta2, b.adam_eps, b.adagrad_init,
                  b.batch_size, b.epochs, b.clip_norm, b.seed, b.threads, b.eval_every, b.checkpoint_every,
                  b.multitask, b.eval_batch_size, b.max_steps, b.early_stop);
}

bool operator==(const EvalSpec& a, const EvalSpec& b) {
  return std::tie(a.metrics, a.negatives, a.select, a.ranking, a.rank_users) ==
         std::tie(b.metrics, b.negatives, b.select, b.ranking, b.rank_users);
}

bool operator==(const Spec& a, const Spec& b) {
  return std::tie(a.name, a.description, a.data, a.vocab, a.tables, a.groups, a.encoder, a.tasks, a.train, a.eval) ==
         std::tie(b.name, b.description, b.data, b.vocab, b.tables, b.groups, b.encoder, b.tasks, b.train, b.eval);
}

}  // namespace atrank::spec
