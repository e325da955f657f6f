// build_dataset.py in flat arrays. For every user: events stably sorted by time (ties keep file
// order), each group's subsequence appended to that group's sequence arrays, then per task the
// target events at positions >= 1 become cases: the last -> test, the one before -> valid
// (split = "valid"), the rest -> training with one sampled negative each. The builder produces
// one user at a time; a sink keeps, counts or writes what it produces.
#include "atrank/data/examples.hpp"

#include <algorithm>
#include <numeric>

#include "atrank/data/data_error.hpp"
#include "atrank/data/negative_sampler.hpp"
#include "atrank/data/rng.hpp"
#include "atrank/spec/plan.hpp"

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
  // Ranking metrics over sampled candidates need eval.negatives sampled
  // negatives per case; the AUC metrics (and ranking among all objects) only
  // the authors' one. Scoring 101 candidates per case when one is enough
  // would make every evaluation ~50x slower.
  o.eval_negatives = spec::samples_ranking_negatives(spec.eval) ? std::max<std::int64_t>(1, spec.eval.negatives) : 1;
  return o;
}

namespace {
constexpr std::int64_t kTrainCandidates = 2;  // the positive and one sampled negative
}  // namespace

void UserExamples::clear() {
  for (auto& s : groups) {
    s.objects.clear();
    s.behaviors.clear();
    s.times.clear();
  }
  for (auto& c : splits) {
    c.users.clear();
    c.tasks.clear();
    c.times.clear();
    c.ends.clear();
    c.candidates.clear();
  }
}

std::int64_t candidates_per_case(Split split, const BuildOptions& options) {
  return split == Split::train ? kTrainCandidates : 1 + options.eval_negatives;
}

namespace {

// What each behavior feeds: the groups whose histories hold it, the tasks whose targets it is,
// and the tasks whose target space its objects live in (they count as touched for negatives).
struct BehaviorRoles {
  std::vector<std::vector<int>> groups_of;   // [behavior] -> groups (usually one)
  std::vector<std::vector<char>> is_target;  // [task][behavior]
  std::vector<std::vector<char>> in_space;   // [task][behavior]
};

BehaviorRoles behavior_roles(const Layout& layout, const Vocabulary& vocab,
                             const std::vector<std::string>& behavior_space) {
  const std::size_t nb = vocab.behaviors.size();
  const std::size_t T = layout.tasks.size();
  BehaviorRoles r;
  r.groups_of.resize(nb);
  for (std::size_t g = 0; g < layout.groups.size(); ++g)
    for (std::int32_t b : layout.groups[g].behaviors) r.groups_of[b].push_back(static_cast<int>(g));
  r.is_target.assign(T, std::vector<char>(nb, 0));
  r.in_space.assign(T, std::vector<char>(nb, 0));
  for (std::size_t t = 0; t < T; ++t) {
    const Layout::Group& target = layout.groups[layout.tasks[t].group];
    for (std::int32_t b : target.behaviors) r.is_target[t][b] = 1;
    for (std::size_t b = 0; b < nb; ++b) r.in_space[t][b] = behavior_space[b] == target.object_space;
  }
  return r;
}

// Events grouped by user in file order (a stable counting sort): user u's events are
// order[start[u], start[u + 1]).
struct ByUser {
  std::vector<std::int64_t> start, order;
};

ByUser group_by_user(const EventLog& log, std::int64_t users) {
  ByUser by;
  const std::size_t n = log.size();
  by.start.assign(static_cast<std::size_t>(users) + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++by.start[log.users[i] + 1];
  std::partial_sum(by.start.begin(), by.start.end(), by.start.begin());
  by.order.resize(n);
  std::vector<std::int64_t> fill(by.start.begin(), by.start.end() - 1);
  for (std::size_t i = 0; i < n; ++i) by.order[fill[log.users[i]]++] = static_cast<std::int64_t>(i);
  return by;
}

// Events per behavior, and events whose behavior is in no group (ignored, but counted).
void count_behaviors(const EventLog& log, const BehaviorRoles& roles, const std::vector<std::string>& names,
                     ImportReport& report) {
  std::vector<std::int64_t> per_behavior(names.size(), 0);
  std::int64_t no_group = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    ++per_behavior[log.behaviors[i]];
    no_group += roles.groups_of[log.behaviors[i]].empty();
  }
  for (std::size_t b = 0; b < names.size(); ++b) report.counts["behavior." + names[b]] = per_behavior[b];
  if (no_group) report.counts["events_in_no_group"] = no_group;
}

// One pass over the users: histories into the group sequences, target events into cases, one
// user at a time into the sink.
class Builder {
 public:
  Builder(const EventLog& log, const Layout& layout, const BuildOptions& options, ExampleSink& sink,
          ImportReport& report)
      : log_(log), layout_(layout), options_(options), sink_(sink), report_(report),
        G_(static_cast<int>(layout.groups.size())), T_(static_cast<int>(layout.tasks.size())),
        roles_(behavior_roles(layout, log.vocab, log.behavior_space)), counts_(G_),
        task_dropped_(T_, 0), task_touched_all_(T_, 0) {
    need_ = options.split == spec::SplitScheme::Valid ? 2 : 1;
    k_eval_ = candidates_per_case(Split::test, options);
    for (int t = 0; t < T_; ++t)
      samplers_.emplace_back(log.vocab.size(layout.groups[layout.tasks[t].group].object_space));
    user_.groups.resize(G_);
  }

  void run() {
    const std::int64_t users = log_.vocab.size("user");
    count_behaviors(log_, roles_, log_.vocab.behaviors, report_);
    ByUser by = group_by_user(log_, users);
    for (std::int64_t u = 0; u < users; ++u) {
      std::int64_t* first = by.order.data() + by.start[u];
      std::int64_t* last = by.order.data() + by.start[u + 1];
      std::stable_sort(first, last, [&](std::int64_t a, std::int64_t b) { return log_.times[a] < log_.times[b]; });
      add_user(u, first, last);
      sink_.add_user(user_);
    }
    report();
  }

 private:
  // Fills user_ from `first..last`: the user's events in time order.
  void add_user(std::int64_t u, const std::int64_t* first, const std::int64_t* last) {
    user_.clear();
    seq_.clear();
    for (const std::int64_t* it = first; it != last; ++it)
      if (!roles_.groups_of[log_.behaviors[*it]].empty()) seq_.push_back(*it);
    if (static_cast<std::int64_t>(seq_.size()) < options_.min_events) {
      ++dropped_min_events_;
      return;
    }
    append_histories();
    bool any_case = false;
    for (int t = 0; t < T_; ++t) any_case = add_task_cases(u, t, first, last) || any_case;
    users_without_cases_ += !any_case;
  }

  // The user's grouped events per group; ends_at_[i * G + g] = number of group g events before
  // position i (a case's history ends there).
  void append_histories() {
    std::fill(counts_.begin(), counts_.end(), 0);
    ends_at_.resize(seq_.size() * G_);
    for (std::size_t i = 0; i < seq_.size(); ++i) {
      std::copy(counts_.begin(), counts_.end(), ends_at_.begin() + static_cast<std::ptrdiff_t>(i * G_));
      const std::int64_t e = seq_[i];
      for (int g : roles_.groups_of[log_.behaviors[e]]) {
        auto& s = user_.groups[g];
        s.objects.push_back(log_.objects[e]);
        s.behaviors.push_back(log_.behaviors[e]);
        s.times.push_back(log_.times[e]);
        ++counts_[g];
      }
    }
  }

  // The cases of task t for user u; false when the user has none (too few targets, or no
  // untouched object to sample a negative from).
  bool add_task_cases(std::int64_t u, int t, const std::int64_t* first, const std::int64_t* last) {
    targets_.clear();
    for (std::size_t i = 1; i < seq_.size(); ++i)
      if (roles_.is_target[t][log_.behaviors[seq_[i]]]) targets_.push_back(static_cast<std::int64_t>(i));
    if (static_cast<std::int64_t>(targets_.size()) < need_) {
      ++task_dropped_[t];
      return false;
    }
    // Touched = every object of the target space the user interacted with, in any behavior.
    touched_.clear();
    for (const std::int64_t* it = first; it != last; ++it)
      if (roles_.in_space[t][log_.behaviors[*it]]) touched_.push_back(log_.objects[*it]);
    NegativeSampler& sampler = samplers_[t];
    sampler.set_user(touched_);
    if (sampler.untouched() == 0) {
      ++task_touched_all_[t];
      return false;
    }
    Rng rng(derive_seed(options_.seed, static_cast<std::uint64_t>(u), static_cast<std::uint64_t>(t)));
    const std::size_t m = targets_.size();
    for (std::size_t j = 0; j < m; ++j) add_case(u, t, split_of(j, m), targets_[j], sampler, rng);
    return true;
  }

  // The last target is the test case, the one before it the validation case (split "valid").
  Split split_of(std::size_t j, std::size_t m) const {
    if (j + 1 == m) return Split::test;
    if (need_ == 2 && j + 2 == m) return Split::valid;
    return Split::train;
  }

  // Case for the target at position i of the user's sequence: its history, the positive and
  // the negatives (one for training; eval.negatives distinct ones for valid/test).
  void add_case(std::int64_t u, int t, Split split, std::int64_t i, NegativeSampler& sampler, Rng& rng) {
    PreparedData::Cases& c = user_.splits[static_cast<int>(split)];
    ++cases_;
    const std::int64_t e = seq_[static_cast<std::size_t>(i)];
    c.users.push_back(static_cast<std::int32_t>(u));
    c.tasks.push_back(t);
    c.times.push_back(log_.times[e]);
    c.ends.insert(c.ends.end(), ends_at_.begin() + i * G_, ends_at_.begin() + (i + 1) * G_);
    c.candidates.push_back(log_.objects[e]);
    const std::int32_t neg = sampler.one(rng);
    c.candidates.push_back(neg);
    if (split == Split::train || k_eval_ <= kTrainCandidates) return;
    if (sampler.untouched() < k_eval_ - 1) ++repeated_negatives_;
    const std::size_t at = c.candidates.size();
    c.candidates.resize(at + static_cast<std::size_t>(k_eval_ - kTrainCandidates));
    sampler.distinct(rng, k_eval_ - kTrainCandidates, neg, c.candidates.data() + at);
  }

  // Report counters; throws when no user produced any case.
  void report() {
    ImportReport& r = report_;
    if (dropped_min_events_) r.counts["users_dropped.min_events"] = dropped_min_events_;
    r.counts["users_without_cases"] = users_without_cases_;
    if (repeated_negatives_) r.counts["eval_cases_with_repeated_negatives"] = repeated_negatives_;
    for (int t = 0; t < T_; ++t) {
      const std::string& name = layout_.tasks[t].name;
      if (task_dropped_[t]) r.counts["task." + name + ".users_too_few_events"] = task_dropped_[t];
      if (task_touched_all_[t]) r.counts["task." + name + ".users_touched_everything"] = task_touched_all_[t];
    }
    if (cases_ > 0) return;
    std::int64_t few = 0, all = 0;
    for (int t = 0; t < T_; ++t) few += task_dropped_[t], all += task_touched_all_[t];
    throw DataError("no examples: of " + std::to_string(log_.vocab.size("user")) + " user(s), " +
                    std::to_string(few) + " have too few target events for split '" + spec::name_of(options_.split) + "', " +
                    std::to_string(all) + " touched every object (no negative to sample), " +
                    std::to_string(dropped_min_events_) + " have fewer than data.min_events events");
  }

  const EventLog& log_;
  const Layout& layout_;
  const BuildOptions& options_;
  ExampleSink& sink_;
  ImportReport& report_;
  const int G_, T_;
  const BehaviorRoles roles_;
  std::int64_t need_ = 1;    // target events a user needs per task (2 with a validation case)
  std::int64_t k_eval_ = 2;  // candidates per valid/test case
  std::vector<NegativeSampler> samplers_;  // per task
  // Per-user scratch.
  UserExamples user_;                  // what the sink gets
  std::vector<std::int64_t> seq_;      // the user's grouped events, time-sorted
  std::vector<std::int32_t> counts_;   // running per-group counts along seq_
  std::vector<std::int32_t> ends_at_;  // (seq_.size(), G): group counts before position i
  std::vector<std::int64_t> targets_;
  std::vector<std::int32_t> touched_;
  // Counters for the report.
  std::int64_t dropped_min_events_ = 0, users_without_cases_ = 0, repeated_negatives_ = 0, cases_ = 0;
  std::vector<std::int64_t> task_dropped_, task_touched_all_;
};

// Appends every user's examples to the prepared arrays.
class MemorySink : public ExampleSink {
 public:
  explicit MemorySink(PreparedData& out) : out_(out) {}
  void add_user(const UserExamples& user) override {
    for (std::size_t g = 0; g < user.groups.size(); ++g) {
      const PreparedData::Sequences& from = user.groups[g];
      PreparedData::Sequences& to = out_.groups[g];
      to.offsets.push_back(to.offsets.back() + static_cast<std::int64_t>(from.objects.size()));
      append(from.objects, to.objects);
      append(from.behaviors, to.behaviors);
      append(from.times, to.times);
    }
    for (int s = 0; s < kSplits; ++s) {
      const PreparedData::Cases& from = user.splits[s];
      PreparedData::Cases& to = out_.splits[s];
      append(from.users, to.users);
      append(from.tasks, to.tasks);
      append(from.times, to.times);
      append(from.ends, to.ends);
      append(from.candidates, to.candidates);
    }
  }

 private:
  template <class T>
  static void append(const std::vector<T>& from, std::vector<T>& to) {
    to.insert(to.end(), from.begin(), from.end());
  }
  PreparedData& out_;
};

class CountingSink : public ExampleSink {
 public:
  explicit CountingSink(std::size_t groups) { sizes.group_events.assign(groups, 0); }
  void add_user(const UserExamples& user) override {
    ++sizes.users;
    for (std::size_t g = 0; g < user.groups.size(); ++g)
      sizes.group_events[g] += static_cast<std::int64_t>(user.groups[g].objects.size());
    for (int s = 0; s < kSplits; ++s) sizes.cases[s] += static_cast<std::int64_t>(user.splits[s].users.size());
  }
  PreparedSizes sizes;
};

}  // namespace

void build_examples(const EventLog& log, const Layout& layout, const BuildOptions& options, ExampleSink& sink,
                    ImportReport& report) {
  Builder(log, layout, options, sink, report).run();
}

PreparedSizes count_examples(const EventLog& log, const Layout& layout, const BuildOptions& options,
                             ImportReport& report) {
  CountingSink counter(layout.groups.size());
  build_examples(log, layout, options, counter, report);
  return counter.sizes;
}

PreparedData build_examples(EventLog log, const Layout& layout, const BuildOptions& options) {
  PreparedData out;
  for (const auto& g : layout.groups) out.group_names.push_back(g.name);
  out.groups.resize(layout.groups.size());
  for (auto& s : out.groups) s.offsets.assign(1, 0);
  for (int s = 0; s < kSplits; ++s)
    out.splits[s].candidates_per_case = candidates_per_case(static_cast<Split>(s), options);
  MemorySink sink(out);
  build_examples(log, layout, options, sink, log.report);
  out.vocab = std::move(log.vocab);
  out.behavior_space = std::move(log.behavior_space);
  out.report = std::move(log.report);
  return out;
}

}  // namespace atrank::data
