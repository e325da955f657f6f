// Optimizers over the dense parameter arena and the embedding tables:
// SGD, Adam and Adagrad, with global-norm clipping and sparse table updates.
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/autodiff/parameters.hpp"
#include "atrank/spec/choices.hpp"

namespace atrank::train {

using autodiff::EmbeddingTable;
using autodiff::ParamArena;

using OptimizerKind = spec::OptimizerKind;

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::Sgd;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam
  double adagrad_init = 0.1;                        // adagrad initial accumulator
};

// Sum of g[i]^2 over [0, n) in double, in several partial sums (the loop
// vectorises; one chain of dependent additions would not).
double sum_of_squares(const float* g, std::size_t n);

// Sum of squares of every sparse slice of every table's gradient.
double table_grad_squares(const std::vector<EmbeddingTable<float>*>& tables);

// Global L2 norm of all gradients as tf.clip_by_global_norm sees them: the
// dense arena plus every sparse slice of every table (a row looked up twice
// contributes two slices, not their sum).
double global_grad_norm(const ParamArena<float>& params,
                        const std::vector<EmbeddingTable<float>*>& tables);

// Applies one update. Dense parameters: every entry. Tables: only the rows
// in their sparse gradients (SGD applies each slice; Adam and Adagrad first
// sum the slices of a row, then update that row's state only: "lazy"
// semantics, as TF's LazyAdam / sparse Adagrad). Gradients are multiplied by
// `grad_scale` (the clipping factor). Clears the gradients afterwards.
class Optimizer {
 public:
  explicit Optimizer(OptimizerConfig config) : config_(config) {}

  // Sizes state buffers for these parameters and tables (call once, after the model is built).
  void attach(const ParamArena<float>& params, const std::vector<EmbeddingTable<float>*>& tables);

  void step(ParamArena<float>& params, const std::vector<EmbeddingTable<float>*>& tables, double lr,
            double grad_scale);
  // step() in parts: the dense update and the table updates touch nothing
  // in common (a caller with two threads runs them at once), then
  // finish_step() counts the step.
  void step_dense(ParamArena<float>& params, double lr, double grad_scale);
  void step_tables(const std::vector<EmbeddingTable<float>*>& tables, double lr, double grad_scale);
  void finish_step() { ++steps_; }

  const OptimizerConfig& config() const { return config_; }
  std::int64_t steps() const { return steps_; }
  // State for checkpoints: first/second moments (adam) or accumulators
  // (adagrad) for the arena and each table, then the step count.
  std::vector<std::vector<float>*> state_buffers();
  std::int64_t& step_count() { return steps_; }

 private:
  void update_dense(float* w, const float* g, float* m, float* v, std::size_t n, double lr,
                    double scale);
  void update_table(EmbeddingTable<float>& table, std::size_t index, double lr, double scale);

  OptimizerConfig config_;
  std::int64_t steps_ = 0;
  std::vector<float> dense_m_, dense_v_;
  std::vector<std::vector<float>> table_m_, table_v_;
  // Scratch for summing duplicate rows: slot of each row (or -1), reset after use.
  std::vector<std::vector<std::int32_t>> row_slot_;
  std::vector<std::int32_t> touched_;
  std::vector<float> summed_;
};

}  // namespace atrank::train
