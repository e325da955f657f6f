// Scores evaluation cases batch by batch (no shuffle, no dropout) and hands
// the score matrix to the metric functions.
#include "atrank/train/evaluate.hpp"

#include <algorithm>

#include "atrank/data/batcher.hpp"
#include "atrank/train/metrics.hpp"
#include "atrank/train/user_spread.hpp"

namespace atrank::train {
namespace {

bool one_case_per_user(std::vector<std::int32_t> users) {
  std::sort(users.begin(), users.end());
  return std::adjacent_find(users.begin(), users.end()) == users.end();
}

}  // namespace

MetricValues evaluate(BatchRunner& runner, const data::Dataset& data, data::Split split,
                      const std::vector<spec::Metric>& metrics, std::int64_t batch_size,
                      std::vector<std::string>* same_as_auc) {
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
  const std::int64_t width = runner.user_width();
  UserSpread spread(width);
  std::vector<UserSpread> task_spread(tasks.size(), UserSpread(width));

  data::Batch batch;
  while (batcher.next(batch)) {
    const std::vector<float>& scores = runner.scores(batch);
    const auto c = std::size_t(all.candidates);
    for (std::int64_t b = 0; b < batch.size; ++b) {
      const float* row = scores.data() + std::size_t(b) * c;
      const float* user = runner.user_vectors().data() + b * width;
      all.scores.insert(all.scores.end(), row, row + c);
      all.users.push_back(batch.users[std::size_t(b)]);
      spread.add(user);
      if (tasks.size() > 1) {
        const auto k = std::size_t(batch.task[std::size_t(b)]);
        per_task[k].scores.insert(per_task[k].scores.end(), row, row + c);
        per_task[k].users.push_back(batch.users[std::size_t(b)]);
        task_spread[k].add(user);
      }
    }
  }
  MetricValues out;
  if (all.cases() == 0) return out;
  out = compute_metrics(all, metrics);
  out[kUserSpreadKey] = spread.value();
  auto note_gauc = [&](const ScoredCases& cases, const std::string& key) {
    if (same_as_auc && out.count(key) && one_case_per_user(cases.users)) same_as_auc->push_back(key);
  };
  note_gauc(all, "gauc");
  if (tasks.size() > 1)
    for (std::size_t k = 0; k < tasks.size(); ++k) {
      if (per_task[k].cases() == 0) continue;
      for (const auto& [name, value] : compute_metrics(per_task[k], metrics))
        out[tasks[k].plan.name + "." + name] = value;
      out[tasks[k].plan.name + "." + kUserSpreadKey] = task_spread[k].value();
      note_gauc(per_task[k], tasks[k].plan.name + ".gauc");
    }
  return out;
}

}  // namespace atrank::train
