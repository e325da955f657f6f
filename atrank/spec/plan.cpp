// make_plan(): the sections in order (an error stops at the first offending
// key), then what follows from several sections: which groups the encoder
// attends and the tasks target, and the tables the model creates.
#include "atrank/spec/plan.hpp"

#include <algorithm>

#include "atrank/spec/planner.hpp"

namespace atrank::spec {

Plan make_plan(const Spec& spec) {
  Plan plan;
  plan.spec = spec;
  Planner(plan).run();
  return plan;
}

std::vector<std::int64_t> bucket_edges(const TimeSpec& time) {
  if (!time.edges.empty() || parse_choice<EdgesKind>(time.edges_kind) != EdgesKind::Log2) return time.edges;
  std::vector<std::int64_t> edges;
  for (std::int64_t i = 1; i <= time.count && i <= kMaxLog2Edges; ++i) edges.push_back(std::int64_t{1} << i);
  return edges;
}

bool samples_ranking_negatives(const EvalSpec& eval) {
  if (parse_choice<Ranking>(eval.ranking) == Ranking::All) return false;
  for (const auto& m : eval.metrics)
    if (const auto metric = parse_metric(m); metric && metric->ranking()) return true;
  return false;
}

void Planner::run() {
  names();
  data();
  vocab();
  tables();
  encoder();
  groups();
  group_widths();
  tasks();
  train();
  eval();
  early_stop();
  roles();
  tables_in_creation_order();
  encoder_widths();
  memory();
}

// A group is attended when the encoder reads histories and encoder.attend
// lists it (or is empty); it is projected when attended with its projection
// enabled (else its concat goes to the encoder as it is: the authors' Bi-LSTM
// baselines), or when a task projects its targets through it.
void Planner::roles() {
  const auto& attend = s_.encoder.attend;
  for (GroupPlan& g : p_.groups) {
    g.attended = p_.encoder.uses_history &&
                 (attend.empty() || std::find(attend.begin(), attend.end(), g.name) != attend.end());
    g.projected = g.attended && s_.groups[std::size_t(g.index)].projection.enabled;
  }
  for (const TaskPlan& t : p_.tasks) {
    GroupPlan& g = p_.groups[std::size_t(t.group)];
    g.targeted = true;
    g.projected = g.projected || t.project_target;
  }
}

// The order the model creates (and initializes, and checkpoints) its tables
// in: group by group in spec order (features, behavior type, time), then the
// tasks' bias tables, then the encoder's user table. Behavior and time
// encodings only feed histories: a group that is only a target gets no tables
// for them (its projection keeps their widths; the authors pad with zeros).
void Planner::tables_in_creation_order() {
  for (GroupPlan& g : p_.groups) {
    if (!g.used()) continue;
    const std::string who = "group `" + g.name + "`";
    for (FeaturePlan& f : g.features)
      f.table = use_table(f.table_name, who + " feature " +
                                            (f.through.empty() ? g.object + " id" : g.object + " -> " + f.through));
    if (!g.attended) continue;
    if (!g.behavior_table_name.empty()) g.behavior_table = use_table(g.behavior_table_name, who + " behavior type");
    if (g.time.encoding == TimeEncoding::Embedding) g.time.table = use_time_table(g);
    g.time.dense = g.time.encoding == TimeEncoding::OneHot && g.time.combine == TimeCombine::Add;
  }
  for (TaskPlan& t : p_.tasks) {
    for (const FeaturePlan& f : p_.groups[std::size_t(t.group)].features)
      p_.tables[std::size_t(f.table)].users.push_back("task `" + t.name + "` target");
    if (!t.bias_table_name.empty()) t.bias_table = use_table(t.bias_table_name, "task `" + t.name + "` bias");
  }
  if (p_.encoder.kind == EncoderKind::Bpr)
    p_.encoder.user_table = use_table(s_.encoder.user_table, "encoder bpr (user vectors)");
}

// The declared table `name` for `user`.
int Planner::use_table(const std::string& name, const std::string& user) {
  const TableSpec& t = *s_.table(name);
  return use({t.name, t.vocab, 0, t.width, inits_.at(t.name), t.init_scale, {user}});
}

// A group's time table: one row per bucket, the overflow bucket (gap >= the last edge) included.
int Planner::use_time_table(const GroupPlan& g) {
  return use({g.time.table_name, kTimeBuckets, std::int64_t(g.time.edges.size()) + 1, g.time.embedding_width,
              InitKind::GlorotUniform, 0, {"group `" + g.name + "` time"}});
}

// `table` is created on first use; a later use of its name shares it (the
// sections checked that users agree on its shape) and adds its user.
int Planner::use(TablePlan table) {
  for (std::size_t i = 0; i < p_.tables.size(); ++i)
    if (p_.tables[i].name == table.name) {
      p_.tables[i].users.push_back(table.users.front());
      return int(i);
    }
  p_.tables.push_back(std::move(table));
  return int(p_.tables.size()) - 1;
}

// What the encoder is built against; group_widths() and tasks() made every
// attended group and every target agree.
void Planner::encoder_widths() {
  for (const GroupPlan& g : p_.groups)
    if (g.attended) {
      p_.encoder.history_width = g.width;
      break;
    }
  p_.encoder.query_width = p_.tasks.front().target_width;
}

}  // namespace atrank::spec
