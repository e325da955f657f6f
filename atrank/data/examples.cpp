// build_dataset.py in flat arrays. For every user: events stably sorted by time (ties keep file
// order), each group's subsequence appended to that group's sequence arrays, then per task the
// target events at positions >= 1 become cases: the last -> test, the one before -> valid
// (split = "valid"), the rest -> training with one sampled negative each.
#include "atrank/data/examples.hpp"

#include <algorithm>
#include <numeric>

#include "atrank/data/data_error.hpp"
#include "atrank/data/negative_sampler.hpp"
#include "atrank/data/rng.hpp"
#include "atrank/spec/metric.hpp"

namespace atrank::data {

const char* split_name(Split s) {
  switch (s) {
    case Split::train: return "train";
    case Split::valid: return "valid";
    case Split::test: return "test";
  }
  return "?";
}

BuildOptions build_options(const spec::Spec& spec) {
  BuildOptions o;
  const auto split = spec::parse_choice<spec::SplitScheme>(spec.data.split);
  if (!split) throw DataError("data.split: unknown split '" + spec.data.split + "' (valid: last, valid)");
  o.split = *split;
  o.seed = spec.data.seed;
  o.min_events = spec.data.min_events;
  // Ranking metrics (hr@K, ndcg@K) need eval.negatives sampled negatives per
  // case; the AUC metrics only the authors' one. Scoring 101 candidates per
  // case when one is enough would make every evaluation ~50x slower.
  bool ranking = false;
  for (const auto& m : spec.eval.metrics) {
    const auto metric = spec::parse_metric(m);
    ranking = ranking || (metric && metric->ranking());
  }
  o.eval_negatives = ranking ? std::max<std::int64_t>(1, spec.eval.negatives) : 1;
  return o;
}

PreparedData build_examples(EventLog log, const Layout& layout, const BuildOptions& options) {
  PreparedData out;
  out.vocab = std::move(log.vocab);
  out.behavior_space = std::move(log.behavior_space);
  out.report = std::move(log.report);
  ImportReport& report = out.report;

  const std::int64_t users = out.vocab.size("user");
  const int G = static_cast<int>(layout.groups.size());
  const int T = static_cast<int>(layout.tasks.size());
  const std::size_t nb = out.vocab.behaviors.size();
  // behavior -> groups containing it (usually one)
  std::vector<std::vector<int>> groups_of(nb);
  for (int g = 0; g < G; ++g)
    for (std::int32_t b : layout.groups[g].behaviors) groups_of[b].push_back(g);
  // target[t][b]: events of behavior b are targets of task t
  std::vector<std::vector<char>> target(T, std::vector<char>(nb, 0));
  for (int t = 0; t < T; ++t)
    for (std::int32_t b : layout.groups[layout.tasks[t].group].behaviors) target[t][b] = 1;

  // in_space[t][b]: behavior b's objects live in task t's target space (they count as touched)
  std::vector<std::vector<char>> in_space(T, std::vector<char>(nb, 0));
  for (int t = 0; t < T; ++t)
    for (std::size_t b = 0; b < nb; ++b)
      in_space[t][b] = out.behavior_space[b] == layout.groups[layout.tasks[t].group].object_space;

  for (int g = 0; g < G; ++g) out.group_names.push_back(layout.groups[g].name);
  out.groups.resize(G);
  for (auto& s : out.groups) s.offsets.assign(static_cast<std::size_t>(users) + 1, 0);

  // Events grouped by user in file order (a stable counting sort), then stably by time.
  const std::size_t n = log.size();
  std::vector<std::int64_t> start(static_cast<std::size_t>(users) + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++start[log.users[i] + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::int64_t> order(n);
  {
    std::vector<std::int64_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) order[fill[log.users[i]]++] = static_cast<std::int64_t>(i);
  }

  {
    std::vector<std::int64_t> per_behavior(nb, 0);
    for (std::size_t i = 0; i < n; ++i) ++per_behavior[log.behaviors[i]];
    for (std::size_t b = 0; b < nb; ++b) report.counts["behavior." + out.vocab.behaviors[b]] = per_behavior[b];
  }
  std::int64_t no_group_events = 0;
  for (std::size_t i = 0; i < n; ++i) no_group_events += groups_of[log.behaviors[i]].empty();
  if (no_group_events) report.counts["events_in_no_group"] = no_group_events;

  const std::int64_t need = options.split == spec::SplitScheme::Valid ? 2 : 1;
  const std::int64_t K_eval = 1 + options.eval_negatives;
  out.splits[0].candidates_per_case = 2;
  out.splits[1].candidates_per_case = K_eval;
  out.splits[2].candidates_per_case = K_eval;

  std::vector<NegativeSampler> samplers;
  for (int t = 0; t < T; ++t)
    samplers.emplace_back(out.vocab.size(layout.groups[layout.tasks[t].group].object_space));

  std::vector<std::int64_t> seq;                 // the user's grouped events, time-sorted
  std::vector<std::int32_t> counts(G);           // running per-group counts along seq
  std::vector<std::int32_t> ends_at;             // (seq.size(), G): group counts before position i
  std::vector<std::int64_t> targets;
  std::vector<std::int32_t> touched;
  std::int64_t dropped_min_events = 0, users_without_cases = 0, repeated_negatives = 0;
  std::vector<std::int64_t> task_dropped(T, 0), task_touched_all(T, 0);

  for (std::int64_t u = 0; u < users; ++u) {
    auto first = order.begin() + start[u], last = order.begin() + start[u + 1];
    std::stable_sort(first, last, [&](std::int64_t a, std::int64_t b) { return log.times[a] < log.times[b]; });
    seq.clear();
    for (auto it = first; it != last; ++it)
      if (!groups_of[log.behaviors[*it]].empty()) seq.push_back(*it);
    for (int g = 0; g < G; ++g) out.groups[g].offsets[u + 1] = out.groups[g].offsets[u];
    if (static_cast<std::int64_t>(seq.size()) < options.min_events) {
      ++dropped_min_events;
      continue;
    }
    std::fill(counts.begin(), counts.end(), 0);
    ends_at.resize(seq.size() * G);
    for (std::size_t i = 0; i < seq.size(); ++i) {
      std::copy(counts.begin(), counts.end(), ends_at.begin() + static_cast<std::ptrdiff_t>(i * G));
      const std::int64_t e = seq[i];
      for (int g : groups_of[log.behaviors[e]]) {
        auto& s = out.groups[g];
        s.objects.push_back(log.objects[e]);
        s.behaviors.push_back(log.behaviors[e]);
        s.times.push_back(log.times[e]);
        ++s.offsets[u + 1];
        ++counts[g];
      }
    }

    bool any_case = false;
    for (int t = 0; t < T; ++t) {
      targets.clear();
      for (std::size_t i = 1; i < seq.size(); ++i)
        if (target[t][log.behaviors[seq[i]]]) targets.push_back(static_cast<std::int64_t>(i));
      if (static_cast<std::int64_t>(targets.size()) < need) {
        ++task_dropped[t];
        continue;
      }
      // Touched = every object of the target space the user interacted with, in any behavior.
      touched.clear();
      for (auto it = first; it != last; ++it)
        if (in_space[t][log.behaviors[*it]]) touched.push_back(log.objects[*it]);
      NegativeSampler& sampler = samplers[t];
      sampler.set_user(touched);
      if (sampler.untouched() == 0) {
        ++task_touched_all[t];
        continue;
      }
      any_case = true;
      Rng rng(derive_seed(options.seed, static_cast<std::uint64_t>(u), static_cast<std::uint64_t>(t)));
      const std::size_t m = targets.size();
      for (std::size_t j = 0; j < m; ++j) {
        const int s = j + 1 == m ? 2 : (need == 2 && j + 2 == m ? 1 : 0);
        PreparedData::Cases& c = out.splits[s];
        const std::int64_t i = targets[j];
        const std::int64_t e = seq[static_cast<std::size_t>(i)];
        c.users.push_back(static_cast<std::int32_t>(u));
        c.tasks.push_back(t);
        c.times.push_back(log.times[e]);
        c.ends.insert(c.ends.end(), ends_at.begin() + i * G, ends_at.begin() + (i + 1) * G);
        c.candidates.push_back(log.objects[e]);
        const std::int32_t neg = sampler.one(rng);
        c.candidates.push_back(neg);
        if (s != 0 && K_eval > 2 && sampler.untouched() < K_eval - 1) ++repeated_negatives;
        if (s != 0 && K_eval > 2) {
          const std::size_t at = c.candidates.size();
          c.candidates.resize(at + static_cast<std::size_t>(K_eval - 2));
          sampler.distinct(rng, K_eval - 2, neg, c.candidates.data() + at);
        }
      }
    }
    users_without_cases += !any_case;
  }
  if (dropped_min_events) report.counts["users_dropped.min_events"] = dropped_min_events;
  report.counts["users_without_cases"] = users_without_cases;
  if (repeated_negatives) report.counts["eval_cases_with_repeated_negatives"] = repeated_negatives;
  for (int t = 0; t < T; ++t) {
    const std::string& name = layout.tasks[t].name;
    if (task_dropped[t]) report.counts["task." + name + ".users_too_few_events"] = task_dropped[t];
    if (task_touched_all[t]) report.counts["task." + name + ".users_touched_everything"] = task_touched_all[t];
  }
  std::int64_t total = 0;
  for (const auto& c : out.splits) total += static_cast<std::int64_t>(c.users.size());
  if (total == 0) {
    std::int64_t few = 0, all = 0;
    for (int t = 0; t < T; ++t) few += task_dropped[t], all += task_touched_all[t];
    throw DataError("no examples: of " + std::to_string(users) + " user(s), " + std::to_string(few) +
                    " have too few target events for split '" + spec::name_of(options.split) + "', " + std::to_string(all) +
                    " touched every object (no negative to sample), " + std::to_string(dropped_min_events) +
                    " have fewer than data.min_events events");
  }
  return out;
}

}  // namespace atrank::data
