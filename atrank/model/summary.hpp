// What a built model consists of, in plain data: groups with their features,
// tables with their users, blocks, tasks and parameter counts. `atrank check`
// prints it (text or JSON); runs can log it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "atrank/spec/choices.hpp"

namespace atrank::model {

struct FeatureSummary {
  std::string table;
  std::string through;  // attribute map ("category"), empty for the object's own id
  std::int64_t width = 0;
};

struct GroupSummary {
  std::string name;
  std::vector<std::string> behaviors;
  std::string object;                  // id space of the objects
  bool attended = false;               // part of the encoder's history
  std::vector<FeatureSummary> features;
  std::string behavior_table;          // empty: none
  std::int64_t behavior_width = 0;
  std::string time;                    // e.g. "one_hot of 12 buckets (edges 2..4096), concat"
  std::string time_table;              // per-group time table (encoding = embedding), else empty
  std::int64_t time_width = 0;         // width the time encoding adds to the concat (0 for add/none)
  std::int64_t input_width = 0;        // concat width before the projection
  std::int64_t width = 0;              // after the projection (0: not projected)
  std::string projection_activation;
  std::int64_t params = 0;             // dense parameters of this group (projection, time dense)
};

struct TableSummary {
  std::string name;
  std::string vocab;
  std::int64_t rows = 0, width = 0;
  std::string init;
  std::vector<std::string> users;      // owner first
  std::int64_t params = 0;
};

struct BlockSummary {
  std::string name;                    // parameter scope, e.g. "encoder/self_attention_0"
  std::string kind;                    // "dense", "self_attention", "vanilla_attention", "lstm", ...
  std::string detail;                  // human-readable shape description
  std::int64_t params = 0;
};

struct TaskSummary {
  std::string name;
  std::string target;                  // group
  std::string loss;
  double l2 = 0;
  double weight = 1;
  std::string bias_table;
  bool project_target = false;
  std::int64_t target_width = 0;
};

struct ModelSummary {
  spec::EncoderKind encoder = spec::EncoderKind::Atrank;
  std::int64_t hidden = 0, heads = 0, num_blocks = 0, ffn = 0;
  double dropout = 0;
  std::string qkv_activation;
  double layer_norm_eps = 0;
  std::vector<GroupSummary> groups;
  std::vector<TableSummary> tables;
  std::vector<BlockSummary> blocks;
  std::vector<TaskSummary> tasks;
  std::int64_t table_params = 0;       // all embedding tables (bias tables included)
  std::int64_t dense_params = 0;       // the dense arena
  std::int64_t total_params = 0;
};

}  // namespace atrank::model
