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
#include <functional>
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
  double init_scale = 0;        // the normals: the standard deviation
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
  InitKind cnn_init = InitKind::TruncatedNormal;  // cnn: the convolution kernels
  bool uses_history = true;       // all kinds but bpr encode the behavior history
  std::int64_t history_width = 0; // every attended group's width (0 without history)
  std::int64_t query_width = 0;   // the target vectors' width
  int user_table = -1;            // bpr: index into Plan::tables
};

// train.early_stop: the run stops after `patience` evaluations in a row in
// which the watched value did not improve on its best by more than min_delta.
struct EarlyStopPlan {
  std::string name;               // as written: "valid.auc"
  Selection split = Selection::Valid;
  std::string metric;             // its key within the split's values: "auc", "item.auc"
  bool lower_is_better = false;   // logloss
  std::int64_t patience = 0;
  double min_delta = 0;
};

struct TrainPlan {
  OptimizerKind optimizer = OptimizerKind::Sgd;
  Multitask multitask = Multitask::Interleave;
  // Training batches carry a positive and sampled negatives per example (the
  // first task's loss is bpr) instead of one labelled target.
  bool pairwise = false;
  std::optional<EarlyStopPlan> early_stop;
};

struct EvalPlan {
  std::vector<Metric> metrics;
  Selection select = Selection::Test;
  std::string select_metric;      // the metric models are selected on: auc when listed, else the first
  bool select_lower_is_better = false;  // the selected metric is a loss (logloss)
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
// Its sizes must fit the machine (check_training_memory with the spec's vocab.* sizes).
Plan make_plan(const Spec& spec);

// Whether the valid/test cases need eval.negatives sampled negatives (a
// ranking metric over sampled candidates) or only the authors' one. The
// example builder asks this of the spec before there is a plan.
bool samples_ranking_negatives(const EvalSpec& eval);

// The origin of key `path` in `spec`, else of the closest enclosing key that
// was written, else the spec's file: where an error about `path` points.
Origin origin_of(const Spec& spec, std::string path);

// The memory training a model of `plan` needs at least: parameter values,
// optimizer state and dense gradients (one buffer per thread), by part, each
// with the spec key that sizes it most. Activations, batches and data come on
// top. `rows(space)` gives an id space's size, 0 when unknown (counted as 1 row).
struct MemoryPart {
  std::string what;   // "table `item` (63001 rows x 64)"
  std::string key;    // "vocab.item"
  long double bytes = 0;
};
std::vector<MemoryPart> training_memory(const Plan& plan, const std::function<std::int64_t(const std::string&)>& rows,
                                        std::size_t value_bytes = sizeof(float));

// What this process may use: the least of physical memory, the cgroup's
// memory limit and RLIMIT_AS / RLIMIT_DATA, with what set it.
struct MachineMemory {
  long double bytes = 0;
  std::string source;  // "physical memory", "the cgroup memory limit", "RLIMIT_AS", ...
};
MachineMemory machine_memory();

// Throws SpecError at the key of the largest part when training_memory()
// adds up to more than `available`.
void check_training_memory(const Plan& plan, const std::function<std::int64_t(const std::string&)>& rows,
                           const MachineMemory& available = machine_memory(), std::size_t value_bytes = sizeof(float));

// The largest any size key may be (widths, hidden, heads, blocks, ffn, vocab.*, ...): 2^40, so that
// sums and products of sizes never overflow before the memory check sees them.
constexpr std::int64_t kMaxSize = std::int64_t{1} << 40;
// The most training threads (train.threads, --threads).
constexpr std::int64_t kMaxThreads = 1024;
// The most attention blocks (encoder.blocks): far beyond any model that trains on a CPU.
constexpr std::int64_t kMaxBlocks = 1000;

// Bucket edges of a time encoding: the explicit edges, or 2^1 .. 2^count for
// edges = "log2" (what resolve() stores).
std::vector<std::int64_t> bucket_edges(const TimeSpec& time);
// The most log2 edges a group may have: 2^62 is the largest power of two in an int64.
constexpr std::int64_t kMaxLog2Edges = 62;

}  // namespace atrank::spec
