// The planner's last sections: [tasks], [train] and [eval].
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "atrank/spec/planner.hpp"

namespace atrank::spec {

namespace {
std::string q(const std::string& s) { return "`" + s + "`"; }
}  // namespace

// ---- tasks -------------------------------------------------------------------

void Planner::tasks() {
  if (s_.tasks.empty()) fail("tasks", "no tasks: define at least one [tasks.<name>] with target = \"<group>\"");
  for (const auto& t : s_.tasks) {
    const std::string path = "tasks." + t.name;
    const GroupSpec& g = group_ref(path + ".target", t.target);
    TaskPlan task;
    task.name = t.name;
    task.group = int(&g - s_.groups.data());
    task.loss = one_of<Loss>(path + ".loss", t.loss);
    non_negative(path + ".l2", t.l2);
    positive(path + ".weight", t.weight);
    task.l2 = t.l2;
    task.weight = t.weight;
    if (t.learning_rate) {
      positive(path + ".learning_rate", *t.learning_rate);
      // train.multitask is checked later, with [train]: an unknown value is not "mixed" here.
      if (parse_choice<Multitask>(s_.train.multitask) == Multitask::Mixed)
        fail(path + ".learning_rate", "a per-task learning rate needs train.multitask = \"interleave\" (" +
                                          at("train.multitask") + " is \"mixed\")");
      task.learning_rate = t.learning_rate;
    }
    if (!t.bias_table.empty()) task_bias(t, g);
    task.bias_table_name = t.bias_table;
    task.project_target = t.project_target;
    if (t.project_target && !g.projection.enabled)
      fail(path + ".project_target", "the target group " + q(g.name) + " has no projection (" +
                                         at("groups." + g.name + ".projection.enabled") + ")");
    const GroupPlan& target = p_.groups[std::size_t(task.group)];
    task.target_width = t.project_target ? target.width : target.feature_width;
    task_width(task, target);
    p_.tasks.push_back(task);
  }
  p_.train.pairwise = p_.tasks.front().loss == Loss::Bpr;
}

void Planner::task_bias(const TaskSpec& t, const GroupSpec& g) const {
  const std::string path = "tasks." + t.name + ".bias_table";
  const TableSpec& b = table_ref(path, t.bias_table);
  if (b.width != 1)
    fail(path, fmt::format("bias table {} is {} wide ({}); a bias table has width 1", q(b.name), b.width,
                           at("tables." + b.name + ".width")));
  if (b.vocab != g.object)
    fail(path, "bias table " + q(b.name) + " indexes " + q(b.vocab) + " ids (" + at("tables." + b.name + ".vocab") +
                   ") but the target group " + q(g.name) + " predicts " + q(g.object) + " objects");
}

// score = bias + dot(user vector, target vector): equal widths.
void Planner::task_width(const TaskPlan& task, const GroupPlan& g) const {
  const std::string path = "tasks." + task.name + ".target";
  std::string parts;
  if (task.project_target) {
    parts = "groups." + g.name + ".projection.width";
  } else {
    for (const auto& f : g.features)
      parts += (parts.empty() ? "" : " + ") + f.table_name + " " + std::to_string(f.width);
    parts = "features of group `" + g.name + "`: " + parts;
  }
  const EncoderSpec& e = s_.encoder;
  std::int64_t user_width = e.hidden;
  std::string user_key = "encoder.hidden";
  if (p_.encoder.kind == EncoderKind::Bpr) {
    user_width = s_.table(e.user_table)->width;
    user_key = "tables." + e.user_table + ".width";
  }
  if (task.target_width != user_width)
    fail(path, fmt::format("the target vector is {} wide ({}) but the user vector is {} wide ({}); "
                           "the score dot(user, target) needs equal widths",
                           task.target_width, parts, user_width, at(user_key)));
  if (p_.encoder.kind == EncoderKind::BilstmAtt && task.target_width != e.lstm_units)
    fail(path, fmt::format("the target vector is {} wide ({}) but bilstm_att attends with it over "
                           "the {}-unit LSTM states ({}); they must be equal",
                           task.target_width, parts, e.lstm_units, at("encoder.lstm_units")));
}

// ---- training and evaluation ---------------------------------------------------

void Planner::train() {
  const TrainSpec& t = s_.train;
  p_.train.optimizer = one_of<OptimizerKind>("train.optimizer", t.optimizer);
  positive("train.learning_rate", t.learning_rate);
  for (std::size_t i = 0; i < t.schedule.size(); ++i) {
    const std::string path = "train.schedule[" + std::to_string(i) + "]";
    non_negative(path + ".step", t.schedule[i].step);
    positive(path + ".learning_rate", t.schedule[i].learning_rate);
    if (i > 0 && t.schedule[i].step <= t.schedule[i - 1].step)
      fail(path + ".step", fmt::format("schedule steps must increase: step {} does not come after step {} ({})",
                                       t.schedule[i].step, t.schedule[i - 1].step,
                                       at("train.schedule[" + std::to_string(i - 1) + "].step")));
  }
  unit_interval("train.beta1", t.beta1);
  unit_interval("train.beta2", t.beta2);
  positive("train.adam_eps", t.adam_eps);
  non_negative("train.adagrad_init", t.adagrad_init);
  positive("train.batch_size", t.batch_size);
  positive("train.epochs", t.epochs);
  non_negative("train.clip_norm", t.clip_norm);
  count("train.threads", t.threads, kMaxThreads, "threads",
        "each keeps a tape and a gradient buffer as large as the dense parameters");
  non_negative("train.eval_every", t.eval_every);
  non_negative("train.checkpoint_every", t.checkpoint_every);
  p_.train.multitask = one_of<Multitask>("train.multitask", t.multitask);
  positive("train.eval_batch_size", t.eval_batch_size);
  non_negative("train.max_steps", t.max_steps);
}

void Planner::eval() {
  const EvalSpec& e = s_.eval;
  EvalPlan& plan = p_.eval;
  if (e.metrics.empty()) fail("eval.metrics", "expected at least one metric; choices: " + join(metric_spellings()));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < e.metrics.size(); ++i) {
    const std::string& m = e.metrics[i];
    const std::string path = "eval.metrics[" + std::to_string(i) + "]";
    const auto metric = parse_metric(m);
    if (!metric)
      fail(path, "unknown metric \"" + m + "\"" +
                     did_you_mean(m, {"auc", "gauc", "roc_auc", "logloss", "mrr", "hr@10", "ndcg@10", "recall@10"}) +
                     "; expected one of: " + join(metric_spellings()) + " (K a positive integer)");
    if (!seen.insert(m).second) fail(path, "metric \"" + m + "\" listed twice");
    plan.metrics.push_back(*metric);
    plan.ranking = plan.ranking || metric->ranking();
    if (metric->kind == MetricKind::Auc) plan.select_metric = m;
  }
  if (plan.select_metric.empty()) plan.select_metric = plan.metrics.front().name;
  plan.select_lower_is_better = parse_metric(plan.select_metric)->lower_is_better();
  positive("eval.negatives", e.negatives);
  plan.ranking_scope = one_of<Ranking>("eval.ranking", e.ranking);
  non_negative("eval.rank_users", e.rank_users);
  plan.rank_users = e.rank_users;
  plan.select = one_of<Selection>("eval.select", e.select);
  if (plan.select == Selection::Valid && split_ != SplitScheme::Valid)
    fail("eval.select", "selecting on \"valid\" needs a validation split: data.split = \"valid\" (" +
                            at("data.split") + " is \"" + s_.data.split + "\")");
}

// "<split>.<metric>": a split that is evaluated and a value metrics.jsonl
// holds for it (a metric of eval.metrics, or "<task>.<metric>" with several tasks).
void Planner::early_stop() {
  const EarlyStopSpec& e = s_.train.early_stop;
  if (e.metric.empty()) {
    if (s_.origins.count("train.early_stop"))
      fail("train.early_stop.metric", "expected the value to watch, e.g. metric = \"valid.auc\"");
    return;
  }
  const std::string path = "train.early_stop.metric";
  std::vector<std::string> choices;
  for (const std::string split : {"valid", "test"}) {
    if (split == "valid" && split_ != SplitScheme::Valid) continue;
    for (const Metric& m : p_.eval.metrics) {
      choices.push_back(split + "." + m.name);
      if (p_.tasks.size() > 1)
        for (const TaskPlan& t : p_.tasks) choices.push_back(split + "." + t.name + "." + m.name);
    }
  }
  if (std::find(choices.begin(), choices.end(), e.metric) == choices.end()) {
    std::string why;
    if (e.metric.rfind("valid.", 0) == 0 && split_ != SplitScheme::Valid)
      why = " (valid.* needs a validation split: data.split = \"valid\", " + at("data.split") + ")";
    fail(path, "\"" + e.metric + "\" is not an evaluated value" + why + did_you_mean(e.metric, choices) +
                   "; expected one of: " + join(choices));
  }
  positive("train.early_stop.patience", e.patience);
  non_negative("train.early_stop.min_delta", e.min_delta);
  EarlyStopPlan plan;
  plan.name = e.metric;
  const auto dot = e.metric.find('.');
  plan.split = e.metric.substr(0, dot) == "valid" ? Selection::Valid : Selection::Test;
  plan.metric = e.metric.substr(dot + 1);
  plan.lower_is_better = parse_metric(plan.metric.substr(plan.metric.rfind('.') + 1))->lower_is_better();
  plan.patience = e.patience;
  plan.min_delta = e.min_delta;
  p_.train.early_stop = plan;
}

}  // namespace atrank::spec
