// Metric definitions; see metrics.hpp for what each one means.
#include "atrank/train/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

#include "atrank/kernels/sigmoid.hpp"

namespace atrank::train {
namespace {

double paper_auc(const ScoredCases& s) {
  const auto n = s.cases();
  if (n == 0) return 0;
  std::int64_t wins = 0;
  for (std::int64_t i = 0; i < n; ++i)
    wins += s.scores[i * s.candidates] > s.scores[i * s.candidates + 1];
  return double(wins) / double(n);
}

double roc_auc(const ScoredCases& s) {
  // Rank-sum (Mann-Whitney) with average ranks for ties.
  const auto n = s.cases();
  std::vector<std::pair<float, int>> all;
  all.reserve(std::size_t(2 * n));
  for (std::int64_t i = 0; i < n; ++i) {
    all.push_back({s.scores[i * s.candidates], 1});
    all.push_back({s.scores[i * s.candidates + 1], 0});
  }
  std::sort(all.begin(), all.end());
  double rank_sum = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double avg_rank = (double(i) + double(j - 1)) / 2.0 + 1.0;
    for (std::size_t k = i; k < j; ++k)
      if (all[k].second) rank_sum += avg_rank;
    i = j;
  }
  const double pos = double(n), neg = double(n);
  if (n == 0) return 0;
  return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg);
}

double gauc(const ScoredCases& s) {
  struct Acc { double auc_sum = 0; std::int64_t cases = 0; };
  std::unordered_map<std::int32_t, Acc> per_user;
  const auto n = s.cases();
  for (std::int64_t i = 0; i < n; ++i) {
    const float* row = s.scores.data() + i * s.candidates;
    double wins = 0;
    for (std::int64_t j = 1; j < s.candidates; ++j)
      wins += row[0] > row[j] ? 1.0 : (row[0] == row[j] ? 0.5 : 0.0);
    auto& a = per_user[s.users.empty() ? std::int32_t(i) : s.users[std::size_t(i)]];
    a.auc_sum += wins / double(s.candidates - 1);
    a.cases += 1;
  }
  // Weighting each user's mean AUC by the user's cases equals the plain mean over cases.
  double num = 0, den = 0;
  for (const auto& [user, a] : per_user) {
    num += (a.auc_sum / double(a.cases)) * double(a.cases);
    den += double(a.cases);
  }
  return den > 0 ? num / den : 0;
}

double logloss(const ScoredCases& s) {
  using kernels::sigmoid_cross_entropy;
  const auto n = s.cases();
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i)
    sum += sigmoid_cross_entropy(double(s.scores[i * s.candidates]), 1.0) +
           sigmoid_cross_entropy(double(s.scores[i * s.candidates + 1]), 0.0);
  return n ? sum / double(2 * n) : 0;
}

// 0-based rank of the positive among its candidates; ties rank above it.
std::int64_t positive_rank(const float* row, std::int64_t c) {
  std::int64_t rank = 0;
  for (std::int64_t j = 1; j < c; ++j) rank += row[j] >= row[0];
  return rank;
}

double mean_of(const RankedCases& r, double (*gain)(std::int64_t rank, std::int64_t k), std::int64_t k) {
  double sum = 0;
  for (const std::int64_t rank : r.ranks) sum += gain(rank, k);
  return r.cases() ? sum / double(r.cases()) : 0;
}

double hit(std::int64_t rank, std::int64_t k) { return rank < k ? 1.0 : 0.0; }
double discounted(std::int64_t rank, std::int64_t k) { return rank < k ? 1.0 / std::log2(double(rank) + 2.0) : 0.0; }
double reciprocal(std::int64_t rank, std::int64_t) { return 1.0 / double(rank + 1); }

double user_recall(const RankedCases& r, std::int64_t k) {
  struct Acc { std::int64_t hits = 0, cases = 0; };
  std::unordered_map<std::int32_t, Acc> per_user;
  for (std::int64_t i = 0; i < r.cases(); ++i) {
    auto& a = per_user[r.users.empty() ? std::int32_t(i) : r.users[std::size_t(i)]];
    a.hits += r.ranks[std::size_t(i)] < k;
    a.cases += 1;
  }
  double sum = 0;
  for (const auto& [user, a] : per_user) sum += double(a.hits) / double(a.cases);
  return per_user.empty() ? 0 : sum / double(per_user.size());
}

}  // namespace

RankedCases sampled_ranks(const ScoredCases& cases) {
  RankedCases r;
  r.users = cases.users;
  for (std::int64_t i = 0; i < cases.cases(); ++i)
    r.ranks.push_back(positive_rank(cases.scores.data() + i * cases.candidates, cases.candidates));
  return r;
}

std::map<std::string, double> ranking_metrics(const RankedCases& ranked, const std::vector<spec::Metric>& metrics) {
  std::map<std::string, double> out;
  for (const auto& m : metrics) {
    switch (m.kind) {
      case spec::MetricKind::HitRate: out[m.name] = mean_of(ranked, hit, m.k); break;
      case spec::MetricKind::Ndcg: out[m.name] = mean_of(ranked, discounted, m.k); break;
      case spec::MetricKind::Mrr: out[m.name] = mean_of(ranked, reciprocal, 0); break;
      case spec::MetricKind::Recall: out[m.name] = user_recall(ranked, m.k); break;
      default: break;
    }
  }
  return out;
}

std::map<std::string, double> compute_metrics(const ScoredCases& cases, const std::vector<spec::Metric>& metrics) {
  if (cases.candidates < 2)
    throw std::invalid_argument("metrics need at least 2 candidates per case (a positive and a negative)");
  std::map<std::string, double> out;
  bool ranking = false;
  for (const auto& m : metrics) {
    switch (m.kind) {
      case spec::MetricKind::Auc: out[m.name] = paper_auc(cases); break;
      case spec::MetricKind::RocAuc: out[m.name] = roc_auc(cases); break;
      case spec::MetricKind::Gauc: out[m.name] = gauc(cases); break;
      case spec::MetricKind::Logloss: out[m.name] = logloss(cases); break;
      case spec::MetricKind::HitRate:
      case spec::MetricKind::Ndcg:
      case spec::MetricKind::Recall:
      case spec::MetricKind::Mrr: ranking = true; break;
    }
  }
  if (ranking) out.merge(ranking_metrics(sampled_ranks(cases), metrics));
  return out;
}

}  // namespace atrank::train
