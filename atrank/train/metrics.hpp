// Metrics over evaluation cases: each case is one positive and C-1 sampled
// negatives scored by the model (candidate 0 is the positive and candidate 1
// the authors' single negative), or, for the ranking metrics, the rank of
// its positive among all objects the user never touched (eval.ranking = "all").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "atrank/spec/metric.hpp"

namespace atrank::train {

// Scores of evaluation cases, row-major (cases, C), with each case's user.
struct ScoredCases {
  std::int64_t candidates = 0;  // C >= 2
  std::vector<float> scores;    // (cases, C) logits
  std::vector<std::int32_t> users;
  std::int64_t cases() const { return candidates ? std::int64_t(scores.size()) / candidates : 0; }
};

// Ranks of evaluation cases' positives: 0-based, the number of other
// candidates that score at least as high (ties count against the positive).
struct RankedCases {
  std::vector<std::int64_t> ranks;
  std::vector<std::int32_t> users;  // each case's user
  std::int64_t cases() const { return std::int64_t(ranks.size()); }
};

// The ranking metrics (Metric::ranking) of `metrics` from ranks, keyed by name:
//   "hr@K"      share of cases whose positive ranks in the top K;
//   "ndcg@K"    mean of 1/log2(rank+2) for ranks < K, 0 beyond;
//   "mrr"       mean of 1/(rank+1);
//   "recall@K"  per user, the share of the user's cases whose positive ranks
//               in the top K, averaged over users (one held-out positive per
//               case: equal to hr@K when every user has one case).
// The other metrics of the list are left out.
std::map<std::string, double> ranking_metrics(const RankedCases& ranked, const std::vector<spec::Metric>& metrics);

// The ranks of the positives among their sampled candidates.
RankedCases sampled_ranks(const ScoredCases& cases);

// Computes the requested metrics, keyed by their names (ranking metrics
// among the sampled candidates, as ranking_metrics(sampled_ranks(cases))):
//   "auc"      the paper's AUC: share of cases whose positive scores above the
//              first negative (strictly, as the authors' code counts);
//   "roc_auc"  global ROC AUC over all (positive, first negative) scores, ties 1/2;
//   "gauc"     per-user AUC of the positive against all of the user's negatives
//              (ties 1/2), averaged with weights = the user's number of cases;
//   "logloss"  mean sigmoid cross-entropy of the positive (label 1) and the
//              first negative (label 0);
//   "hr@K", "ndcg@K", "recall@K", "mrr" as ranking_metrics.
std::map<std::string, double> compute_metrics(const ScoredCases& cases, const std::vector<spec::Metric>& metrics);

}  // namespace atrank::train
