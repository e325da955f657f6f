// What the data layer hands the model: vocabulary sizes, attribute maps and
// padded batches. Flat row-major int32 buffers; shapes in the comments.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace atrank::data {

// Id spaces and object attributes of a prepared dataset.
struct Vocabulary {
  // id space -> number of ids ("item", "category", "user", "behavior", ...).
  // Attribute spaces include a reserved "unknown" id for objects without the attribute.
  std::map<std::string, std::int64_t> sizes;
  // object space -> attribute name -> map (object id -> attribute id),
  // e.g. attributes["item"]["category"][item] = category.
  std::map<std::string, std::map<std::string, std::vector<std::int32_t>>> attributes;
  // behavior id -> name (the "behavior" id space).
  std::vector<std::string> behaviors;
  // Original ids per space (id -> original string), to report results in original ids.
  std::map<std::string, std::vector<std::string>> original_ids;

  std::int64_t size(const std::string& space) const {
    auto it = sizes.find(space);
    return it == sizes.end() ? 0 : it->second;
  }
};

// One behavior group's padded histories in a batch.
struct GroupBatch {
  std::int64_t max_len = 0;                // T: longest history of this group in the batch
  std::vector<std::int32_t> objects;       // (B, T) object ids, 0 at padding
  std::vector<std::int32_t> behaviors;     // (B, T) behavior ids, 0 at padding
  std::vector<std::int32_t> buckets;       // (B, T) time bucket ids, 0 at padding
  std::vector<std::int32_t> lengths;       // (B) valid positions per example (may be 0)
};

// A batch of examples of one task (or of mixed tasks; see `task`).
struct Batch {
  std::int64_t size = 0;                   // B
  std::vector<GroupBatch> groups;          // in the spec's group order
  std::vector<std::int32_t> users;         // (B)
  std::vector<std::int32_t> task;          // (B) index into the spec's tasks
  // Training (pointwise): one target and its label per example.
  std::vector<std::int32_t> targets;       // (B) object ids in the task's target space
  std::vector<float> labels;               // (B) 1 = positive, 0 = negative
  // Pairwise (BPR) training and evaluation: C candidates per example,
  // candidate 0 is the positive, the rest sampled negatives.
  std::int64_t candidates_per_example = 0; // C (0 when unused)
  std::vector<std::int32_t> candidates;    // (B, C)
  // Which case of its split each example is (added by the data layer: lets evaluation map
  // scores back to cases, e.g. per-user metrics or reports in original ids).
  std::vector<std::int64_t> cases;         // (B)
};

}  // namespace atrank::data
