// Metric name parsing: plain names, and "<prefix>@K" for the ranking metrics.
#include "atrank/spec/metric.hpp"

namespace atrank::spec {

namespace {

constexpr std::size_t kMaxCutoffDigits = 6;

// K of "<prefix>K" (prefix "hr@"), or 0 when `name` is not of that form.
std::int64_t cutoff(const std::string& name, const std::string& prefix) {
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() || name.size() > prefix.size() + kMaxCutoffDigits)
    return 0;
  for (std::size_t i = prefix.size(); i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return 0;
  return std::stoll(name.substr(prefix.size()));
}

}  // namespace

std::optional<Metric> parse_metric(const std::string& name) {
  static const std::vector<std::pair<const char*, MetricKind>> plain = {
      {"auc", MetricKind::Auc}, {"gauc", MetricKind::Gauc}, {"roc_auc", MetricKind::RocAuc},
      {"logloss", MetricKind::Logloss}, {"mrr", MetricKind::Mrr}};
  for (const auto& [spelling, kind] : plain)
    if (name == spelling) return Metric{kind, 0, name};
  if (const std::int64_t k = cutoff(name, "hr@"); k > 0) return Metric{MetricKind::HitRate, k, name};
  if (const std::int64_t k = cutoff(name, "ndcg@"); k > 0) return Metric{MetricKind::Ndcg, k, name};
  if (const std::int64_t k = cutoff(name, "recall@"); k > 0) return Metric{MetricKind::Recall, k, name};
  return std::nullopt;
}

const std::vector<std::string>& metric_spellings() {
  static const std::vector<std::string> names = {"auc",  "gauc",   "roc_auc", "logloss",
                                                 "mrr", "hr@K", "ndcg@K", "recall@K"};
  return names;
}

}  // namespace atrank::spec
