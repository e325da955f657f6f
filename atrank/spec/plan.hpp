// What a spec means, decided once: make_plan() validates a resolved spec and
// returns its plan, or throws SpecError naming the file, line and key. The
// plan holds every enumerated value as an enum, each group's role and widths,
// the resolved time edges, the embedding tables the model creates (in
// creation order, with their users), the task heads and the training and
// evaluation choices. Model, training and data read the plan; numbers and
// names they need as written (encoder.hidden, train.batch_size, ...) they
// read from `plan.spec`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atrank/spec/choices.hpp"
#include "atrank/spec/metric.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::spec {

// An embedding table the model creates.
struct TablePlan {
  std::string name;
  std::string vocab;            // id space its rows index (kTimeBuckets for a group's time table)
  std::int64_t rows = 0;        // fixed row count (time tables: one per bucket); 0 = the size of `vocab`
  std::int64_t width = 0;
  InitKind init = InitKind::GlorotUniform;
  double init_scale = 0;        // InitKind::Normal: the standard deviation
  std::vector<std::string> users;  // who looks it up, owner first: "group `item` feature item id", ...
};

// The `vocab` of a group's time table.
inline const char* const kTimeBuckets = "time buckets";

struct FeaturePlan {
  int table = -1;          // index into Plan::tables
  std::string table_name;
  std::string through;     // attribute name the object is mapped through; empty = the object's own id
  std::int64_t width = 0;
};

struct TimePlan {
  TimeEncoding encoding = TimeEncoding::None;
  TimeCombine combine = TimeCombine::Concat;
  std::vector<std::int64_t> edges;  // ascending; buckets = edges + 1 (the overflow bucket)
  std::string table_name;           // TimeEncoding::Embedding: the group's time table
  int table = -1;                   // its index into Plan::tables (attended groups only)
  std::int64_t embedding_width = 0; // TimeEncoding::Embedding: the table's width
  std::int64_t concat_width = 0;    // columns the time encoding adds to the concat (0 for add/none)
  // One-hot buckets added (combine = add): a tanh dense of the raw bucket
  // number, as wide as features + behavior (attended groups only).
  bool dense = false;
};

// A behavior group: its role in the model and its widths.
struct GroupPlan {
  std::string name;
  int index = 0;                  // position in spec.groups and in a batch's groups
  std::string object;             // id space of the objects
  std::vector<std::string> behaviors;
  bool attended = false;          // part of the encoder's history
  bool targeted = false;          // some task predicts its objects
  bool projected = false;         // has a projection: attended and enabled, or a projected target
  std::vector<FeaturePlan> features;
  std::int64_t feature_width = 0; // the features' concat: a target vector without projection
  std::string behavior_table_name;
  int behavior_table = -1;        // index into Plan::tables (attended groups only)
  std::int64_t behavior_width = 0;
  TimePlan time;
  std::int64_t input_width = 0;   // features + behavior + time: what enters the projection
  Activation activation = Activation::None;  // of the projection
  // The width of the group's vectors as the encoder sees them: the
  // projection's width, or input_width without projection.
  std::int64_t width = 0;
  bool used() const { return attended || targeted; }
};

struct TaskPlan {
  std::string name;
  int group = -1;                 // index into Plan::groups
  Loss loss = Loss::SigmoidCrossEntropy;
  double l2 = 0, weight = 1;
  std::optional<double> learning_rate;
  bool project_target = false;
  std::string bias_table_name;
  int bias_table = -1;            // index into Plan::tables, or -1
  std::int64_t target_width = 0;  // the width of its target vectors (= the user vectors')
};

struct EncoderPlan {
  EncoderKind kind = EncoderKind::Atrank;
  Activation qkv_activation = Activation::Relu;
  bool uses_history = true;       // all kinds but bpr encode the behavior history
  std::int64_t history_width = 0; // every attended group's width (0 without history)
  std::int64_t query_width = 0;   // the target vectors' width
  int user_table = -1;            // bpr: index into Plan::tables
};

struct TrainPlan {
  OptimizerKind optimizer = OptimizerKind::Sgd;
  Multitask multitask = Multitask::Interleave;
  // Training batches carry a positive and sampled negatives per example (the
  // first task's loss is bpr) instead of one labelled target.
  bool pairwise = false;
};

struct EvalPlan {
  std::vector<Metric> metrics;
  Selection select = Selection::Test;
  std::string select_metric;      // the metric models are selected on: auc when listed, else the first
  bool ranking = false;           // some metric ranks the positive (Metric::ranking)
  Ranking ranking_scope = Ranking::Sampled;  // eval.ranking: among sampled negatives or all untouched objects
  std::int64_t rank_users = 0;    // eval.rank_users (0 = every case)
};

struct Plan {
  Spec spec;                      // the resolved spec the plan was made from
  std::vector<TablePlan> tables;  // in creation order
  std::vector<GroupPlan> groups;  // spec order
  EncoderPlan encoder;
  std::vector<TaskPlan> tasks;    // spec order
  TrainPlan train;
  EvalPlan eval;
};

// Validates a resolved spec (see resolve()) and returns its plan. Throws SpecError.
Plan make_plan(const Spec& spec);

// Whether the valid/test cases need eval.negatives sampled negatives (a
// ranking metric over sampled candidates) or only the authors' one. The
// example builder asks this of the spec before there is a plan.
bool samples_ranking_negatives(const EvalSpec& eval);

// Bucket edges of a time encoding: the explicit edges, or 2^1 .. 2^count for
// edges = "log2" (what resolve() stores).
std::vector<std::int64_t> bucket_edges(const TimeSpec& time);
// The most log2 edges a group may have: 2^62 is the largest power of two in an int64.
constexpr std::int64_t kMaxLog2Edges = 62;

}  // namespace atrank::spec
