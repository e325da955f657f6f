#include "atrank/model/flops.hpp"

#include <algorithm>

namespace atrank::model {
namespace {

// y = x W over `rows` rows: x (rows, in), W (in, out).
double product(std::int64_t rows, std::int64_t in, std::int64_t out) { return 2.0 * double(rows) * double(in) * double(out); }

// A multi-head attention block (attention_block.cpp): Q from the queries, K and V
// from the keys, scores and weighted sums, then the two-layer feed-forward on the queries.
double attention_block(std::int64_t queries, std::int64_t keys, std::int64_t units, std::int64_t ffn) {
  return product(queries, units, units) + 2 * product(keys, units, units) + 2 * product(queries, keys, units) +
         product(queries, units, ffn) + product(queries, ffn, units);
}

double encoder_flops(const spec::Plan& plan, std::int64_t t, std::int64_t c) {
  const spec::EncoderSpec& e = plan.spec.encoder;
  const std::int64_t in = plan.encoder.history_width;
  switch (plan.encoder.kind) {
    case spec::EncoderKind::Atrank:
      return double(e.blocks) * (attention_block(t, t, e.hidden, e.ffn) + attention_block(c, t, e.hidden, e.ffn));
    case spec::EncoderKind::Bpr:
      return 0;
    case spec::EncoderKind::Bilstm:
    case spec::EncoderKind::BilstmAtt: {
      const std::int64_t u = e.lstm_units;
      const double lstm = 2 * (product(t, in, 4 * u) + product(t, u, 4 * u));  // both directions
      if (plan.encoder.kind == spec::EncoderKind::Bilstm) return lstm + product(1, 2 * u, e.hidden);
      return lstm + 2 * product(c, t, 2 * u) + product(c, 2 * u, e.hidden);
    }
    case spec::EncoderKind::Cnn: {
      // At most cnn_max_length recent positions, padded by the widest window (cnn_encoder.cpp).
      const std::int64_t kept = std::min(t, e.cnn_max_length);
      std::int64_t widest = 1;
      for (auto k : e.cnn_widths) widest = std::max(widest, k);
      const std::int64_t padded = std::max(kept, std::min(kept + widest, e.cnn_max_length));
      double f = t > e.cnn_max_length ? product(e.cnn_max_length, t, in) : 0;  // the selection of recent positions
      for (auto k : e.cnn_widths) f += product(padded - k + 1, k * in, e.cnn_filters);
      return f + product(1, e.cnn_filters * std::int64_t(e.cnn_widths.size()), e.hidden);
    }
  }
  return 0;
}

}  // namespace

double forward_flops(const spec::Plan& plan, const ExampleShape& s) {
  double f = 0;
  if (plan.encoder.uses_history)
    for (const auto& g : plan.groups)
      if (g.attended && g.projected) f += product(s.positions.at(std::size_t(g.index)), g.input_width, g.width);
  const spec::TaskPlan& task = plan.tasks.at(std::size_t(s.task));
  const spec::GroupPlan& target = plan.groups.at(std::size_t(task.group));
  if (task.project_target) f += product(s.candidates, target.feature_width, target.width);
  f += encoder_flops(plan, plan.encoder.uses_history ? s.history : 0, s.candidates);
  return f + product(s.candidates, task.target_width, 1);  // logits: one dot product per candidate
}

BatchFlops batch_forward_flops(const spec::Plan& plan, const data::Batch& batch, int slices, bool packed_rows) {
  BatchFlops out;
  const std::int64_t n = batch.size;
  const int k = int(std::min<std::int64_t>(n, std::max(slices, 1)));
  std::vector<int> attended;  // indices of the groups the encoder reads
  for (const auto& g : plan.groups)
    if (g.attended && std::size_t(g.index) < batch.groups.size()) attended.push_back(g.index);
  auto length = [&](int g, std::int64_t b) { return std::int64_t(batch.groups[std::size_t(g)].lengths.at(std::size_t(b))); };

  ExampleShape real, padded;  // an example at its own lengths, and at its slice's
  real.candidates = padded.candidates = batch.candidates_per_example > 0 ? batch.candidates_per_example : 1;
  real.positions.assign(plan.groups.size(), 0);
  for (int s = 0; s < k; ++s) {
    const std::int64_t begin = n * s / k, end = n * (s + 1) / k;  // BatchRunner's slices
    // The slice's padding: each group to its longest; one attended group is
    // the history itself, several are packed to the longest sum.
    padded.positions.assign(plan.groups.size(), 0);
    padded.history = 0;
    for (std::int64_t b = begin; b < end; ++b) {
      std::int64_t total = 0;
      for (int g : attended) {
        padded.positions[std::size_t(g)] = std::max(padded.positions[std::size_t(g)], length(g, b));
        total += length(g, b);
      }
      padded.history = std::max(padded.history, total);
    }
    if (attended.size() == 1) padded.history = padded.positions[std::size_t(attended[0])];
    padded.history = std::max<std::int64_t>(padded.history, 1);  // an empty history is one zero position

    for (std::int64_t b = begin; b < end; ++b) {
      real.task = padded.task = batch.task.empty() ? 0 : batch.task[std::size_t(b)];
      real.history = 0;
      for (int g : attended) {
        real.positions[std::size_t(g)] = length(g, b);
        real.history += length(g, b);
      }
      const double useful = forward_flops(plan, real);
      out.useful += useful;
      out.executed += packed_rows ? useful : forward_flops(plan, padded);
    }
  }
  return out;
}

}  // namespace atrank::model
