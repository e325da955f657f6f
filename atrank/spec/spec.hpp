// The typed spec: a TOML spec file as written, after parsing, defaults applied.
// Parsing fills it (spec/load); enumerated values stay as written here and
// make_plan() (spec/plan) decides what they mean. Field names follow the TOML
// keys (documented in specs/README.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace atrank::spec {

// Where a value came from, for error messages: "specs/amazon.toml:12:3".
struct Origin {
  std::string file;
  int line = 0;
  int column = 0;
  std::string str() const;  // "file:line:col" (or "file" / "--set" when unknown)
};

// One attribute table: object -> attribute value (e.g. item -> category).
// For CSV sources it is either columns of the events file or a separate file.
struct AttributeSpec {
  std::string name;          // attribute name = its id space, e.g. "category", "shop", "brand"
  std::string object_space;  // whose attribute, e.g. "item"
  std::string path;          // separate file (csv), empty = taken from the events file
  std::string object_column; // column of the object id in `path`
  std::string column;        // column holding the attribute (in `path` or the events file)
  Origin origin;
};

struct DataSpec {
  // "amazon": reviews_<C>_5.json[.gz] + meta_<C>.json[.gz] in `path`;
  // "csv": generic delimited events (taobao, synthetic output, ...);
  // "movielens": u.data + u.item in `path`.
  std::string source = "csv";
  std::string path;                     // directory (or file for csv)
  std::string amazon_category;          // amazon: "Electronics"
  std::vector<std::string> files;       // csv: event files relative to path (default: path itself)
  std::string delimiter = ",";          // csv: "," "\t" or any single character
  bool header = true;                   // csv: first line names the columns
  std::vector<std::string> columns;     // csv without header: column names in order
  std::string user_column = "user";
  std::string object_column = "item";
  std::string behavior_column;          // empty: every event has behavior `default_behavior`
  std::string time_column = "timestamp";
  std::string time_format = "unix";     // "unix" seconds or "iso" (YYYY-MM-DD[THH:MM:SS])
  std::string default_behavior = "event";
  int liked_threshold = 0;              // movielens: rating >= this -> behavior "liked", else "watched"; 0 = one behavior "rating"
  std::vector<AttributeSpec> attributes;
  std::string object_space = "item";    // id space of the events' object column (single-space sources)
  // Per behavior type, the id space of its objects when it differs from
  // object_space (multi-behavior data: e.g. query -> "query", coupon -> "coupon").
  std::map<std::string, std::string> behavior_object_space;
  std::int64_t time_unit_seconds = 86400;  // gaps are measured in these units (authors: days)
  std::int64_t history_cap = 0;          // keep the N most recent events per group; 0 = all
  std::string split = "last";            // "last": test = last event; "valid": also second-to-last as validation
  std::uint64_t seed = 1234;             // negatives sampling
  bool skip_bad_lines = false;           // skip (and count) malformed lines instead of failing
  std::int64_t min_events = 0;           // users with fewer events are dropped (0 = as split needs)
  std::string cache_dir = ".cache/atrank";
  // "single" | "multi": when `path` does not exist, fill it with the synthetic
  // generator (default sizes, seed 1) first; "" = never generate.
  std::string synthetic;
  Origin origin;
};

struct TableSpec {
  std::string name;
  std::string vocab;        // id space indexed: "item", "category", "user", "behavior", ...
  std::int64_t width = 64;
  std::string init = "glorot_uniform";  // "glorot_uniform" | "zeros" | "normal" | "truncated_normal" (stddev `init_scale`)
  double init_scale = 0.01;
  Origin origin;
};

// One embedded feature of a group's object.
struct FeatureSpec {
  std::string table;    // embedding table to look up
  std::string through;  // attribute name the object is mapped through (empty: the object's own id)
  Origin origin;
};

struct TimeSpec {
  std::string encoding = "one_hot";  // "one_hot" | "embedding" | "none"
  std::string edges_kind = "log2";   // "log2" (edges 2,4,...,2^count) or "explicit"
  std::int64_t count = 12;           // number of edges for log2
  std::vector<std::int64_t> edges;   // resolved edges (ascending), buckets = edges.size() (+1 overflow)
  std::int64_t width = 0;            // embedding width (encoding = "embedding")
  std::string combine = "concat";    // "concat" | "add" (authors' option: tanh dense of the bucket added)
  std::string table;                 // time embedding table name; defaults to "<group>_time" (per group)
  // Gaps are measured in these units for this group; 0 in the file = data.time_unit_seconds
  // (resolved: after loading it always holds the unit in force).
  std::int64_t unit_seconds = 0;
  Origin origin;
};

struct ProjectionSpec {
  std::int64_t width = 0;            // 0 = the encoder's hidden width (resolved after loading)
  std::string activation = "none";   // "none" | "relu" | "tanh"
  // false: the group's concatenated features go to the encoder unprojected
  // (the authors' Bi-LSTM baselines); width/activation are then unused.
  bool enabled = true;
};

struct GroupSpec {
  std::string name;
  std::vector<std::string> behaviors;  // behavior types in this group
  std::string object;                  // id space of the objects
  std::vector<FeatureSpec> features;
  std::string behavior_table;          // optional behavior-type embedding table
  TimeSpec time;
  ProjectionSpec projection;
  Origin origin;
};

struct EncoderSpec {
  std::string kind = "atrank";         // "atrank" | "bpr" | "bilstm" | "bilstm_att" | "cnn"
  std::int64_t hidden = 128;
  std::int64_t heads = 8;
  std::int64_t blocks = 1;
  std::int64_t ffn = 32;               // feed-forward inner width
  double dropout = 0.0;
  std::string qkv_activation = "relu"; // "relu" (authors' code) | "none"
  double layer_norm_eps = 1e-8;
  std::vector<std::string> attend;     // groups attended over; empty = all groups
  // baselines
  std::int64_t lstm_units = 128;
  std::vector<std::int64_t> cnn_widths = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::int64_t cnn_filters = 32;
  std::int64_t cnn_max_length = 500;
  std::string cnn_init = "truncated_normal";  // the convolution kernels' initializer (the normals: stddev 0.1)
  std::string user_table;              // bpr: user embedding table
  Origin origin;
};

struct TaskSpec {
  std::string name;
  std::string target;                  // group whose objects are predicted
  std::string bias_table;              // per-object bias table (width 1); empty = no bias
  std::string loss = "sigmoid_ce";     // "sigmoid_ce" (pointwise) | "bpr" (pairwise)
  double l2 = 5e-5;                    // authors' L2 on the output vectors
  double weight = 1.0;                 // loss weight (mixed batches)
  std::optional<double> learning_rate; // per-task learning rate (interleaved batches)
  bool project_target = false;         // target goes through its group's projection (multi model)
  Origin origin;
};

struct ScheduleStep {
  std::int64_t step = 0;
  double learning_rate = 0;
};

// Stop a run when a metric stops improving (off while `metric` is empty).
struct EarlyStopSpec {
  std::string metric;          // "<split>.<metric>" as metrics.jsonl names it: "valid.auc", "test.item.auc"
  std::int64_t patience = 3;   // this many evaluations in a row without improvement stop the run
  double min_delta = 0.0;      // an improvement must beat the best so far by more than this
};

struct TrainSpec {
  std::string optimizer = "sgd";       // "sgd" | "adam" | "adagrad"
  double learning_rate = 1.0;
  std::vector<ScheduleStep> schedule;  // lr becomes `learning_rate` from `step` on
  double beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;
  double adagrad_init = 0.1;
  std::int64_t batch_size = 32;
  std::int64_t epochs = 10;
  double clip_norm = 5.0;              // 0 = no clipping
  std::uint64_t seed = 1234;
  std::int64_t threads = 1;
  std::int64_t eval_every = 1000;      // steps; 0 = once per epoch
  std::int64_t checkpoint_every = 0;   // steps; 0 = at the end only
  std::string multitask = "interleave";// "interleave" (one task per batch) | "mixed"
  std::int64_t eval_batch_size = 512;
  std::int64_t max_steps = 0;          // 0 = epochs decide
  EarlyStopSpec early_stop;
  Origin origin;
};

struct EvalSpec {
  std::vector<std::string> metrics = {"auc", "gauc", "roc_auc", "logloss"};  // + "hr@K", "ndcg@K", "recall@K", "mrr"
  std::int64_t negatives = 100;        // sampled negatives for HR/NDCG
  std::string select = "test";         // model selection on "valid" or "test" (authors: best test)
  std::string ranking = "sampled";     // ranking metrics over "sampled" negatives or "all" untouched objects
  std::int64_t rank_users = 0;         // "all": a seeded sample of this many cases per split; 0 = all
  Origin origin;
};

struct Spec {
  std::string file;                    // path of the TOML file
  std::string name;
  std::string description;             // free text

  DataSpec data;
  std::map<std::string, std::int64_t> vocab;  // explicit id-space sizes (vocab.item = N)
  std::vector<TableSpec> tables;
  std::vector<GroupSpec> groups;
  EncoderSpec encoder;
  std::vector<TaskSpec> tasks;
  TrainSpec train;
  EvalSpec eval;
  // Where each key was set: key path ("encoder.heads", "groups.item.features[1].table")
  // -> origin in the file or "--set ...". Filled by parsing; used by validation
  // messages; ignored by operator==.
  std::map<std::string, Origin> origins;

  const TableSpec* table(const std::string& n) const;
  const GroupSpec* group(const std::string& n) const;
  const TaskSpec* task(const std::string& n) const;
};

// Field-wise equality (`file`, `origin` and `origins` are ignored): a spec and
// its to_toml() read back are equal.
bool operator==(const AttributeSpec& a, const AttributeSpec& b);
bool operator==(const DataSpec& a, const DataSpec& b);
bool operator==(const TableSpec& a, const TableSpec& b);
bool operator==(const FeatureSpec& a, const FeatureSpec& b);
bool operator==(const TimeSpec& a, const TimeSpec& b);
bool operator==(const ProjectionSpec& a, const ProjectionSpec& b);
bool operator==(const GroupSpec& a, const GroupSpec& b);
bool operator==(const EncoderSpec& a, const EncoderSpec& b);
bool operator==(const TaskSpec& a, const TaskSpec& b);
bool operator==(const ScheduleStep& a, const ScheduleStep& b);
bool operator==(const EarlyStopSpec& a, const EarlyStopSpec& b);
bool operator==(const TrainSpec& a, const TrainSpec& b);
bool operator==(const EvalSpec& a, const EvalSpec& b);
bool operator==(const Spec& a, const Spec& b);
inline bool operator!=(const Spec& a, const Spec& b) { return !(a == b); }

}  // namespace atrank::spec
