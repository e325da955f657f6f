#include "atrank/infer/explain.hpp"

#include <stdexcept>
#include <string>

#include "atrank/nn/multihead_attention.hpp"

namespace atrank::infer {

Explanation explain(model::Model<float>& model, const data::Batch& one) {
  if (one.size != 1 || one.candidates_per_example != 1)
    throw std::invalid_argument("explain: expected one example with one candidate, got " +
                                std::to_string(one.size) + " x " + std::to_string(one.candidates_per_example));
  autodiff::Tape<float> tape;
  model::ScoreTrace trace;
  const autodiff::Var logit = model.score(tape, one, &trace);
  if (trace.attention.vanilla.empty())
    throw std::invalid_argument(std::string("explain: encoder.kind = \"") + model.encoder().kind() +
                                "\" has no attention weights to show (explain needs \"atrank\")");
  Explanation e;
  e.logit = tape.value(logit)[0];
  e.heads = model.plan().spec.encoder.heads;
  for (const auto& g : model.groups()) {
    if (!g.plan.attended) continue;
    const data::GroupBatch& gb = one.groups[std::size_t(g.plan.index)];
    for (std::int64_t i = 0; i < gb.lengths[0]; ++i)
      e.history.push_back({g.plan.index, i, gb.objects[std::size_t(i)], gb.behaviors[std::size_t(i)],
                           gb.buckets[std::size_t(i)]});
  }
  // The weights' own shapes: (1,H,Tq,Tk) with Tk the packed length (>= T).
  const auto valid = std::int64_t(e.history.size());
  auto copy = [&](autodiff::Var node, std::int64_t rows) {
    const auto w = nn::attention_weights(tape, node, e.heads);
    const std::int64_t tq = std::int64_t(w.shape(2)), tk = std::int64_t(w.shape(3));
    if (tk < valid || tq < rows) throw std::logic_error("explain: attention weights smaller than the history");
    std::vector<float> out;
    out.reserve(std::size_t(e.heads * rows * valid));
    for (std::int64_t h = 0; h < e.heads; ++h)
      for (std::int64_t q = 0; q < rows; ++q)
        for (std::int64_t k = 0; k < valid; ++k) out.push_back(w(0, h, q, k));
    return out;
  };
  for (const auto node : trace.attention.self) e.self.push_back(copy(node, valid));
  for (const auto node : trace.attention.vanilla) e.vanilla.push_back(copy(node, 1));
  return e;
}

std::vector<std::vector<double>> attention_mass(const std::vector<float>& weights, std::int64_t heads,
                                                const std::vector<int>& label, int labels) {
  const auto t = std::int64_t(label.size());
  if (std::int64_t(weights.size()) != heads * t)
    throw std::invalid_argument("attention_mass: weights are not (heads, positions)");
  std::vector<std::vector<double>> mass(std::size_t(heads), std::vector<double>(std::size_t(labels), 0.0));
  for (std::int64_t h = 0; h < heads; ++h)
    for (std::int64_t k = 0; k < t; ++k) mass[std::size_t(h)][std::size_t(label[std::size_t(k)])] += weights[std::size_t(h * t + k)];
  return mass;
}

}  // namespace atrank::infer
