#include "atrank/train/user_spread.hpp"

#include <algorithm>
#include <cmath>

namespace atrank::train {

void UserSpread::add(const float* user) {
  double norm = 0;
  for (std::size_t d = 0; d < sum_.size(); ++d) {
    const double x = user[d];
    sum_[d] += x;
    squares_[d] += x * x;
    norm += x * x;
  }
  norms_ += std::sqrt(norm);
  ++cases_;
}

std::vector<std::pair<std::string, double>> collapsed_entries(const std::map<std::string, double>& metrics) {
  const std::string key = kUserSpreadKey, suffix = "." + key;
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [name, value] : metrics) {
    const bool spread = name == key || (name.size() > suffix.size() &&
                                        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0);
    if (spread && value < kCollapsedUserSpread) out.emplace_back(name, value);
  }
  return out;
}

double UserSpread::value() const {
  if (cases_ == 0 || norms_ == 0 || sum_.empty()) return 0;
  const double n = double(cases_);
  double sd = 0;
  for (std::size_t d = 0; d < sum_.size(); ++d) {
    const double mean = sum_[d] / n;
    sd += std::sqrt(std::max(0.0, squares_[d] / n - mean * mean));  // population std; rounding can dip below 0
  }
  return sd / double(sum_.size()) / (norms_ / n);
}

}  // namespace atrank::train
