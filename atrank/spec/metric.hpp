// Evaluation metric names: "auc", "gauc", "roc_auc", "logloss", "mrr",
// "hr@K", "ndcg@K", "recall@K" (K a positive integer of at most 6 digits),
// parsed into a kind and K.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrank::spec {

enum class MetricKind { Auc, Gauc, RocAuc, Logloss, HitRate, Ndcg, Recall, Mrr };

struct Metric {
  MetricKind kind = MetricKind::Auc;
  std::int64_t k = 0;  // hr@K, ndcg@K, recall@K: the cutoff; 0 for the others
  std::string name;    // as written ("hr@10"): the key of the metric's value in reports
  // Ranks the positive among candidates (eval.ranking: eval.negatives
  // sampled negatives, or all untouched objects); the other metrics need
  // only the authors' single negative.
  bool ranking() const {
    return kind == MetricKind::HitRate || kind == MetricKind::Ndcg || kind == MetricKind::Recall ||
           kind == MetricKind::Mrr;
  }
  // Smaller is better (a loss); every other metric improves upwards.
  bool lower_is_better() const { return kind == MetricKind::Logloss; }
};

// nullopt when `name` is not a metric.
std::optional<Metric> parse_metric(const std::string& name);

// The metric spellings for messages: auc, gauc, roc_auc, logloss, mrr, hr@K, ndcg@K, recall@K.
const std::vector<std::string>& metric_spellings();

}  // namespace atrank::spec
