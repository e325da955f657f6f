// What an attention model looked at for one user and one target: the
// history as the model saw it and the attention weights of every block and
// head, read off the tape of the model's own scoring pass (Model::score with
// a ScoreTrace), so they are the numbers that produced the score.
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/model/model.hpp"

namespace atrank::infer {

// One position of the packed history the encoder attends over (groups in
// spec order, each oldest first).
struct ExplainedEvent {
  int group = 0;                // index into the model's groups (the spec's order)
  std::int64_t index = 0;       // position within the group's (capped) history
  std::int32_t object = 0;      // row of the group's object space
  std::int32_t behavior = 0;    // row of the behavior space
  std::int32_t bucket = 0;      // time bucket against the target's time
};

struct Explanation {
  std::vector<ExplainedEvent> history;  // T valid positions
  std::int64_t heads = 0;               // H
  std::vector<std::vector<float>> self;     // per self-attention block: (H,T,T) query x key
  std::vector<std::vector<float>> vanilla;  // per vanilla block: (H,T) the target's weights
  float logit = 0;                          // the target's score
};

// `one` holds one example whose single candidate is the target (eval mode,
// candidates_per_example = 1). Throws std::invalid_argument when the
// model's encoder has no attention (every kind but atrank).
Explanation explain(model::Model<float>& model, const data::Batch& one);

// Per head, the attention mass of `weights` (H,T) on each label of the
// positions (label[t] in [0, labels)): (H, labels), rows summing to 1 over
// a non-empty history.
std::vector<std::vector<double>> attention_mass(const std::vector<float>& weights, std::int64_t heads,
                                                const std::vector<int>& label, int labels);

}  // namespace atrank::infer
