#include "atrank/train/early_stopping.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace atrank::train {

void EarlyStopState::observe(const spec::EarlyStopPlan& plan, double value, std::int64_t step) {
  if (metric != plan.name) *this = EarlyStopState{plan.name};
  if (best_step < 0 || improves(value, best, plan.lower_is_better, plan.min_delta)) {
    best = value;
    best_step = step;
    stale = 0;
  } else {
    ++stale;
  }
}

std::string EarlyStopState::to_json() const {
  return nlohmann::json{{"metric", metric}, {"best", best}, {"best_step", best_step}, {"stale", stale}}.dump();
}

EarlyStopState EarlyStopState::from_json(const std::string& text) {
  const auto j = nlohmann::json::parse(text);
  const auto& best = j.at("best");  // JSON has no NaN: a NaN first value is written as null
  return {j.at("metric").get<std::string>(), best.is_null() ? std::nan("") : best.get<double>(),
          j.at("best_step").get<std::int64_t>(), j.at("stale").get<std::int64_t>()};
}

}  // namespace atrank::train
