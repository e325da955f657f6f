// Scores evaluation cases batch by batch (no shuffle, no dropout) and hands
// the score matrix to the metric functions.
#include "atrank/train/evaluate.hpp"

#include "atrank/data/batcher.hpp"
#include "atrank/train/metrics.hpp"

namespace atrank::train {

MetricValues evaluate(BatchRunner& runner, const data::Dataset& data, data::Split split,
                      const std::vector<spec::Metric>& metrics, std::int64_t batch_size) {
  data::BatcherOptions opt;
  opt.split = split;
  opt.mode = data::BatchMode::eval;
  opt.batch_size = batch_size;
  opt.shuffle = false;
  data::Batcher batcher(data, opt);

  const auto& tasks = runner.model().tasks();
  ScoredCases all;
  std::vector<ScoredCases> per_task(tasks.size());
  all.candidates = data.candidates_per_case(split);
  for (auto& s : per_task) s.candidates = all.candidates;

  data::Batch batch;
  while (batcher.next(batch)) {
    const std::vector<float>& scores = runner.scores(batch);
    const auto c = std::size_t(all.candidates);
    for (std::int64_t b = 0; b < batch.size; ++b) {
      const float* row = scores.data() + std::size_t(b) * c;
      all.scores.insert(all.scores.end(), row, row + c);
      all.users.push_back(batch.users[std::size_t(b)]);
      if (tasks.size() > 1) {
        auto& t = per_task[std::size_t(batch.task[std::size_t(b)])];
        t.scores.insert(t.scores.end(), row, row + c);
        t.users.push_back(batch.users[std::size_t(b)]);
      }
    }
  }
  MetricValues out;
  if (all.cases() == 0) return out;
  out = compute_metrics(all, metrics);
  if (tasks.size() > 1)
    for (std::size_t k = 0; k < tasks.size(); ++k) {
      if (per_task[k].cases() == 0) continue;
      for (const auto& [name, value] : compute_metrics(per_task[k], metrics))
        out[tasks[k].plan.name + "." + name] = value;
    }
  return out;
}

}  // namespace atrank::train
