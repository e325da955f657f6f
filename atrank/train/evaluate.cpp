// Scores evaluation cases batch by batch (no shuffle, no dropout) and hands
// the score matrix to the metric functions; with eval.ranking = "all" the
// ranking metrics rank each positive among every object the user never
// touched, scored as `atrank recommend` scores (infer/scoring).
#include "atrank/train/evaluate.hpp"

#include <algorithm>

#include "atrank/data/batcher.hpp"
#include "atrank/data/rng.hpp"
#include "atrank/infer/history.hpp"
#include "atrank/infer/scoring.hpp"
#include "atrank/train/metrics.hpp"
#include "atrank/train/user_spread.hpp"

namespace atrank::train {

namespace {

bool one_case_per_user(std::vector<std::int32_t> users) {
  std::sort(users.begin(), users.end());
  return std::adjacent_find(users.begin(), users.end()) == users.end();
}

// Cases of `split` whose positive is ranked among all objects: every case, or
// the cases of a seeded sample of `sample` users (the same at every evaluation).
std::vector<std::int64_t> ranked_cases(const data::Dataset& data, data::Split split, std::int64_t sample,
                                       std::uint64_t seed) {
  const std::int64_t n = data.num_cases(split);
  std::vector<std::int64_t> cases(static_cast<std::size_t>(n));
  for (std::int64_t c = 0; c < n; ++c) cases[std::size_t(c)] = c;
  std::vector<std::int32_t> users;
  for (std::int64_t c = 0; c < n; ++c) users.push_back(data.user(split, c));
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  if (sample <= 0 || sample >= std::int64_t(users.size())) return cases;
  data::Rng rng(data::derive_seed(seed, 0x72616e6bULL, std::uint64_t(split)));
  rng.shuffle(users.data(), users.size());
  users.resize(std::size_t(sample));
  std::sort(users.begin(), users.end());
  cases.erase(std::remove_if(cases.begin(), cases.end(),
                             [&](std::int64_t c) {
                               return !std::binary_search(users.begin(), users.end(), data.user(split, c));
                             }),
              cases.end());
  return cases;
}

// Per task (and overall), the rank of each ranked case's positive among the
// objects of the task's target space the user never touched.
struct FullRanks {
  RankedCases all;
  std::vector<RankedCases> per_task;
};

FullRanks full_ranks(BatchRunner& runner, const data::Dataset& data, data::Split split) {
  model::Model<float>& model = runner.model();
  const spec::Plan& plan = model.plan();
  const data::Layout& layout = data.layout();
  std::vector<infer::Catalogue<float>> catalogues;
  autodiff::Tape<float> tape;
  for (std::size_t k = 0; k < layout.tasks.size(); ++k) {
    const std::string& space = layout.groups[std::size_t(layout.tasks[k].group)].object_space;
    catalogues.push_back(infer::make_catalogue(model, tape, int(k), data.vocab().size(space)));
  }
  data::BatcherOptions opt;
  opt.split = split;
  opt.mode = data::BatchMode::eval;
  opt.shuffle = false;
  const data::Batcher batcher(data, opt);
  const std::vector<std::int64_t> cases = ranked_cases(data, split, plan.eval.rank_users, plan.spec.data.seed);
  std::vector<std::int64_t> ranks(cases.size());
  infer::ScoringThreads<float> threads(runner.threads());
  threads.run(std::int64_t(cases.size()), [&](std::int64_t i, infer::ScoringScratch<float>& s) {
    const std::int64_t c = cases[std::size_t(i)];
    const infer::Catalogue<float>& cat = catalogues[std::size_t(data.task(split, c))];
    batcher.fill(&c, 1, s.batch);
    s.scores.resize(std::size_t(cat.size));
    infer::score_catalogue(model, s.tape, cat, s.batch, s.scores.data());
    const std::string& space = layout.groups[std::size_t(layout.tasks[std::size_t(cat.task)].group)].object_space;
    const std::vector<char> touched =
        infer::seen_objects(layout, infer::dataset_history(data, data.user(split, c)), space, cat.size);
    const std::int32_t positive = data.positive(split, c);
    const float p = s.scores[std::size_t(positive)];
    std::int64_t rank = 0;
    for (std::int64_t j = 0; j < cat.size; ++j)
      rank += !touched[std::size_t(j)] && j != positive && s.scores[std::size_t(j)] >= p;
    ranks[std::size_t(i)] = rank;
  });
  FullRanks out;
  out.per_task.resize(layout.tasks.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::int32_t user = data.user(split, cases[i]);
    RankedCases& task = out.per_task[std::size_t(data.task(split, cases[i]))];
    for (RankedCases* r : {&out.all, &task}) {
      r->ranks.push_back(ranks[i]);
      r->users.push_back(user);
    }
  }
  return out;
}

}  // namespace

MetricValues evaluate(BatchRunner& runner, const data::Dataset& data, data::Split split,
                      const std::vector<spec::Metric>& metrics, std::int64_t batch_size,
                      std::vector<std::string>* same_as_auc) {
  const auto& tasks = runner.model().tasks();
  const bool rank_all = runner.model().plan().eval.ranking_scope == spec::Ranking::All;
  // Ranking among all objects replaces the sampled ranking metrics.
  std::vector<spec::Metric> sampled, ranked;
  for (const auto& m : metrics) (rank_all && m.ranking() ? ranked : sampled).push_back(m);

  MetricValues out;
  auto add = [&](std::map<std::string, double> values, const std::string& prefix) {
    for (auto& [name, value] : values) out[prefix + name] = value;
  };
  data::BatcherOptions opt;
  opt.split = split;
  opt.mode = data::BatchMode::eval;
  opt.batch_size = batch_size;
  opt.shuffle = false;
  data::Batcher batcher(data, opt);

  ScoredCases all;
  std::vector<ScoredCases> per_task(tasks.size());
  all.candidates = data.candidates_per_case(split);
  for (auto& s : per_task) s.candidates = all.candidates;
  const std::int64_t width = runner.user_width();
  UserSpread spread(width);
  std::vector<UserSpread> task_spread(tasks.size(), UserSpread(width));

  data::Batch batch;
  while (batcher.next(batch)) {
    const xt::xtensor<float, 2>& scores = runner.scores(batch);
    const auto c = std::size_t(all.candidates);
    for (std::int64_t b = 0; b < batch.size; ++b) {
      const float* row = &scores(std::size_t(b), 0);
      const float* user = &runner.user_vectors()(std::size_t(b), 0);
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
  if (all.cases() == 0) return out;
  add(compute_metrics(all, sampled), "");
  out[kUserSpreadKey] = spread.value();
  auto note_gauc = [&](const ScoredCases& cases, const std::string& key) {
    if (same_as_auc && out.count(key) && one_case_per_user(cases.users)) same_as_auc->push_back(key);
  };
  note_gauc(all, "gauc");
  if (tasks.size() > 1)
    for (std::size_t k = 0; k < tasks.size(); ++k) {
      if (per_task[k].cases() == 0) continue;
      const std::string prefix = tasks[k].plan.name + ".";
      add(compute_metrics(per_task[k], sampled), prefix);
      out[prefix + kUserSpreadKey] = task_spread[k].value();
      note_gauc(per_task[k], prefix + "gauc");
    }
  if (!ranked.empty()) {
    const FullRanks r = full_ranks(runner, data, split);
    add(ranking_metrics(r.all, ranked), "");
    if (tasks.size() > 1)
      for (std::size_t k = 0; k < tasks.size(); ++k)
        if (r.per_task[k].cases() > 0) add(ranking_metrics(r.per_task[k], ranked), tasks[k].plan.name + ".");
  }
  return out;
}

}  // namespace atrank::train
