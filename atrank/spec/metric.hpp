// Evaluation metric names: "auc", "gauc", "roc_auc", "logloss", "hr@K",
// "ndcg@K" (K a positive integer of at most 6 digits), parsed into a kind and K.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrank::spec {

enum class MetricKind { Auc, Gauc, RocAuc, Logloss, HitRate, Ndcg };

struct Metric {
  MetricKind kind = MetricKind::Auc;
  std::int64_t k = 0;  // hr@K, ndcg@K: the cutoff; 0 for the others
  std::string name;    // as written ("hr@10"): the key of the metric's value in reports
  // Needs a ranked list of eval.negatives sampled negatives per case (the
  // other metrics need only the authors' single negative).
  bool ranking() const { return kind == MetricKind::HitRate || kind == MetricKind::Ndcg; }
  // Smaller is better (a loss); every other metric improves upwards.
  bool lower_is_better() const { return kind == MetricKind::Logloss; }
};

// nullopt when `name` is not a metric.
std::optional<Metric> parse_metric(const std::string& name);

// The metric spellings for messages: auc, gauc, roc_auc, logloss, hr@K, ndcg@K.
const std::vector<std::string>& metric_spellings();

}  // namespace atrank::spec
