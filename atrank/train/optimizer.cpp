// Optimizer updates: one loop over the dense arena, row loops over the
// touched rows of each table. No table-wide work per step.
#include "atrank/train/optimizer.hpp"

#include <cmath>

namespace atrank::train {

double sum_of_squares(const float* g, std::size_t n) {
  constexpr std::size_t kPartials = 8;
  double partial[kPartials] = {};
  std::size_t i = 0;
  for (; i + kPartials <= n; i += kPartials)
    for (std::size_t k = 0; k < kPartials; ++k) partial[k] += double(g[i + k]) * g[i + k];
  double sq = 0;
  for (; i < n; ++i) sq += double(g[i]) * g[i];
  for (const double p : partial) sq += p;
  return sq;
}

double table_grad_squares(const std::vector<EmbeddingTable<float>*>& tables) {
  double sq = 0;
  for (const auto* t : tables) sq += sum_of_squares(t->grad.values.data(), t->grad.values.size());
  return sq;
}

double global_grad_norm(const ParamArena<float>& params,
                        const std::vector<EmbeddingTable<float>*>& tables) {
  return std::sqrt(sum_of_squares(params.grads().data(), params.size()) + table_grad_squares(tables));
}

void Optimizer::attach(const ParamArena<float>& params,
                       const std::vector<EmbeddingTable<float>*>& tables) {
  const bool moments = config_.kind != OptimizerKind::Sgd;
  const float init = config_.kind == OptimizerKind::Adagrad ? float(config_.adagrad_init) : 0.f;
  dense_m_.assign(moments ? params.size() : 0, init);
  dense_v_.assign(config_.kind == OptimizerKind::Adam ? params.size() : 0, 0.f);
  table_m_.clear();
  table_v_.clear();
  row_slot_.clear();
  for (const auto* t : tables) {
    const auto n = std::size_t(t->numel());
    table_m_.emplace_back(moments ? n : 0, init);
    table_v_.emplace_back(config_.kind == OptimizerKind::Adam ? n : 0, 0.f);
    row_slot_.emplace_back(moments ? std::size_t(t->rows) : 0, -1);
  }
}

std::vector<std::vector<float>*> Optimizer::state_buffers() {
  std::vector<std::vector<float>*> out{&dense_m_, &dense_v_};
  for (auto& m : table_m_) out.push_back(&m);
  for (auto& v : table_v_) out.push_back(&v);
  return out;
}

void Optimizer::update_dense(float* w, const float* g, float* m, float* v, std::size_t n,
                             double lr, double scale) {
  switch (config_.kind) {
    case OptimizerKind::Sgd: {
      const float a = float(lr * scale);
      for (std::size_t i = 0; i < n; ++i) w[i] -= a * g[i];
      break;
    }
    case OptimizerKind::Adagrad:
      for (std::size_t i = 0; i < n; ++i) {
        const float gi = float(g[i] * scale);
        m[i] += gi * gi;
        w[i] -= float(lr) * gi / std::sqrt(m[i]);
      }
      break;
    case OptimizerKind::Adam: {
      const double t = double(steps_ + 1);
      const float b1 = float(config_.beta1), b2 = float(config_.beta2);
      // TF's Adam: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t), eps outside the sqrt.
      const float lr_t =
          float(lr * std::sqrt(1 - std::pow(config_.beta2, t)) / (1 - std::pow(config_.beta1, t)));
      const float eps = float(config_.eps);
      for (std::size_t i = 0; i < n; ++i) {
        const float gi = float(g[i] * scale);
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
      }
      break;
    }
  }
}

void Optimizer::update_table(EmbeddingTable<float>& table, std::size_t index, double lr,
                             double scale) {
  auto& grad = table.grad;
  const auto width = std::size_t(table.width);
  if (config_.kind == OptimizerKind::Sgd) {
    // Each slice applied on its own: duplicates add up, as TF's scatter_sub.
    const float a = float(lr * scale);
    for (std::size_t s = 0; s < grad.rows.size(); ++s) {
      float* w = table.row(grad.rows[s]);
      const float* g = grad.values.data() + s * width;
      for (std::size_t c = 0; c < width; ++c) w[c] -= a * g[c];
    }
    return;
  }
  // Adam / Adagrad: sum the slices of each row first, then update each touched row once.
  auto& slot = row_slot_[index];
  touched_.clear();
  summed_.clear();
  for (std::size_t s = 0; s < grad.rows.size(); ++s) {
    const std::int32_t r = grad.rows[s];
    if (slot[std::size_t(r)] < 0) {
      slot[std::size_t(r)] = std::int32_t(touched_.size());
      touched_.push_back(r);
      summed_.resize(summed_.size() + width, 0.f);
    }
    float* dst = summed_.data() + std::size_t(slot[std::size_t(r)]) * width;
    const float* g = grad.values.data() + s * width;
    for (std::size_t c = 0; c < width; ++c) dst[c] += g[c];
  }
  for (std::size_t k = 0; k < touched_.size(); ++k) {
    const auto r = std::size_t(touched_[k]);
    float* v = table_v_[index].empty() ? nullptr : table_v_[index].data() + r * width;
    update_dense(table.row(std::int64_t(r)), summed_.data() + k * width,
                 table_m_[index].data() + r * width, v, width, lr, scale);
    slot[r] = -1;
  }
}

void Optimizer::step(ParamArena<float>& params, const std::vector<EmbeddingTable<float>*>& tables,
                     double lr, double grad_scale) {
  step_dense(params, lr, grad_scale);
  step_tables(tables, lr, grad_scale);
  finish_step();
}

void Optimizer::step_dense(ParamArena<float>& params, double lr, double grad_scale) {
  update_dense(params.values().data(), params.grads().data(),
               dense_m_.empty() ? nullptr : dense_m_.data(),
               dense_v_.empty() ? nullptr : dense_v_.data(), params.size(), lr, grad_scale);
  params.zero_grad();
}

void Optimizer::step_tables(const std::vector<EmbeddingTable<float>*>& tables, double lr, double grad_scale) {
  if (tables.size() != table_m_.size())
    throw std::logic_error("optimizer: attach() was given a different table list");
  for (std::size_t i = 0; i < tables.size(); ++i) {
    update_table(*tables[i], i, lr, grad_scale);
    tables[i]->grad.clear();
  }
}

}  // namespace atrank::train
