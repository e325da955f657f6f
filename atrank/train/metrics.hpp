// Ranking metrics over evaluation cases: each case is one positive and C-1
// sampled negatives scored by the model; candidate 0 is the positive and
// candidate 1 the authors' single negative.
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

// Computes the requested metrics, keyed by their names:
//   "auc"      the paper's AUC: share of cases whose positive scores above the
//              first negative (strictly, as the authors' code counts);
//   "roc_auc"  global ROC AUC over all (positive, first negative) scores, ties 1/2;
//   "gauc"     per-user AUC of the positive against all of the user's negatives
//              (ties 1/2), averaged with weights = the user's number of cases;
//   "logloss"  mean sigmoid cross-entropy of the positive (label 1) and the
//              first negative (label 0);
//   "hr@K"     share of cases whose positive ranks in the top K of its C
//              candidates (ties counted against the positive: pessimistic);
//   "ndcg@K"   mean of 1/log2(rank+2) for ranks < K (0-based rank).
std::map<std::string, double> compute_metrics(const ScoredCases& cases, const std::vector<spec::Metric>& metrics);

}  // namespace atrank::train
