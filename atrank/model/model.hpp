// A model interpreted from a spec: behavior groups embedded by their own
// blocks, tables shared by name, one encoder and one scoring head per task.
// This is the API the training loop, evaluation and checkpoints use.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "atrank/autodiff/parameters.hpp"
#include "atrank/autodiff/tape.hpp"
#include "atrank/data/batch.hpp"
#include "atrank/model/encoder.hpp"
#include "atrank/model/group_embedding.hpp"
#include "atrank/model/summary.hpp"
#include "atrank/nn/params.hpp"
#include "atrank/spec/plan.hpp"

namespace atrank::model {

// One scoring head: logit = bias[target] + <user vector, target vector>.
// The loss is weighted by plan.weight; plan.l2 applies to the output
// vectors: l2 * (l2(user) + l2(target)), l2(x) = sum(x^2)/2.
struct TaskHead {
  spec::TaskPlan plan;  // loss, weights, bias table (an (objects, 1) table, or -1)
  int group = -1;       // index into the model's groups (plan.group indexes the spec's)
};

// The target side of candidates (B,C): what every scoring path computes per
// candidate before it meets the user side.
struct TargetBlock {
  autodiff::Var vectors;    // (B,C,W) target vectors
  autodiff::Var bias;       // (B,C) or invalid (no bias table)
  autodiff::Var projected;  // the encoder's projection of `vectors` (Encoder::project_queries), or invalid
};

// What a scoring pass hands out besides the logits, read off its tape.
struct ScoreTrace {
  autodiff::Var users;       // (B,C,H) the user vectors the logits were scored with
  AttentionNodes attention;  // attention encoders: the nodes holding each block's weights
};

struct ForwardResult {
  autodiff::Var loss;    // scalar
  autodiff::Var logits;  // (B) pointwise, (B,C) pairwise
};

template <class T>
class Model {
 public:
  // Training step graph. Pointwise tasks (loss "sigmoid_ce") score
  // batch.targets against batch.labels: loss = weight * mean(sigmoid CE) +
  // l2 * (l2(user) + l2(target)). Pairwise tasks ("bpr") use batch.candidates
  // (candidate 0 positive): loss = -weight * mean(log sigmoid(s_0 - s_j)) +
  // l2 * (l2(user) + l2(all candidates)). A batch may mix tasks (batch.task);
  // their losses must then be of one kind, and each example is weighted by
  // its task. The ops copy what backward needs: the batch may go after forward.
  // With loss_batch > 0 the batch is a slice of a batch of loss_batch
  // examples: means divide by that batch (the L2 terms are sums anyway), so
  // the slices' losses and gradients add up to the whole batch's.
  ForwardResult forward(autodiff::Tape<T>& t, const data::Batch& batch, bool training,
                        std::mt19937_64& rng, std::int64_t loss_batch = 0);

  // Evaluation: logits (B,C) of batch.candidates (or of batch.targets as
  // (B,1) when the batch has no candidates), no dropout. The history is
  // encoded once per example; the C candidates are C query positions. With
  // `trace`, also where this pass left its user vectors and attention weights.
  autodiff::Var score(autodiff::Tape<T>& t, const data::Batch& batch, ScoreTrace* trace = nullptr);
  // Convenience: the same scores copied out, (B,C); uses `t` as scratch.
  xt::xtensor<T, 2> scores(autodiff::Tape<T>& t, const data::Batch& batch);

  // score() in stages, so that inference runs each part as rarely as it can
  // (atrank/infer): score() is logits(encode_history(batch), targets of the
  // batch's candidates). No dropout.
  // The user side: each example's history encoded as far as it goes without its targets.
  EncodedHistory encode_history(autodiff::Tape<T>& t, const data::Batch& batch);
  // The target side of task `task` for the ids of `shape` (B,C); `projected` stays invalid.
  TargetBlock targets_of(autodiff::Tape<T>& t, int task, const std::int32_t* ids, const autodiff::Shape& shape);
  // The encoder's work on target vectors (B,C,W) alone, for TargetBlock::projected
  // (invalid when the encoder has none): once per catalogue of targets.
  autodiff::Var project_targets(autodiff::Tape<T>& t, autodiff::Var vectors);
  // Logits (B,C) = bias + <user vector, target vector> of a target block
  // against encoded histories (B examples).
  autodiff::Var logits(autodiff::Tape<T>& t, const EncodedHistory& h, const TargetBlock& targets);

  // Trainable state: the dense arena (one optimizer loop, one checkpoint
  // write) and the embedding tables (sparse gradients, in creation order).
  nn::Params<T>& params() { return params_; }
  autodiff::ParamArena<T>& dense() { return params_.dense; }
  const std::vector<autodiff::EmbeddingTable<T>*>& tables() { return params_.tables.all(); }
  void zero_grad() { params_.zero_grad(); }
  // Re-draws every parameter (TF defaults) from `seed` (build uses spec.train.seed).
  void initialize(std::uint64_t seed) { params_.initialize(seed); }

  std::int64_t param_count() const { return params_.total_count(); }
  const ModelSummary& summary() const { return summary_; }
  const spec::Plan& plan() const { return plan_; }
  const std::vector<TaskHead>& tasks() const { return tasks_; }
  const std::vector<GroupEmbedding<T>>& groups() const { return groups_; }
  const Encoder<T>& encoder() const { return *encoder_; }
  // The history reaches an encoder that reads packed rows as packed rows (no
  // padding anywhere); `true` gives it the padded layout instead, the same
  // numbers by more work: tests compare the two, nothing else sets it.
  void use_padded_history(bool padded) { padded_history_ = padded; }

  // Builds (and initializes) the model a plan describes; vocabulary sizes
  // come from spec.vocab, else from `vocab`. Throws VocabularyUnknown when
  // neither knows a size, std::invalid_argument when the data disagrees with
  // the spec (a vocabulary smaller than the data's, an attribute map outside
  // its table).
  static Model build(const spec::Plan& plan, const data::Vocabulary& vocab);

 private:
  // Each example's task (valid until the next call on this thread).
  const std::vector<int>& task_of(const data::Batch& batch) const;
  TargetBlock targets(autodiff::Tape<T>& t, const std::vector<int>& task, const std::int32_t* ids,
                      std::int64_t batch, std::int64_t c);
  EncodedHistory encode_history(autodiff::Tape<T>& t, const data::Batch& batch, bool training,
                                std::mt19937_64& rng, AttentionNodes* attention = nullptr);
  autodiff::Var users(autodiff::Tape<T>& t, const data::Batch& batch, autodiff::Var queries, bool training,
                      std::mt19937_64& rng, AttentionNodes* attention = nullptr);
  autodiff::Var dot_logits(autodiff::Tape<T>& t, autodiff::Var users, const TargetBlock& targets);

  void add_tasks();
  void summarize(const std::vector<BlockSummary>& blocks);

  spec::Plan plan_;
  nn::Params<T> params_;
  bool padded_history_ = false;
  std::vector<GroupEmbedding<T>> groups_;   // the groups the model uses, in spec order
  std::unique_ptr<Encoder<T>> encoder_;
  std::vector<TaskHead> tasks_;             // spec order (Batch.task indexes it)
  ModelSummary summary_;
};

template <class T>
Model<T> build_model(const spec::Plan& plan, const data::Vocabulary& vocab) {
  return Model<T>::build(plan, vocab);
}

}  // namespace atrank::model
